// Fused conv block kernels for the CPU engine: y = relu(maxPool(conv2d(pad(x), w)) + bias), NHWC,
// stride-1 conv, non-overlapping max-pool, forward and backward.
//
// Why: on libtensorflow the reference CNN spends most of its step in memory-bound passes over the
// full-resolution conv output (im2col, MaxPoolGrad, ReLU grad) that this kernel never writes out:
// the conv is computed a pooling band at a time and pooled in cache. The backward pass uses the
// pooling's sparsity: only the arg-max position of each window carries a gradient, so the filter
// gradient (Ci >= 8) and the input gradient cost a quarter of a dense backprop.
//
// Called from addon.cc (N-API); built by tools/build-native.mjs.
#include "kernels.h"

#include <algorithm>
#include <vector>

namespace ser {
namespace {

using Dims = ConvDims;

// Zero-padded copy of batch element b of x: [Hp][Wp][Ci].
void padInput(const Dims& d, const float* x, int b, float* xp) {
  const int Wp = d.Wp();
  std::fill(xp, xp + static_cast<size_t>(d.Hp()) * Wp * d.Ci, 0.0f);
  for (int i = 0; i < d.H; i++) {
    const float* src = x + ((static_cast<size_t>(b) * d.H + i) * d.W) * d.Ci;
    float* dst = xp + (static_cast<size_t>(i + d.pt) * Wp + d.pl) * d.Ci;
    std::memcpy(dst, src, sizeof(float) * d.W * d.Ci);
  }
}

// Conv output row i, columns j0.. in groups of J while a whole group fits (returns the first column
// left), all Co channels, into out[Wcc][Co]. For fixed kernel row kh and output column j the taps
// (kw, ci) are fw*Ci contiguous floats of xp, and column j+1 is Ci further on: J columns share each
// weight load, NV vectors of 8 channels each.
template <int NV, int J>
int convColumns(const Dims& d, const float* xp, const float* w, int i, int j0, float* out) {
  const int Co = NV * 8, K = d.fw * d.Ci, Wp = d.Wp(), Wcc = d.Wcc(), Ci = d.Ci;
  int j = j0;
  for (; j + J <= Wcc; j += J) {
    v8 acc[J][NV];
    for (int a = 0; a < J; a++)
      for (int v = 0; v < NV; v++) acc[a][v] = v8{};
    for (int kh = 0; kh < d.fh; kh++) {
      const float* xr = xp + (static_cast<size_t>(i + kh) * Wp + j) * Ci;
      const float* wr = w + static_cast<size_t>(kh) * K * Co;
      for (int t = 0; t < K; t++) {
        v8 wv[NV];
        for (int v = 0; v < NV; v++) wv[v] = load8(wr + t * Co + 8 * v);
        for (int a = 0; a < J; a++) {
          const float xv = xr[a * Ci + t];
          for (int v = 0; v < NV; v++) acc[a][v] += xv * wv[v];
        }
      }
    }
    for (int a = 0; a < J; a++)
      for (int v = 0; v < NV; v++) store8(out + static_cast<size_t>(j + a) * Co + 8 * v, acc[a][v]);
  }
  return j;
}

template <int NV, int J>
void convRow(const Dims& d, const float* xp, const float* w, int i, float* out) {
  const int j = convColumns<NV, J>(d, xp, w, i, 0, out);
  if (j < d.Wcc()) convColumns<NV, 1>(d, xp, w, i, j, out);  // the leftover columns, one at a time
}

// Batch elements [b0, b1): padded copy, conv a pooling band of ph rows at a time, pool, bias, relu.
// noinline (also backwardRange): inlined into parallelFor's trampoline, GCC compiled the loops
// about 15% slower (measured on the reference shapes, one thread and two)
template <int NV>
__attribute__((noinline)) void forwardRange(const Dims& d, const float* x, const float* w, const float* bias, float* y, uint8_t* argmax, int b0, int b1) {
  constexpr int J = NV <= 2 ? 4 : NV <= 4 ? 2 : 1;
  const int Co = NV * 8, OH = d.OH(), OW = d.OW(), Wcc = d.Wcc(), win = d.ph * d.pw;
  std::vector<float> xp(static_cast<size_t>(d.Hp()) * d.Wp() * d.Ci);
  std::vector<float> band(static_cast<size_t>(d.ph) * Wcc * Co);
  for (int b = b0; b < b1; b++) {
    padInput(d, x, b, xp.data());
    for (int oi = 0; oi < OH; oi++) {
      for (int r = 0; r < d.ph; r++) convRow<NV, J>(d, xp.data(), w, oi * d.ph + r, band.data() + static_cast<size_t>(r) * Wcc * Co);
      const size_t o = (static_cast<size_t>(b) * OH + oi) * OW * Co;
      for (int oj = 0; oj < OW; oj++) {
        float* yo = y + o + static_cast<size_t>(oj) * Co;
        uint8_t* ao = argmax + o + static_cast<size_t>(oj) * Co;
        const float* first = band.data() + static_cast<size_t>(oj) * d.pw * Co;
        // max and arg-max of the window, 8 channels per vector
        for (int v = 0; v < NV; v++) {
          v8 best = load8(first + 8 * v);
          v8i at = v8i{};
          for (int k = 1; k < win; k++) {
            const int r = k / d.pw, cc = k % d.pw;
            const v8 cand = load8(band.data() + (static_cast<size_t>(r) * Wcc + oj * d.pw + cc) * Co + 8 * v);
            const v8i more = cand > best;
            best = more ? cand : best;
            at = more ? v8i{} + k : at;
          }
          const v8 out = best + load8(bias + 8 * v);
          store8(yo + 8 * v, out > v8{} ? out : v8{});
          for (int l = 0; l < 8; l++) ao[8 * v + l] = static_cast<uint8_t>(at[l]);
        }
      }
    }
  }
}

// Filter gradient, dense over channels (for Ci < 8, where the sparse form has too little to
// vectorise): the arg-max gradient of a band is spread back onto its ph x Wcc conv positions
// (gband, zero elsewhere; g and argmax are batch element b's) and dW[kh][t][:] += sum_pos xp[pos + kh row, t] * gband[pos][:], TB taps
// at a time held in registers.
template <int NV>
void filterGradDense(const Dims& d, const float* xp, const float* g, const uint8_t* argmax, float* dw, float* gband) {
  constexpr int TB = NV == 1 ? 8 : NV == 2 ? 6 : NV <= 4 ? 3 : 1;
  const int Co = NV * 8, OH = d.OH(), OW = d.OW(), Wcc = d.Wcc(), Wp = d.Wp(), Ci = d.Ci, K = d.fw * Ci;
  for (int oi = 0; oi < OH; oi++) {
    std::fill(gband, gband + static_cast<size_t>(d.ph) * Wcc * Co, 0.0f);
    const size_t o = static_cast<size_t>(oi) * OW * Co;
    for (int oj = 0; oj < OW; oj++)
      for (int c = 0; c < Co; c++) {
        const size_t e = o + static_cast<size_t>(oj) * Co + c;
        const int k = argmax[e], r = k / d.pw, cc = k % d.pw;
        gband[(static_cast<size_t>(r) * Wcc + oj * d.pw + cc) * Co + c] = g[e];
      }
    for (int kh = 0; kh < d.fh; kh++) {
      for (int t0 = 0; t0 < K; t0 += TB) {
        const int tn = std::min(TB, K - t0);
        v8 acc[TB][NV];
        for (int a = 0; a < TB; a++)
          for (int v = 0; v < NV; v++) acc[a][v] = v8{};
        for (int r = 0; r < d.ph; r++) {
          const int i = oi * d.ph + r;
          const float* xr = xp + (static_cast<size_t>(i + kh) * Wp) * Ci + t0;
          const float* gr = gband + static_cast<size_t>(r) * Wcc * Co;
          for (int j = 0; j < Wcc; j++) {
            v8 gv[NV];
            for (int v = 0; v < NV; v++) gv[v] = load8(gr + static_cast<size_t>(j) * Co + 8 * v);
            const float* xj = xr + static_cast<size_t>(j) * Ci;
            if (tn == TB) {
              for (int a = 0; a < TB; a++)
                for (int v = 0; v < NV; v++) acc[a][v] += xj[a] * gv[v];
            } else {
              for (int a = 0; a < tn; a++)
                for (int v = 0; v < NV; v++) acc[a][v] += xj[a] * gv[v];
            }
          }
        }
        for (int a = 0; a < tn; a++) {
          float* dwr = dw + (static_cast<size_t>(kh) * K + t0 + a) * Co;
          for (int v = 0; v < NV; v++) store8(dwr + 8 * v, load8(dwr + 8 * v) + acc[a][v]);
        }
      }
    }
  }
}

using Buffers = ConvGrads;

// Backward for batch elements [b0, b1): g = dy * (y > 0); db += g; dW (dense for Ci < 8, else
// sparse into dwT [Co][fh][fw*Ci]); dx by scattering g * w back from each arg-max position.
template <int NV>
__attribute__((noinline)) void backwardRange(const Dims& d, const Buffers& io, float* dw, float* dwT, float* db, int b0, int b1) {
  const int Co = NV * 8, OH = d.OH(), OW = d.OW(), Wp = d.Wp(), Ci = d.Ci, K = d.fw * Ci;
  const bool dense = Ci < 8;
  const size_t perB = static_cast<size_t>(OH) * OW * Co;
  std::vector<float> xp(static_cast<size_t>(d.Hp()) * Wp * Ci);
  std::vector<float> dxp(io.dx ? xp.size() : 0);
  std::vector<float> g(perB);  // this batch element's gradient at the pooled outputs
  std::vector<float> gband(dense ? static_cast<size_t>(d.ph) * d.Wcc() * Co : 0);
  // w transposed to [Co][fh][fw*Ci]: a tap row of one output channel is contiguous
  std::vector<float> wT(io.dx ? static_cast<size_t>(Co) * d.fh * K : 0);
  if (io.dx)
    for (int kh = 0; kh < d.fh; kh++)
      for (int t = 0; t < K; t++)
        for (int c = 0; c < Co; c++) wT[(static_cast<size_t>(c) * d.fh + kh) * K + t] = io.w[(static_cast<size_t>(kh) * K + t) * Co + c];
  for (int b = b0; b < b1; b++) {
    float* gb = g.data();
    const size_t base = perB * b;
    for (size_t e = 0; e < perB; e += Co)
      for (int c = 0; c < Co; c++) {
        const float v = io.y[base + e + c] > 0.0f ? io.dy[base + e + c] : 0.0f;
        gb[e + c] = v;
        db[c] += v;
      }
    padInput(d, io.x, b, xp.data());
    if (dense) filterGradDense<NV>(d, xp.data(), gb, io.argmax + base, dw, gband.data());
    if (io.dx) std::fill(dxp.begin(), dxp.end(), 0.0f);
    if (!dense || io.dx) {
      for (int oi = 0; oi < OH; oi++)
        for (int oj = 0; oj < OW; oj++) {
          const size_t o = (static_cast<size_t>(oi) * OW + oj) * Co;
          for (int c = 0; c < Co; c++) {
            const float gv = gb[o + c];
            if (gv == 0.0f) continue;
            const int k = io.argmax[base + o + c];
            const int i = oi * d.ph + k / d.pw, j = oj * d.pw + k % d.pw;
            for (int kh = 0; kh < d.fh; kh++) {
              const size_t at = (static_cast<size_t>(i + kh) * Wp + j) * Ci;
              const size_t wt = (static_cast<size_t>(c) * d.fh + kh) * K;
              if (!dense) {
                const float* xr = xp.data() + at;
                float* dr = dwT + wt;
                for (int t = 0; t < K; t++) dr[t] += gv * xr[t];
              }
              if (io.dx) {
                const float* wr = wT.data() + wt;
                float* dr = dxp.data() + at;
                for (int t = 0; t < K; t++) dr[t] += gv * wr[t];
              }
            }
          }
        }
    }
    if (io.dx)
      for (int i = 0; i < d.H; i++)
        std::memcpy(io.dx + ((static_cast<size_t>(b) * d.H + i) * d.W) * Ci,
                    dxp.data() + (static_cast<size_t>(i + d.pt) * Wp + d.pl) * Ci, sizeof(float) * d.W * Ci);
  }
  if (!dense)
    for (int c = 0; c < Co; c++)
      for (int kh = 0; kh < d.fh; kh++)
        for (int t = 0; t < K; t++) dw[(static_cast<size_t>(kh) * K + t) * Co + c] += dwT[(static_cast<size_t>(c) * d.fh + kh) * K + t];
}

// How many batch ranges the kernels split a call into (one per thread, at most one per example).
int batchParts(const Dims& d) { return std::max(1, std::min(d.threads, d.B)); }

// Runs fn(b0, b1, part) over the batchParts(d) batch ranges in parallel (parallelFor).
template <typename Fn>
void parallelBatches(const Dims& d, Fn fn) {
  const int n = batchParts(d);
  parallelFor(n, [&](int t) { fn(d.B * t / n, d.B * (t + 1) / n, t); });
}

template <int NV>
void forward(const Dims& d, const float* x, const float* w, const float* bias, float* y, uint8_t* argmax) {
  parallelBatches(d, [&](int b0, int b1, int) { forwardRange<NV>(d, x, w, bias, y, argmax, b0, b1); });
}

template <int NV>
void backward(const Dims& d, const Buffers& io) {
  const int n = batchParts(d);
  const size_t nw = static_cast<size_t>(d.fh) * d.fw * d.Ci * d.Co;
  // per-range partial sums, added in range order: the result does not depend on timing
  std::vector<float> dw(nw * n, 0.0f), dwT(nw * n, 0.0f), db(static_cast<size_t>(d.Co) * n, 0.0f);
  parallelBatches(d, [&](int b0, int b1, int t) { backwardRange<NV>(d, io, dw.data() + nw * t, dwT.data() + nw * t, db.data() + d.Co * t, b0, b1); });
  for (size_t e = 0; e < nw; e++) {
    float s = 0;
    for (int t = 0; t < n; t++) s += dw[nw * t + e];
    io.dw[e] = s;
  }
  for (int c = 0; c < d.Co; c++) {
    float s = 0;
    for (int t = 0; t < n; t++) s += db[static_cast<size_t>(d.Co) * t + c];
    io.db[c] = s;
  }
}

#define SER_DISPATCH_NV(nv, call)       \
  switch (nv) {                         \
    case 1: call(1); break;             \
    case 2: call(2); break;             \
    case 3: call(3); break;             \
    case 4: call(4); break;             \
    case 5: call(5); break;             \
    case 6: call(6); break;             \
    case 7: call(7); break;             \
    case 8: call(8); break;             \
    default: break;                     \
  }

}  // namespace

void convPoolForward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y, uint8_t* argmax) {
#define SER_FWD(nv) forward<nv>(d, x, w, bias, y, argmax)
  SER_DISPATCH_NV(d.Co / 8, SER_FWD)
#undef SER_FWD
}

void convPoolBackward(const ConvDims& d, const ConvGrads& io) {
#define SER_BWD(nv) backward<nv>(d, io)
  SER_DISPATCH_NV(d.Co / 8, SER_BWD)
#undef SER_BWD
}

}  // namespace ser
