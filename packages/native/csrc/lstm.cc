// The LSTM recurrence (gates i, f, c, o; sigmoid gates; masked steps carry h and c over) and its
// hand-written backward pass (BPTT), for D stacked directions, one thread per direction.
//
// Why: on libtensorflow each time step is ~20 small kernels whose launch cost, not their FLOPs,
// dominates a [32 x 128] x [128 x 512] step. Here a step is one register-blocked matMul and one
// fused elementwise pass. The input projection x W + b stays one big libtensorflow matMul.
//
// Layouts (row-major): U [D][H][4H]; the saved state hs/tc/cs [T][D][B][H] (carried h, tanh(c),
// carried c after each step) and act [T][D][B][4H] (sigmoid i, f, o and tanh of the c gate).
// proj / dproj, mask and the gradient in are either step-major (proj [T][D][B][4H], mask [T][D][B],
// dhs [T][D][B][H] = the gradient of hs) or, with batchMajor, as a BiLSTM layer sees them:
// proj [B][T][D][4H], mask [B][T], and the output y [B][T][D][H] = mask * h with its gradient dy.
// Direction d with bit d of reverse set reads and writes time T-1-k at step k.
#include "kernels.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace ser {
namespace {

// exp for 8 lanes: 2^n * p(r), x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial (Cephes expf,
// relative error ~1e-7), inputs clamped to the float range.
inline v8 exp8(v8 x) {
  x = x < v8{} + 88.3762626647949f ? x : v8{} + 88.3762626647949f;
  x = x > v8{} - 87.3365478515625f ? x : v8{} - 87.3365478515625f;
  v8 fx = x * 1.44269504088896341f + 0.5f;
  v8i n = __builtin_convertvector(fx, v8i);
  v8 nf = __builtin_convertvector(n, v8);
  nf = nf > fx ? nf - 1.0f : nf;  // floor
  n = __builtin_convertvector(nf, v8i);
  const v8 r = x - nf * 0.693359375f + nf * 2.12194440e-4f;
  v8 p = v8{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const v8i bits = (n + 127) << 23;
  v8 scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}
inline v8 sigmoid8(v8 x) { return 1.0f / (1.0f + exp8(-x)); }
// tanh(x) = 1 - 2 / (exp(2x) + 1): no cancellation for large |x|; absolute error ~1e-7 near 0
inline v8 tanh8(v8 x) { return 1.0f - 2.0f / (exp8(2.0f * x) + 1.0f); }

inline float sigmoid1(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// C[M][N] += A[M][K] * Bm[K][N] (all row-major, leading dimensions lda, ldb, ldc), 4 rows x 16
// columns of C in registers; scalar edges.
void gemmAcc(int M, int N, int K, const float* A, int lda, const float* Bm, int ldb, float* C, int ldc) {
  int i = 0;
  for (; i + 4 <= M; i += 4) {
    int j = 0;
    for (; j + 16 <= N; j += 16) {
      v8 acc[4][2];
      for (int a = 0; a < 4; a++) {
        acc[a][0] = load8(C + static_cast<size_t>(i + a) * ldc + j);
        acc[a][1] = load8(C + static_cast<size_t>(i + a) * ldc + j + 8);
      }
      for (int k = 0; k < K; k++) {
        const v8 b0 = load8(Bm + static_cast<size_t>(k) * ldb + j), b1 = load8(Bm + static_cast<size_t>(k) * ldb + j + 8);
        for (int a = 0; a < 4; a++) {
          const float av = A[static_cast<size_t>(i + a) * lda + k];
          acc[a][0] += av * b0;
          acc[a][1] += av * b1;
        }
      }
      for (int a = 0; a < 4; a++) {
        store8(C + static_cast<size_t>(i + a) * ldc + j, acc[a][0]);
        store8(C + static_cast<size_t>(i + a) * ldc + j + 8, acc[a][1]);
      }
    }
    for (; j < N; j++)
      for (int a = 0; a < 4; a++) {
        float s = C[static_cast<size_t>(i + a) * ldc + j];
        for (int k = 0; k < K; k++) s += A[static_cast<size_t>(i + a) * lda + k] * Bm[static_cast<size_t>(k) * ldb + j];
        C[static_cast<size_t>(i + a) * ldc + j] = s;
      }
  }
  for (; i < M; i++)
    for (int k = 0; k < K; k++) {
      const float av = A[static_cast<size_t>(i) * lda + k];
      float* c = C + static_cast<size_t>(i) * ldc;
      const float* b = Bm + static_cast<size_t>(k) * ldb;
      for (int j = 0; j < N; j++) c[j] += av * b[j];
    }
}

void transpose(int rows, int cols, const float* in, float* out) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) out[static_cast<size_t>(c) * rows + r] = in[static_cast<size_t>(r) * cols + c];
}

// Offsets of (time t, direction d, batch row b) in proj / dproj, y / dy, and the mask's value.
inline size_t projAt(const LstmDims& s, int t, int d, int b) {
  const size_t G = 4 * static_cast<size_t>(s.H);
  return (s.batchMajor ? (static_cast<size_t>(b) * s.T + t) * s.D + d : (static_cast<size_t>(t) * s.D + d) * s.B + b) * G;
}
inline size_t yAt(const LstmDims& s, int t, int d, int b) { return ((static_cast<size_t>(b) * s.T + t) * s.D + d) * s.H; }
inline float maskAt(const LstmDims& s, const float* mask, int t, int d, int b) {
  if (!mask) return 1.0f;
  return s.batchMajor ? mask[static_cast<size_t>(b) * s.T + t] : mask[(static_cast<size_t>(t) * s.D + d) * s.B + b];
}

// Runs f(d) for every direction, one thread each up to `threads`.
template <typename Fn>
void perDirection(int D, int threads, Fn f) {
  const int n = std::max(1, std::min(threads, D));
  parallelFor(n, [&](int t) {
    for (int d = t; d < D; d += n) f(d);
  });
}

}  // namespace

void lstmForward(const LstmDims& s, const LstmIo& io) {
  const int T = s.T, D = s.D, B = s.B, H = s.H, G = 4 * H;
  perDirection(D, s.threads, [&](int d) {
    const float* U = io.U + static_cast<size_t>(d) * H * G;
    std::vector<float> h(static_cast<size_t>(B) * H, 0.0f), c(h.size(), 0.0f), z(static_cast<size_t>(B) * G);
    const bool rev = (s.reverse >> d) & 1;
    for (int k = 0; k < T; k++) {
      const int t = rev ? T - 1 - k : k;
      const size_t row = static_cast<size_t>(t) * D + d;  // (t, d) block index
      for (int b = 0; b < B; b++) std::memcpy(z.data() + static_cast<size_t>(b) * G, io.proj + projAt(s, t, d, b), sizeof(float) * G);
      gemmAcc(B, G, H, h.data(), H, U, G, z.data(), G);
      float* act = io.act + row * B * G;
      float* tcOut = io.tc + row * B * H;
      float* cOut = io.cs + row * B * H;
      float* hOut = io.hs + row * B * H;
      for (int b = 0; b < B; b++) {
        const float m = maskAt(s, io.mask, t, d, b);
        const float* zb = z.data() + static_cast<size_t>(b) * G;
        float* ab = act + static_cast<size_t>(b) * G;
        float* hb = h.data() + static_cast<size_t>(b) * H;
        float* cb = c.data() + static_cast<size_t>(b) * H;
        int j = 0;
        for (; j + 8 <= H; j += 8) {
          const v8 si = sigmoid8(load8(zb + j)), sf = sigmoid8(load8(zb + H + j));
          const v8 g = tanh8(load8(zb + 2 * H + j)), so = sigmoid8(load8(zb + 3 * H + j));
          const v8 cPrev = load8(cb + j), hPrev = load8(hb + j);
          const v8 cNew = sf * cPrev + si * g;
          const v8 tc = tanh8(cNew);
          const v8 hNew = so * tc;
          store8(ab + j, si);
          store8(ab + H + j, sf);
          store8(ab + 2 * H + j, g);
          store8(ab + 3 * H + j, so);
          store8(tcOut + static_cast<size_t>(b) * H + j, tc);
          const v8 hc = hPrev + m * (hNew - hPrev), cc = cPrev + m * (cNew - cPrev);
          store8(hb + j, hc);
          store8(cb + j, cc);
        }
        for (; j < H; j++) {
          const float si = sigmoid1(zb[j]), sf = sigmoid1(zb[H + j]), g = std::tanh(zb[2 * H + j]), so = sigmoid1(zb[3 * H + j]);
          const float cNew = sf * cb[j] + si * g, tc = std::tanh(cNew), hNew = so * tc;
          ab[j] = si;
          ab[H + j] = sf;
          ab[2 * H + j] = g;
          ab[3 * H + j] = so;
          tcOut[static_cast<size_t>(b) * H + j] = tc;
          hb[j] += m * (hNew - hb[j]);
          cb[j] += m * (cNew - cb[j]);
        }
      }
      std::memcpy(hOut, h.data(), sizeof(float) * B * H);
      std::memcpy(cOut, c.data(), sizeof(float) * B * H);
      if (s.batchMajor)
        for (int b = 0; b < B; b++) {
          const float m = maskAt(s, io.mask, t, d, b);
          float* yb = io.y + yAt(s, t, d, b);
          const float* hb = h.data() + static_cast<size_t>(b) * H;
          for (int j = 0; j < H; j++) yb[j] = m * hb[j];
        }
    }
  });
}

void lstmBackward(const LstmDims& s, const LstmIo& io) {
  const int T = s.T, D = s.D, B = s.B, H = s.H, G = 4 * H;
  perDirection(D, s.threads, [&](int d) {
    const float* U = io.U + static_cast<size_t>(d) * H * G;
    std::vector<float> UT(static_cast<size_t>(G) * H);
    transpose(H, G, U, UT.data());
    std::vector<float> dh(static_cast<size_t>(B) * H, 0.0f), dc(dh.size(), 0.0f);
    // h before each step, time-major [T*B][H] in step order, and dz likewise: dU = hPrev^T dZ at the end
    std::vector<float> hPrevAll(static_cast<size_t>(T) * B * H), dzAll(static_cast<size_t>(T) * B * G);
    const std::vector<float> zeros(static_cast<size_t>(B) * H, 0.0f);
    const bool rev = (s.reverse >> d) & 1;
    for (int k = T - 1; k >= 0; k--) {
      const int t = rev ? T - 1 - k : k;
      const int tPrev = rev ? t + 1 : t - 1;
      const size_t row = static_cast<size_t>(t) * D + d;
      const size_t rowPrev = static_cast<size_t>(tPrev) * D + d;
      const float* cPrevAll = k == 0 ? zeros.data() : io.cs + rowPrev * B * H;
      const float* hPrev = k == 0 ? zeros.data() : io.hs + rowPrev * B * H;
      std::memcpy(hPrevAll.data() + static_cast<size_t>(k) * B * H, hPrev, sizeof(float) * B * H);
      const float* act = io.act + row * B * G;
      const float* tcs = io.tc + row * B * H;
      float* dz = dzAll.data() + static_cast<size_t>(k) * B * G;
      for (int b = 0; b < B; b++) {
        const float m = maskAt(s, io.mask, t, d, b);
        const float* ab = act + static_cast<size_t>(b) * G;
        float* dzb = dz + static_cast<size_t>(b) * G;
        // the gradient reaching the carried h from outside: dhs, or mask * dy for y = mask * h
        const float* dyb = s.batchMajor ? io.dhs + yAt(s, t, d, b) : io.dhs + (row * B + b) * H;
        const float dyScale = s.batchMajor ? m : 1.0f;
        for (int j = 0; j < H; j++) {
          const size_t e = static_cast<size_t>(b) * H + j;
          const float dhTot = dyScale * dyb[j] + dh[e];
          const float dhNew = m * dhTot, dhCarry = dhTot - dhNew;
          const float dcIn = m * dc[e], dcCarry = dc[e] - dcIn;
          const float si = ab[j], sf = ab[H + j], g = ab[2 * H + j], so = ab[3 * H + j], tc = tcs[e];
          const float dcNew = dcIn + dhNew * so * (1.0f - tc * tc);
          dzb[j] = dcNew * g * si * (1.0f - si);
          dzb[H + j] = dcNew * cPrevAll[e] * sf * (1.0f - sf);
          dzb[2 * H + j] = dcNew * si * (1.0f - g * g);
          dzb[3 * H + j] = dhNew * tc * so * (1.0f - so);
          dh[e] = dhCarry;  // + dz U^T below
          dc[e] = dcNew * sf + dcCarry;
        }
      }
      for (int b = 0; b < B; b++) std::memcpy(io.dproj + projAt(s, t, d, b), dz + static_cast<size_t>(b) * G, sizeof(float) * G);
      gemmAcc(B, H, G, dz, G, UT.data(), H, dh.data(), H);
    }
    // dU[d] = hPrev^T dZ over all steps: [H][T*B] x [T*B][4H]
    std::vector<float> hT(static_cast<size_t>(H) * T * B);
    transpose(T * B, H, hPrevAll.data(), hT.data());
    float* dU = io.dU + static_cast<size_t>(d) * H * G;
    std::fill(dU, dU + static_cast<size_t>(H) * G, 0.0f);
    gemmAcc(H, G, T * B, hT.data(), T * B, dzAll.data(), G, dU, G);
  });
}

}  // namespace ser
