// The framework's native kernels: shared vector helpers and the kernels' entry points (addon.cc
// exposes them to JS through N-API). GCC/Clang vector extensions: 8 float lanes, AVX2 + FMA when
// tools/build-native.mjs finds them, plain SSE/NEON code otherwise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ser {

// Runs fn(ctx, i) for every i in [0, n), i = 0 on the calling thread and the rest on others; returns
// when all are done. parallel.cc does it with std::thread, wasm/runtime.cc with its worker pool.
// Kernels make their results depend on i only (never on which thread ran it), so they are
// bit-identical however the pool schedules them.
void parallelRun(int n, void (*fn)(void*, int), void* ctx);

template <typename Fn>
void parallelFor(int n, Fn&& fn) {
  if (n <= 1) {
    if (n == 1) fn(0);
    return;
  }
  using F = std::remove_reference_t<Fn>;
  parallelRun(n, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &fn);
}

typedef float v8 __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof(v)); }

// ---- conv_pool.cc: y = relu(maxPool(conv2d(pad(x), w)) + bias), NHWC ----
struct ConvDims {
  int B, H, W, Ci, Co, fh, fw, pt, pb, pl, pr, ph, pw, threads;
  int Hp() const { return H + pt + pb; }
  int Wp() const { return W + pl + pr; }
  int OH() const { return (Hp() - fh + 1) / ph; }
  int OW() const { return (Wp() - fw + 1) / pw; }
  int Wcc() const { return OW() * pw; }  // conv columns that land in a full window
};
struct ConvGrads {
  const float *x, *w, *y, *dy;
  const uint8_t* argmax;
  float *dx, *dw, *db;  // dx may be null
};
/** Why d cannot run (nullptr when it can): the glue checks this before calling a kernel. */
inline const char* convDimsError(const ConvDims& d) {
  const bool bad = d.B < 1 || d.H < 1 || d.W < 1 || d.Ci < 1 || d.Co < 8 || d.Co % 8 != 0 || d.Co > 64 || d.fh < 1 || d.fw < 1 || d.pt < 0 ||
                   d.pb < 0 || d.pl < 0 || d.pr < 0 || d.ph < 1 || d.pw < 1 || d.ph * d.pw > 255 || d.threads < 1 || d.OH() < 1 || d.OW() < 1;
  return bad ? "conv dims out of range (Co a multiple of 8 up to 64, pooling window of at most 255, at least one pooled output)" : nullptr;
}
void convPoolForward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y, uint8_t* argmax);
void convPoolBackward(const ConvDims& d, const ConvGrads& io);

// ---- lstm.cc: the LSTM recurrence for D stacked directions ----
struct LstmDims {
  int T, D, B, H;
  int reverse;     // bit d: direction d runs from the last frame to the first
  int batchMajor;  // 1: proj [B][T][D][4H], mask [B][T], output y [B][T][D][H]; 0: step-major
  int threads;
};
struct LstmIo {
  const float *proj, *U, *mask;  // mask may be null
  float *hs, *act, *tc, *cs;     // written by lstmForward, read by lstmBackward
  float* y;                      // batchMajor: mask * h, written by lstmForward
  const float* dhs;              // the gradient of hs (step-major) or of y (batchMajor)
  float *dproj, *dU;
};
inline const char* lstmDimsError(const LstmDims& s) {
  const bool bad = s.T < 1 || s.D < 1 || s.D > 30 || s.B < 1 || s.H < 1 || s.threads < 1 || (s.batchMajor != 0 && s.batchMajor != 1);
  return bad ? "lstm dims out of range (T, B, H and threads at least 1, D 1 to 30, batchMajor 0 or 1)" : nullptr;
}
void lstmForward(const LstmDims& s, const LstmIo& io);
void lstmBackward(const LstmDims& s, const LstmIo& io);

// ---- spectrogram.cc: spectrogram frames (window, real FFT, power, Mel, log) ----
struct SpectrogramDims {
  int frames, hop, nFft;
  int nMels;      // 0: the linear-frequency spectrum (nFft/2 + 1 bins)
  int magnitude;  // 1: |X|, 0: |X|^2
  int compress;   // 1: logScale * ln(max(floor, v))
  int threads;
};
struct SpectrogramIo {
  const double *signal, *window;  // signal: frame t starts at t * hop; window: nFft values
  const int32_t *melStart, *melCount, *melOffset;  // sparse Mel rows (nMels > 0)
  const double* melWeights;
  double logScale, floor;
  double* out;   // [frames][bins], or null when out32 is given
  float* out32;  // the same rows in float32
};
inline const char* spectrogramDimsError(const SpectrogramDims& d) {
  const bool bad = d.frames < 1 || d.hop < 1 || d.nFft < 4 || (d.nFft & (d.nFft - 1)) != 0 || d.nMels < 0 || d.threads < 1;
  return bad ? "spectrogram dims out of range (frames, hop at least 1, nFft a power of two >= 4)" : nullptr;
}
/** Returns the largest value written. */
double spectrogramFrames(const SpectrogramDims& d, const SpectrogramIo& io);

}  // namespace ser
