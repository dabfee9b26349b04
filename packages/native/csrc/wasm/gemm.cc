// Single-precision matMul for the wasm engine: C[M][N] = op(A) op(B), op = transpose or not, on
// the pool's threads. tfjs-backend-wasm's own (XNNPACK) runs one thread in Node; the LSTM's input
// projection (3 matMuls of [2400 x 1024] x [1024 x 1024] per reference step) is most of its time.
//
// The GotoBLAS loop order with packing, sized for SIMD128 without FMA: a 6 x 8 register tile (12
// accumulators, 2 B vectors and a broadcast, within the 16 vector registers V8 gives wasm on x64),
// K in blocks of 256 (an A panel of 6 x 256 and a B panel of 256 x 8 stay in L1), M in blocks of 96.
// Each thread takes a range of columns (or of rows when the product is taller than wide) and packs
// its own panels; every element's sum runs over k in the same order whatever the threads, so the
// result does not depend on the thread count.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "../kernels.h"
#include "gemm.h"

namespace {

typedef float v4 __attribute__((vector_size(16)));
constexpr int MR = 6, NR = 8, KC = 256, MC = 96;

inline v4 load4(const float* p) {
  v4 v;
  __builtin_memcpy(&v, p, sizeof(v));
  return v;
}
inline void store4(float* p, v4 v) { __builtin_memcpy(p, &v, sizeof(v)); }

struct Matrix {
  const float* p;
  int rs, cs;  // element (r, c) at p[r * rs + c * cs]
  float at(int r, int c) const { return p[static_cast<size_t>(r) * rs + static_cast<size_t>(c) * cs]; }
};

// A rows [i0, i0 + mc) x k [k0, k0 + kc) into panels of MR rows: Ap[panel][k][MR], zero-padded.
void packA(const Matrix& A, int i0, int mc, int k0, int kc, float* Ap) {
  for (int ip = 0; ip < mc; ip += MR) {
    const int rows = std::min(MR, mc - ip);
    for (int k = 0; k < kc; k++) {
      float* dst = Ap + (static_cast<size_t>(ip / MR) * kc + k) * MR;
      for (int r = 0; r < rows; r++) dst[r] = A.at(i0 + ip + r, k0 + k);
      for (int r = rows; r < MR; r++) dst[r] = 0.0f;
    }
  }
}

// B k [k0, k0 + kc) x columns [j0, j0 + nc) into panels of NR columns: Bp[panel][k][NR], zero-padded.
void packB(const Matrix& B, int k0, int kc, int j0, int nc, float* Bp) {
  for (int jp = 0; jp < nc; jp += NR) {
    const int cols = std::min(NR, nc - jp);
    for (int k = 0; k < kc; k++) {
      float* dst = Bp + (static_cast<size_t>(jp / NR) * kc + k) * NR;
      if (cols == NR && B.cs == 1) {
        __builtin_memcpy(dst, B.p + static_cast<size_t>(k0 + k) * B.rs + j0 + jp, sizeof(float) * NR);
        continue;
      }
      for (int c = 0; c < cols; c++) dst[c] = B.at(k0 + k, j0 + jp + c);
      for (int c = cols; c < NR; c++) dst[c] = 0.0f;
    }
  }
}

// The MR x NR tile of Ap x Bp over kc; stored into C (first K block) or added to it, rows x cols of it.
void tile(int kc, const float* Ap, const float* Bp, float* C, int ldc, int rows, int cols, bool add) {
  v4 acc[MR][2] = {};
  for (int k = 0; k < kc; k++) {
    const v4 b0 = load4(Bp + k * NR), b1 = load4(Bp + k * NR + 4);
    const float* a = Ap + k * MR;
    for (int r = 0; r < MR; r++) {
      acc[r][0] += a[r] * b0;
      acc[r][1] += a[r] * b1;
    }
  }
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; r++) {
      float* c = C + static_cast<size_t>(r) * ldc;
      store4(c, add ? load4(c) + acc[r][0] : acc[r][0]);
      store4(c + 4, add ? load4(c + 4) + acc[r][1] : acc[r][1]);
    }
    return;
  }
  float t[MR][NR];
  for (int r = 0; r < MR; r++) {
    store4(t[r], acc[r][0]);
    store4(t[r] + 4, acc[r][1]);
  }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) C[static_cast<size_t>(r) * ldc + c] = add ? C[static_cast<size_t>(r) * ldc + c] + t[r][c] : t[r][c];
}

// C rows [i0, i1) x columns [j0, j1).
void gemmBlock(int K, const Matrix& A, const Matrix& B, float* C, int ldc, int i0, int i1, int j0, int j1) {
  const int nc = j1 - j0;
  if (nc <= 0 || i1 <= i0) return;
  std::vector<float> Bp(static_cast<size_t>((nc + NR - 1) / NR) * NR * KC), Ap(static_cast<size_t>(MC) * KC);
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = std::min(KC, K - k0);
    packB(B, k0, kc, j0, nc, Bp.data());
    for (int ic = i0; ic < i1; ic += MC) {
      const int mc = std::min(MC, i1 - ic);
      packA(A, ic, mc, k0, kc, Ap.data());
      for (int jp = 0; jp < nc; jp += NR)
        for (int ip = 0; ip < mc; ip += MR)
          tile(kc, Ap.data() + static_cast<size_t>(ip / MR) * kc * MR, Bp.data() + static_cast<size_t>(jp / NR) * kc * NR,
               C + static_cast<size_t>(ic + ip) * ldc + j0 + jp, ldc, std::min(MR, mc - ip), std::min(NR, nc - jp), k0 > 0);
    }
  }
}

}  // namespace

namespace ser {

void gemm(const GemmDims& g, const float* a, const float* b, float* c) {
  const int M = g.M, N = g.N, K = g.K;
  if (K == 0) {
    std::fill(c, c + static_cast<size_t>(M) * N, 0.0f);
    return;
  }
  // A is [M][K] (or [K][M] when transposed), B is [K][N] (or [N][K])
  const Matrix A{a, g.transA ? 1 : K, g.transA ? M : 1}, B{b, g.transB ? 1 : N, g.transB ? K : 1};
  const bool byColumns = N >= M;
  const int extent = byColumns ? N : M, unit = byColumns ? NR : MR;
  const int parts = std::max(1, std::min(g.threads, (extent + unit - 1) / unit));
  parallelFor(parts, [&](int p) {
    // part bounds on multiples of the tile
    const int units = (extent + unit - 1) / unit;
    const int lo = std::min(extent, units * p / parts * unit), hi = std::min(extent, units * (p + 1) / parts * unit);
    if (byColumns)
      gemmBlock(K, A, B, c, N, 0, M, lo, hi);
    else
      gemmBlock(K, A, B, c, N, lo, hi, 0, N);
  });
}

}  // namespace ser
