import { describe, expect, it } from 'vitest';
import { RealFft } from './real-fft.js';

/** |X[k]|^2 by the O(n^2) definition, in float64. */
function naivePower(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      im -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe('RealFft.power', () => {
  // 4, 8 (radix-2 first stage), 16, 512, 1024: both stage layouts, small and the sizes in use
  it.each([4, 8, 16, 32, 512, 1024])('matches the DFT definition for nFft = %i', (n) => {
    let seed = 12345 + n;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const signal = Float64Array.from({ length: n + 7 }, rand);
    const window = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    const frame = Float64Array.from({ length: n }, (_, i) => signal[3 + i] * window[i]);
    const want = naivePower(frame);
    const got = new Float64Array(n / 2 + 1);
    new RealFft(n).power(signal, 3, window, got);
    let scale = 0;
    for (const v of want) scale = Math.max(scale, v);
    for (let k = 0; k <= n / 2; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-12 * scale * n);
  });

  it('puts a cosine at its bin, with nothing elsewhere', () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * 5 * i) / n));
    const got = new Float64Array(n / 2 + 1);
    new RealFft(n).power(x, 0, new Float64Array(n).fill(1), got);
    expect(got[5]).toBeCloseTo((n / 2) ** 2, 6);
    for (let k = 0; k <= n / 2; k++) if (k !== 5) expect(got[k]).toBeLessThan(1e-18 * n * n + 1e-20);
  });

  it('rejects a size that is not a power of two', () => {
    expect(() => new RealFft(12)).toThrow(/power of two/);
  });
});
