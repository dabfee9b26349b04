// parallelRun (kernels.h) on std::threads for the native addon: one thread per part beyond the
// first, which runs on the caller's thread. The wasm build has its own (wasm/runtime.cc).
#ifndef __wasm__
#include <thread>
#include <vector>

#include "kernels.h"

namespace ser {

void parallelRun(int n, void (*fn)(void*, int), void* ctx) {
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (int i = 1; i < n; i++) pool.emplace_back(fn, ctx, i);
  fn(ctx, 0);
  for (auto& t : pool) t.join();
}

}  // namespace ser
#endif
