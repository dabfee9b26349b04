/**
 * The orthonormal DCT-II as a [nOut, n] matrix (row-major), like scipy.fft.dct(type=2, norm='ortho'):
 * X[k] = s(k) * sum_n x[n] cos(pi k (2n + 1) / (2N)), s(0) = sqrt(1 / N), s(k > 0) = sqrt(2 / N).
 */
export function dctMatrix(n: number, nOut: number): Float64Array {
  const m = new Float64Array(nOut * n);
  for (let k = 0; k < nOut; k++) {
    const s = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) m[k * n + i] = s * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  return m;
}
