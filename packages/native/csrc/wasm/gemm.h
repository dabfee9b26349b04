// The wasm build's matMul (gemm.cc): C[M][N] = op(A) op(B), row-major, on the pool's threads.
#pragma once

namespace ser {

struct GemmDims {
  int M, N, K;
  int transA, transB;  // 1: A is stored [K][M], B [N][K]
  int threads;
};
inline const char* gemmDimsError(const GemmDims& g) {
  const bool bad = g.M < 1 || g.N < 1 || g.K < 0 || (g.transA != 0 && g.transA != 1) || (g.transB != 0 && g.transB != 1) || g.threads < 1;
  return bad ? "gemm dims out of range (M, N and threads at least 1, K at least 0, transA and transB 0 or 1)" : nullptr;
}
void gemm(const GemmDims& g, const float* a, const float* b, float* c);

}  // namespace ser
