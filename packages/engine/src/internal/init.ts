// Seeded weight initialisers (Keras defaults) so a model is reproducible from its seed alone.
import { Rng } from '@ser/core';

/**
 * Glorot-uniform values (Keras' default kernel initialiser): U(-l, l), l = sqrt(6 / (fanIn + fanOut)).
 * `size` values (default fanIn * fanOut, a [fanIn, fanOut] matrix; a conv kernel passes its own size).
 */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number, size = fanIn * fanOut): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/**
 * An orthogonal [rows, cols] matrix (rows <= cols: orthonormal rows), as Keras' 'orthogonal'
 * initialiser gives recurrent kernels; Gram-Schmidt on normal draws.
 */
export function orthogonal(rng: Rng, rows: number, cols: number): Float32Array {
  const transposed = rows > cols;
  const r = transposed ? cols : rows;
  const c = transposed ? rows : cols;
  const m = new Float64Array(r * c);
  for (let i = 0; i < m.length; i++) m[i] = rng.normal();
  for (let i = 0; i < r; i++) {
    const row = m.subarray(i * c, (i + 1) * c);
    for (let j = 0; j < i; j++) {
      const prev = m.subarray(j * c, (j + 1) * c);
      let dot = 0;
      for (let k = 0; k < c; k++) dot += row[k] * prev[k];
      for (let k = 0; k < c; k++) row[k] -= dot * prev[k];
    }
    let norm = 0;
    for (let k = 0; k < c; k++) norm += row[k] * row[k];
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < c; k++) row[k] /= norm;
  }
  const out = new Float32Array(rows * cols);
  if (!transposed) out.set(m);
  else for (let i = 0; i < r; i++) for (let k = 0; k < c; k++) out[k * cols + i] = m[i * c + k];
  return out;
}
