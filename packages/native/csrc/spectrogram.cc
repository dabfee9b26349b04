// Spectrogram frames: per frame, window -> real FFT -> |X|^2 (or |X|) -> Mel weights (optional) ->
// log compression with a floor; frames split over threads. The same algorithm, in float64, as
// packages/features/src/internal/real-fft.ts and extractFeatures' frame loop (the JS form machines
// without the addon run): the nFft real samples packed as nFft/2 complex ones, an iterative radix-4
// complex FFT (one radix-2 stage first when log2(nFft/2) is odd), the one-sided spectrum unpacked.
#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ser {
namespace {

class RealFft {
 public:
  explicit RealFft(int nFft) : m_(nFft / 2), re_(m_), im_(m_), rev_(m_), uc_(m_ + 1), us_(m_ + 1) {
    int bits = 0;
    while ((1 << bits) < m_) bits++;
    for (int i = 0; i < m_; i++) {
      int r = 0;
      for (int b = 0; b < bits; b++)
        if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      rev_[i] = r;
    }
    radix2First_ = bits % 2 == 1;
    for (int h = radix2First_ ? 2 : 1; 4 * h <= m_; h *= 4) {
      stages_.push_back(h);
      offsets_.push_back(static_cast<int>(tw_.size()));
      for (int j = 0; j < h; j++)
        for (int t = 1; t <= 3; t++) {
          const double a = (2 * M_PI * j * t) / (4.0 * h);
          tw_.push_back(std::cos(a));
          tw_.push_back(std::sin(a));
        }
    }
    for (int k = 0; k <= m_; k++) {
      uc_[k] = std::cos((2 * M_PI * k) / nFft);
      us_[k] = std::sin((2 * M_PI * k) / nFft);
    }
  }

  // power[0 .. nFft/2] = |X[k]|^2 of signal[0 .. nFft) * window
  void power(const double* signal, const double* window, double* power) {
    for (int n = 0; n < m_; n++) {
      const int r = rev_[n];
      re_[r] = signal[2 * n] * window[2 * n];
      im_[r] = signal[2 * n + 1] * window[2 * n + 1];
    }
    transform();
    unpack(power);
  }

 private:
  void transform() {
    double* re = re_.data();
    double* im = im_.data();
    const int m = m_;
    if (radix2First_)
      for (int i = 0; i < m; i += 2) {
        const double ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 1] = ar - br;
        im[i + 1] = ai - bi;
      }
    size_t first = 0;
    if (!radix2First_ && !stages_.empty()) {
      first = 1;
      for (int i0 = 0; i0 < m; i0 += 4) {
        const double ar = re[i0], ai = im[i0], t2r = re[i0 + 1], t2i = im[i0 + 1];
        const double t1r = re[i0 + 2], t1i = im[i0 + 2], t3r = re[i0 + 3], t3i = im[i0 + 3];
        const double pr = ar + t2r, pi = ai + t2i, qr = ar - t2r, qi = ai - t2i;
        const double ur = t1r + t3r, ui = t1i + t3i, vr = t1r - t3r, vi = t1i - t3i;
        re[i0] = pr + ur;
        im[i0] = pi + ui;
        re[i0 + 2] = pr - ur;
        im[i0 + 2] = pi - ui;
        re[i0 + 1] = qr + vi;
        im[i0 + 1] = qi - vr;
        re[i0 + 3] = qr - vi;
        im[i0 + 3] = qi + vr;
      }
    }
    for (size_t s = first; s < stages_.size(); s++) {
      const int h = stages_[s], step = 4 * h;
      const double* tw = tw_.data() + offsets_[s];
      for (int g = 0; g < m; g += step)
        for (int j = 0; j < h; j++) {
          const double* w = tw + 6 * j;
          const int i0 = g + j, i1 = i0 + h, i2 = i1 + h, i3 = i2 + h;
          const double ar = re[i0], ai = im[i0];
          // W^t x with W = e^{-i a}: (xr cos + xi sin, xi cos - xr sin)
          const double t1r = re[i2] * w[0] + im[i2] * w[1], t1i = im[i2] * w[0] - re[i2] * w[1];
          const double t2r = re[i1] * w[2] + im[i1] * w[3], t2i = im[i1] * w[2] - re[i1] * w[3];
          const double t3r = re[i3] * w[4] + im[i3] * w[5], t3i = im[i3] * w[4] - re[i3] * w[5];
          const double pr = ar + t2r, pi = ai + t2i, qr = ar - t2r, qi = ai - t2i;
          const double ur = t1r + t3r, ui = t1i + t3i, vr = t1r - t3r, vi = t1i - t3i;
          re[i0] = pr + ur;
          im[i0] = pi + ui;
          re[i2] = pr - ur;
          im[i2] = pi - ui;
          re[i1] = qr + vi;
          im[i1] = qi - vr;
          re[i3] = qr - vi;
          im[i3] = qi + vr;
        }
    }
  }

  void unpack(double* power) const {
    const double* re = re_.data();
    const double* im = im_.data();
    const int m = m_, half = m / 2;
    const double z0 = re[0] + im[0], zm = re[0] - im[0];
    power[0] = z0 * z0;
    power[m] = zm * zm;
    for (int k = 1; k < half; k++) {
      const double ar = re[k], ai = im[k], br = re[m - k], bi = im[m - k];
      const double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi), orr = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
      const double c = uc_[k], s = us_[k];
      const double a = c * orr + s * oi, b = c * oi - s * orr;
      const double xr = er + a, xi = ei + b, yr = er - a, yi = b - ei;
      power[k] = xr * xr + xi * xi;
      power[m - k] = yr * yr + yi * yi;
    }
    const int k = half;
    const double ar = re[k], ai = im[k], br = re[m - k], bi = im[m - k];
    const double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi), orr = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
    const double xr = er + uc_[k] * orr + us_[k] * oi, xi = ei + uc_[k] * oi - us_[k] * orr;
    power[k] = xr * xr + xi * xi;
  }

  int m_;
  std::vector<double> re_, im_;
  std::vector<int> rev_;
  std::vector<double> uc_, us_, tw_;
  std::vector<int> stages_, offsets_;
  bool radix2First_ = false;
};

// Frames [f0, f1) into out (float64 or float32 rows); returns their largest value.
template <typename Out>
double framesRange(const SpectrogramDims& d, const SpectrogramIo& io, Out* out, int f0, int f1) {
  RealFft fft(d.nFft);
  const int nFreqs = d.nFft / 2 + 1, bins = d.nMels > 0 ? d.nMels : nFreqs;
  std::vector<double> power(nFreqs);
  double maxValue = -INFINITY;
  for (int t = f0; t < f1; t++) {
    fft.power(io.signal + static_cast<size_t>(t) * d.hop, io.window, power.data());
    if (d.magnitude)
      for (int k = 0; k < nFreqs; k++) power[k] = std::sqrt(power[k]);
    Out* row = out + static_cast<size_t>(t) * bins;
    for (int b = 0; b < bins; b++) {
      double s;
      if (d.nMels > 0) {
        s = 0;
        const double* w = io.melWeights + io.melOffset[b];
        const double* p = power.data() + io.melStart[b];
        for (int j = 0; j < io.melCount[b]; j++) s += w[j] * p[j];
      } else {
        s = power[b];
      }
      const double v = d.compress ? io.logScale * std::log(s > io.floor ? s : io.floor) : s;
      row[b] = static_cast<Out>(v);
      if (v > maxValue) maxValue = v;
    }
  }
  return maxValue;
}

// Runs range(f0, f1) over the frames on up to d.threads threads (one per at least 64 frames: below
// that, starting a thread costs more than it saves); returns the largest of their maxima.
template <typename Range>
double spread(const SpectrogramDims& d, Range range) {
  const int n = std::max(1, std::min(d.threads, d.frames / 64));
  std::vector<double> maxes(n, -INFINITY);
  auto bound = [&](int t) { return static_cast<int>(static_cast<long>(d.frames) * t / n); };
  parallelFor(n, [&](int t) { maxes[t] = range(bound(t), bound(t + 1)); });
  return *std::max_element(maxes.begin(), maxes.end());
}

}  // namespace

double spectrogramFrames(const SpectrogramDims& d, const SpectrogramIo& io) {
  if (io.out32) return spread(d, [&](int f0, int f1) { return framesRange(d, io, io.out32, f0, f1); });
  return spread(d, [&](int f0, int f1) { return framesRange(d, io, io.out, f0, f1); });
}

}  // namespace ser
