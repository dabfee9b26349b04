// The framework's native kernels: shared vector helpers and the kernels' entry points (addon.cc
// exposes them to JS through N-API). GCC/Clang vector extensions: 8 float lanes, AVX2 + FMA when
// tools/build-native.mjs finds them, plain SSE/NEON code otherwise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ser {

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
/** Returns the largest value written. */
double spectrogramFrames(const SpectrogramDims& d, const SpectrogramIo& io);

}  // namespace ser
