// Runs the wasm build's matMul (packages/native/csrc/wasm/gemm.cc), compiled natively, on random
// shapes and transposes against the definition. Built and run by tools/native/asan.sh under
// AddressSanitizer, where any out-of-bounds access aborts with a report.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "wasm/gemm.h"

int main() {
  unsigned seed = 1;
  auto rnd = [&] { return (seed = seed * 1103515245u + 12345u) >> 8; };
  auto ri = [&](int a, int b) { return a + static_cast<int>(rnd() % static_cast<unsigned>(b - a + 1)); };
  for (int it = 0; it < 300; it++) {
    const ser::GemmDims g{ri(1, 70), ri(1, 70), ri(0, it % 10 == 0 ? 700 : 40), ri(0, 1), ri(0, 1), ri(1, 3)};
    std::vector<float> a(static_cast<size_t>(g.M) * g.K), b(static_cast<size_t>(g.K) * g.N), c(static_cast<size_t>(g.M) * g.N, NAN);
    for (auto& v : a) v = static_cast<float>(rnd() % 2001) / 1000.0f - 1.0f;
    for (auto& v : b) v = static_cast<float>(rnd() % 2001) / 1000.0f - 1.0f;
    ser::gemm(g, a.data(), b.data(), c.data());
    for (int i = 0; i < g.M; i++)
      for (int j = 0; j < g.N; j++) {
        double s = 0;
        for (int k = 0; k < g.K; k++) s += double(g.transA ? a[k * g.M + i] : a[i * g.K + k]) * (g.transB ? b[j * g.K + k] : b[k * g.N + j]);
        if (!(std::fabs(c[i * g.N + j] - s) <= 1e-4 * std::sqrt(g.K + 1.0))) {
          std::printf("gemm M %d N %d K %d transA %d transB %d: c[%d][%d] = %g, expected %g\n", g.M, g.N, g.K, g.transA, g.transB, i, j, c[i * g.N + j], s);
          return 1;
        }
      }
  }
  std::puts("gemm-fuzz: 300 random products equal the definition without a fault");
  return 0;
}
