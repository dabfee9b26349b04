/**
 * A window of `length` samples: hamming w[n] = 0.54 - 0.46 cos(2 pi n / D), hann w[n] = 0.5 - 0.5 cos(2 pi n / D),
 * with D = length when periodic (scipy get_window fftbins=True, what librosa uses) or length - 1 when symmetric.
 */
export function makeWindow(kind: 'hamming' | 'hann', length: number, periodic = true): Float64Array {
  const w = new Float64Array(length);
  const a = kind === 'hamming' ? 0.54 : 0.5;
  const d = periodic ? length : length - 1;
  if (length === 1) {
    w[0] = 1;
    return w;
  }
  for (let n = 0; n < length; n++) w[n] = a - (1 - a) * Math.cos((2 * Math.PI * n) / d);
  return w;
}
