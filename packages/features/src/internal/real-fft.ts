/**
 * Power spectrum of a real nFft-point frame (nFft a power of two >= 4), float64 throughout:
 * |X[k]|^2 for k = 0 .. nFft / 2, X[k] = sum_n x[n] e^{-2 pi i k n / nFft}.
 *
 * Why not fft.js: its realTransform fills a 2 * nFft complex array that is then read half-way; here the
 * nFft real samples are packed as nFft / 2 complex ones z[n] = x[2n] + i x[2n+1], transformed with an
 * iterative radix-4 (one radix-2 stage first when log2(nFft / 2) is odd) complex FFT on split re/im arrays
 * with precomputed twiddles, and the one-sided spectrum is unpacked straight into |X|^2:
 * X[k] = E[k] + e^{-2 pi i k / nFft} O[k], E = (Z[k] + conj Z[M-k]) / 2, O = (Z[k] - conj Z[M-k]) / 2i.
 */
export class RealFft {
  readonly nFft: number;
  /** Complex working arrays of nFft / 2 points (the packed frame, then its transform). */
  readonly re: Float64Array;
  readonly im: Float64Array;
  private readonly m: number;
  private readonly rev: Int32Array;
  /** Per radix-4 stage s, for j < h: cos/sin of 2 pi j t / (4h) for t = 1, 2, 3 (6 numbers per j). */
  private readonly tw: Float64Array;
  private readonly twOffset: Int32Array;
  private readonly stages: Int32Array; // h of each radix-4 stage
  private readonly radix2First: boolean;
  /** cos / sin of 2 pi k / nFft for the unpacking, k = 0 .. nFft / 2. */
  private readonly uc: Float64Array;
  private readonly us: Float64Array;

  constructor(nFft: number) {
    if (!(nFft >= 4) || (nFft & (nFft - 1)) !== 0) throw new RangeError(`RealFft: nFft must be a power of two >= 4, got ${nFft}`);
    this.nFft = nFft;
    const m = nFft >> 1;
    this.m = m;
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    const bits = Math.round(Math.log2(m));
    this.rev = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.radix2First = bits % 2 === 1;
    const hs: number[] = [];
    for (let h = this.radix2First ? 2 : 1; 4 * h <= m; h *= 4) hs.push(h);
    this.stages = Int32Array.from(hs);
    this.twOffset = new Int32Array(hs.length);
    let total = 0;
    hs.forEach((h, s) => {
      this.twOffset[s] = total;
      total += 6 * h;
    });
    this.tw = new Float64Array(total);
    hs.forEach((h, s) => {
      const o = this.twOffset[s];
      for (let j = 0; j < h; j++) {
        for (let t = 1; t <= 3; t++) {
          const a = (2 * Math.PI * j * t) / (4 * h);
          this.tw[o + 6 * j + 2 * (t - 1)] = Math.cos(a);
          this.tw[o + 6 * j + 2 * (t - 1) + 1] = Math.sin(a);
        }
      }
    });
    this.uc = new Float64Array(m + 1);
    this.us = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.uc[k] = Math.cos((2 * Math.PI * k) / nFft);
      this.us[k] = Math.sin((2 * Math.PI * k) / nFft);
    }
  }

  /**
   * |X[k]|^2 (k = 0 .. nFft / 2) of the frame x[n] = signal[base + n] * window[n], n < nFft, written to
   * power[0 .. nFft / 2]. `window` has nFft entries (a shorter analysis window is zero-padded, as librosa's).
   */
  power(signal: Float64Array, base: number, window: Float64Array, power: Float64Array): void {
    const { re, im, rev, m } = this;
    // pack with bit reversal: z[n] = x[2n] + i x[2n + 1] goes to position rev[n]
    for (let n = 0; n < m; n++) {
      const i = 2 * n;
      const r = rev[n];
      re[r] = signal[base + i] * window[i];
      im[r] = signal[base + i + 1] * window[i + 1];
    }
    this.transformPacked();
    this.unpackPower(power);
  }

  /** The complex FFT of re/im in place; expects the input already in bit-reversed order. */
  transformPacked(): void {
    const { re, im, m, tw, twOffset, stages } = this;
    if (this.radix2First) {
      for (let i = 0; i < m; i += 2) {
        const ar = re[i];
        const ai = im[i];
        const br = re[i + 1];
        const bi = im[i + 1];
        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 1] = ar - br;
        im[i + 1] = ai - bi;
      }
    }
    let first = 0;
    if (!this.radix2First && stages.length > 0) {
      // the first radix-4 stage (h = 1) has only unit twiddles
      first = 1;
      for (let i0 = 0; i0 < m; i0 += 4) {
        const ar = re[i0];
        const ai = im[i0];
        const t2r = re[i0 + 1];
        const t2i = im[i0 + 1];
        const t1r = re[i0 + 2];
        const t1i = im[i0 + 2];
        const t3r = re[i0 + 3];
        const t3i = im[i0 + 3];
        const pr = ar + t2r;
        const pi = ai + t2i;
        const qr = ar - t2r;
        const qi = ai - t2i;
        const ur = t1r + t3r;
        const ui = t1i + t3i;
        const vr = t1r - t3r;
        const vi = t1i - t3i;
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
    for (let s = first; s < stages.length; s++) {
      const h = stages[s];
      const o = twOffset[s];
      const step = 4 * h;
      for (let g = 0; g < m; g += step) {
        for (let j = 0; j < h; j++) {
          const t = o + 6 * j;
          // blocks at 0, h, 2h, 3h hold the sub-DFTs of residues 0, 2, 1, 3 (bit-reversed order)
          const i0 = g + j;
          const i1 = i0 + h;
          const i2 = i1 + h;
          const i3 = i2 + h;
          const c1 = tw[t];
          const s1 = tw[t + 1];
          const c2 = tw[t + 2];
          const s2 = tw[t + 3];
          const c3 = tw[t + 4];
          const s3 = tw[t + 5];
          const ar = re[i0];
          const ai = im[i0];
          // W^t x with W = e^{-i a}: (xr cos + xi sin, xi cos - xr sin)
          let xr = re[i2];
          let xi = im[i2];
          const t1r = xr * c1 + xi * s1;
          const t1i = xi * c1 - xr * s1;
          xr = re[i1];
          xi = im[i1];
          const t2r = xr * c2 + xi * s2;
          const t2i = xi * c2 - xr * s2;
          xr = re[i3];
          xi = im[i3];
          const t3r = xr * c3 + xi * s3;
          const t3i = xi * c3 - xr * s3;
          const pr = ar + t2r;
          const pi = ai + t2i;
          const qr = ar - t2r;
          const qi = ai - t2i;
          const ur = t1r + t3r;
          const ui = t1i + t3i;
          const vr = t1r - t3r;
          const vi = t1i - t3i;
          re[i0] = pr + ur;
          im[i0] = pi + ui;
          re[i2] = pr - ur;
          im[i2] = pi - ui;
          // X[j + h] = q - i v, X[j + 3h] = q + i v
          re[i1] = qr + vi;
          im[i1] = qi - vr;
          re[i3] = qr - vi;
          im[i3] = qi + vr;
        }
      }
    }
  }

  private unpackPower(power: Float64Array): void {
    const { re, im, m, uc, us } = this;
    // k = 0 and k = M: X[0] = Re Z0 + Im Z0, X[M] = Re Z0 - Im Z0 (both real)
    const z0 = re[0] + im[0];
    const zm = re[0] - im[0];
    power[0] = z0 * z0;
    power[m] = zm * zm;
    // X[k] and X[M - k] share their inputs: with A = c Or + s Oi, B = c Oi - s Or (c, s of 2 pi k / nFft),
    // X[k] = (Er + A, Ei + B) and X[M - k] = (Er - A, B - Ei)
    const half = m >> 1;
    for (let k = 1; k < half; k++) {
      const ar = re[k];
      const ai = im[k];
      const br = re[m - k];
      const bi = im[m - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      const c = uc[k];
      const s = us[k];
      const a = c * or + s * oi;
      const b = c * oi - s * or;
      const xr = er + a;
      const xi = ei + b;
      const yr = er - a;
      const yi = b - ei;
      power[k] = xr * xr + xi * xi;
      power[m - k] = yr * yr + yi * yi;
    }
    {
      const k = half;
      const ar = re[k];
      const ai = im[k];
      const br = re[m - k];
      const bi = im[m - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      const xr = er + uc[k] * or + us[k] * oi;
      const xi = ei + uc[k] * oi - us[k] * or;
      power[k] = xr * xr + xi * xi;
    }
  }
}
