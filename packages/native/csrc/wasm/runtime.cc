// The kernels' WebAssembly build (tools/build-wasm.mjs): the C ABI that packages/native/src/wasm.ts
// calls, a thread-safe heap, and parallelRun (kernels.h) on a pool of worker threads.
//
// Threads: one module, one shared memory, one instance per thread (the JS main thread's and one
// per worker_threads Worker, each with its own stack). Workers sit in ser_worker_main, asleep on
// `ticket` until parallelRun publishes a job; the caller runs parts too and sleeps on `done` until
// the last part ends. A job's parts are claimed one at a time by compare-and-swap on `ticket`
// (generation << 8 | next part), so a worker that wakes late can never claim a part of a newer job
// by mistake. Before the workers are up the caller simply runs every part itself.
#include <atomic>
#include <cstdint>
#include <new>

#include "../kernels.h"
#include "gemm.h"

#define SER_EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace {

// ---- heap ----
// wasi-libc's malloc is built without atomics, so it cannot link into a shared memory. This one is
// small and enough for the kernels' pattern (a few buffers per call, freed at its end): blocks of
// power-of-two sizes, kept on a free list per size when freed, taken from the top of the memory
// (grown as needed) otherwise. One spin lock makes it safe from every thread.
extern "C" unsigned char __heap_base;
constexpr int kClasses = 33;
constexpr uintptr_t kHeader = 16;  // keeps blocks 16-byte aligned; holds the block's class
std::atomic_flag heapLock = ATOMIC_FLAG_INIT;
uintptr_t heapTop = 0;
void* freeLists[kClasses] = {};

struct HeapGuard {
  HeapGuard() {
    while (heapLock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~HeapGuard() { heapLock.clear(std::memory_order_release); }
};

void* lockedAlloc(size_t n) {
  int c = 4;
  while ((uintptr_t{1} << c) < n + kHeader) c++;
  if (c >= kClasses) return nullptr;
  HeapGuard g;
  uintptr_t block;
  if (freeLists[c]) {
    block = reinterpret_cast<uintptr_t>(freeLists[c]);
    freeLists[c] = *reinterpret_cast<void**>(block + kHeader);
  } else {
    if (!heapTop) heapTop = (reinterpret_cast<uintptr_t>(&__heap_base) + 15) & ~uintptr_t{15};
    const uint64_t end = static_cast<uint64_t>(heapTop) + (uint64_t{1} << c);
    const uint64_t have = static_cast<uint64_t>(__builtin_wasm_memory_size(0)) << 16;
    if (end > have && __builtin_wasm_memory_grow(0, static_cast<size_t>((end - have + 65535) >> 16)) == static_cast<size_t>(-1)) return nullptr;
    block = heapTop;
    heapTop = static_cast<uintptr_t>(end);
  }
  *reinterpret_cast<int*>(block) = c;
  return reinterpret_cast<void*>(block + kHeader);
}

void lockedFree(void* p) {
  if (!p) return;
  const uintptr_t block = reinterpret_cast<uintptr_t>(p) - kHeader;
  const int c = *reinterpret_cast<int*>(block);
  HeapGuard g;
  *reinterpret_cast<void**>(p) = freeLists[c];
  freeLists[c] = reinterpret_cast<void*>(block);
}

// ---- the worker pool ----
constexpr uint32_t kPartBits = 8;
constexpr int kMaxParts = (1 << kPartBits) - 1;  // per job; parallelRun splits a larger n into jobs
struct Pool {
  std::atomic<uint32_t> ticket{0};  // generation << kPartBits | next unclaimed part
  std::atomic<uint32_t> done{0};    // parts finished in the current job
  void (*fn)(void*, int) = nullptr;
  void* ctx = nullptr;
  uint32_t parts = 0;
  int first = 0;  // part p of the job is fn's index first + p
  std::atomic<uint32_t> failed{0};  // a worker trapped in a part (ser_worker_failed)
};
Pool pool;

int32_t* addr(std::atomic<uint32_t>* a) { return reinterpret_cast<int32_t*>(a); }

// Claims and runs parts of job `gen` until none is left.
void runParts(uint32_t gen) {
  for (;;) {
    uint32_t t = pool.ticket.load();
    if ((t >> kPartBits) != gen || (t & ((1u << kPartBits) - 1)) >= pool.parts) return;
    if (!pool.ticket.compare_exchange_weak(t, t + 1)) continue;
    // the job cannot end (and be replaced) before this part is done, so fn and ctx are its own
    pool.fn(pool.ctx, pool.first + static_cast<int>(t & ((1u << kPartBits) - 1)));
    if (pool.done.fetch_add(1) + 1 == pool.parts) __builtin_wasm_memory_atomic_notify(addr(&pool.done), 1);
  }
}

}  // namespace

// what std::vector calls on an impossible size (no exceptions here): a trap, which JS sees as a RuntimeError
extern "C" void abort() { __builtin_trap(); }

// no exceptions here: a failed allocation traps rather than hand std::vector a null pointer
void* operator new(size_t n) {
  void* p = lockedAlloc(n);
  if (!p) __builtin_trap();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { lockedFree(p); }
void operator delete[](void* p) noexcept { lockedFree(p); }
void operator delete(void* p, size_t) noexcept { lockedFree(p); }
void operator delete[](void* p, size_t) noexcept { lockedFree(p); }

namespace ser {

void parallelRun(int n, void (*fn)(void*, int), void* ctx) {
  for (int first = 0; first < n; first += kMaxParts) {  // kernels ask for at most `threads` parts: one job
    pool.fn = fn;
    pool.ctx = ctx;
    pool.first = first;
    pool.parts = static_cast<uint32_t>(n - first < kMaxParts ? n - first : kMaxParts);
    pool.done.store(0);
    const uint32_t gen = ((pool.ticket.load() >> kPartBits) + 1) & ((1u << (32 - kPartBits)) - 1);
    pool.ticket.store(gen << kPartBits);  // publishes the fields above to the workers
    __builtin_wasm_memory_atomic_notify(addr(&pool.ticket), 0xffffffffu);
    runParts(gen);
    for (uint32_t d; (d = pool.done.load()) < pool.parts;) __builtin_wasm_memory_atomic_wait32(addr(&pool.done), static_cast<int32_t>(d), -1);
  }
}

}  // namespace ser

// ---- the C ABI (packages/native/src/wasm.ts); pointers are offsets in the shared memory ----

// Bumped with any change to an export's arguments; wasm.ts checks it.
SER_EXPORT(ser_api_version) int32_t serApiVersion() { return 5; }

SER_EXPORT(ser_alloc) void* serAlloc(uint32_t bytes) { return lockedAlloc(bytes); }
SER_EXPORT(ser_free) void serFree(void* p) { lockedFree(p); }

// Called by a worker's JS when the module trapped in it (inside a part: the pool loop itself cannot
// trap): counts that part as ended, so the caller does not wait for it forever, and marks the job failed.
SER_EXPORT(ser_worker_failed) void serWorkerFailed() {
  pool.failed.store(1);
  pool.done.fetch_add(1);
  __builtin_wasm_memory_atomic_notify(addr(&pool.done), 1);
}

// A worker thread's loop: never returns.
SER_EXPORT(ser_worker_main) void serWorkerMain() {
  for (;;) {
    const uint32_t t = pool.ticket.load();
    runParts(t >> kPartBits);
    const uint32_t now = pool.ticket.load();
    if ((now >> kPartBits) == (t >> kPartBits)) __builtin_wasm_memory_atomic_wait32(addr(&pool.ticket), static_cast<int32_t>(now), -1);
  }
}

// nullptr, or why the last kernel's results are void (then its worker is gone; the others go on)
const char* workerFailure() {
  return pool.failed.exchange(0) ? "a worker thread trapped inside this kernel (out of memory?); its results are void" : nullptr;
}

// Each returns nullptr, or why the dims cannot run or the kernel failed (a C string in the memory).
SER_EXPORT(ser_conv_forward) const char* serConvForward(const int32_t* p, const float* x, const float* w, const float* bias, float* y, uint8_t* argmax) {
  const ser::ConvDims d{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
  if (const char* err = ser::convDimsError(d)) return err;
  ser::convPoolForward(d, x, w, bias, y, argmax);
  return workerFailure();
}

SER_EXPORT(ser_conv_backward)
const char* serConvBackward(const int32_t* p, const float* x, const float* w, const float* y, const uint8_t* argmax, const float* dy, float* dx, float* dw, float* db) {
  const ser::ConvDims d{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
  if (const char* err = ser::convDimsError(d)) return err;
  ser::convPoolBackward(d, ser::ConvGrads{x, w, y, dy, argmax, dx, dw, db});
  return workerFailure();
}

SER_EXPORT(ser_lstm_forward)
const char* serLstmForward(const int32_t* p, const float* proj, const float* U, const float* mask, float* hs, float* act, float* tc, float* cs, float* y) {
  const ser::LstmDims s{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  if (const char* err = ser::lstmDimsError(s)) return err;
  ser::LstmIo io{};
  io.proj = proj, io.U = U, io.mask = mask, io.hs = hs, io.act = act, io.tc = tc, io.cs = cs, io.y = y;
  ser::lstmForward(s, io);
  return workerFailure();
}

SER_EXPORT(ser_lstm_backward)
const char* serLstmBackward(const int32_t* p, const float* U, const float* mask, float* hs, float* act, float* tc, float* cs, const float* dhs, float* dproj, float* dU) {
  const ser::LstmDims s{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  if (const char* err = ser::lstmDimsError(s)) return err;
  ser::LstmIo io{};
  io.U = U, io.mask = mask, io.hs = hs, io.act = act, io.tc = tc, io.cs = cs, io.dhs = dhs, io.dproj = dproj, io.dU = dU;
  ser::lstmBackward(s, io);
  return workerFailure();
}

// dims [frames, hop, nFft, nMels, magnitude, compress, threads], scalars [logScale, floor]; rows into
// out64 or out32 (the other null), the largest value into *maxOut. wasm.ts has checked the lengths.
SER_EXPORT(ser_spectrogram)
const char* serSpectrogram(const int32_t* p, const double* scalars, const double* signal, const double* window, const int32_t* melStart, const int32_t* melCount,
                           const int32_t* melOffset, const double* melWeights, double* out64, float* out32, double* maxOut) {
  const ser::SpectrogramDims d{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  if (const char* err = ser::spectrogramDimsError(d)) return err;
  ser::SpectrogramIo io{};
  io.signal = signal, io.window = window, io.melStart = melStart, io.melCount = melCount, io.melOffset = melOffset, io.melWeights = melWeights;
  io.logScale = scalars[0], io.floor = scalars[1], io.out = out64, io.out32 = out32;
  *maxOut = ser::spectrogramFrames(d, io);
  return workerFailure();
}

// C = op(A) op(B); dims [M, N, K, transA, transB, threads]
SER_EXPORT(ser_gemm) const char* serGemm(const int32_t* p, const float* a, const float* b, float* c) {
  const ser::GemmDims g{p[0], p[1], p[2], p[3], p[4], p[5]};
  if (const char* err = ser::gemmDimsError(g)) return err;
  ser::gemm(g, a, b, c);
  return workerFailure();
}
