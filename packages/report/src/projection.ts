import { Rng, SerError } from '@ser/core';
import { UMAP } from 'umap-js';

/** A 2-D projection of embeddings, with extra points (the class centers) put through the same transform. */
export interface Projection2d {
  points: [number, number][];
  extra: [number, number][];
  /** PCA only: variance along each axis, and its share of the total variance. */
  variance?: [number, number];
  explained?: [number, number];
}

function checkData(name: string, data: readonly (readonly number[])[], extra: readonly (readonly number[])[]): number {
  if (data.length === 0) throw new SerError('USAGE', `${name}: no embeddings to project`);
  const d = data[0].length;
  for (const [i, row] of [...data, ...extra].entries()) {
    if (row.length !== d)
      throw new SerError('SHAPE_MISMATCH', `${name}: embedding ${i} has ${row.length} dims, the first has ${d}; project one cell's embeddings at a time`);
    for (const v of row)
      if (!Number.isFinite(v)) throw new SerError('USAGE', `${name}: embedding ${i} holds ${v}; drop non-finite embeddings (diverged cells) first`);
  }
  return d;
}

/**
 * PCA to 2-D: centre on the mean of `data`, find the top two eigenvectors of the covariance
 * X^T X / (n - 1) by power iteration (the second deflated against the first, X^T X never formed:
 * each step is X^T (X v)), project data and extra (the centers) with the same mean and axes.
 * Signs are fixed (largest |component| positive) so the picture is stable.
 */
export function pcaProject(
  data: readonly (readonly number[])[],
  extra: readonly (readonly number[])[] = [],
  options: { seed?: number; maxIterations?: number } = {},
): Projection2d {
  const d = checkData('pcaProject', data, extra);
  const n = data.length;
  const mean = new Float64Array(d);
  for (const row of data) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  const x = data.map((row) => Float64Array.from(row, (v, j) => v - mean[j]));
  let total = 0;
  for (const row of x) for (let j = 0; j < d; j++) total += row[j] * row[j];
  total /= Math.max(1, n - 1);
  const rng = new Rng(options.seed ?? 0);
  const maxIt = options.maxIterations ?? 1000;
  const axes: Float64Array[] = [];
  const variance: number[] = [];
  for (let k = 0; k < Math.min(2, d); k++) {
    let v = Float64Array.from({ length: d }, () => rng.next() - 0.5);
    let lambda = 0;
    for (let it = 0; it < maxIt; it++) {
      for (const a of axes) orthogonalise(v, a);
      normalise(v);
      const w = covTimes(x, v);
      for (const a of axes) orthogonalise(w, a);
      const next = dot(v, w);
      const norm = Math.sqrt(dot(w, w));
      if (norm === 0) break; // no variance left in this direction
      const nv = w.map((t) => t / norm);
      const change = Math.abs(next - lambda);
      v = nv;
      lambda = next;
      if (change <= 1e-12 * Math.max(1, Math.abs(lambda)) && it > 2) break;
    }
    normalise(v);
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    axes.push(v);
    variance.push(Math.max(0, dot(v, covTimes(x, v))));
  }
  while (axes.length < 2) {
    axes.push(new Float64Array(d));
    variance.push(0);
  }
  const project = (row: readonly number[]): [number, number] => {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      const c = row[j] - mean[j];
      a += c * axes[0][j];
      b += c * axes[1][j];
    }
    return [a, b];
  };
  return {
    points: data.map(project),
    extra: extra.map(project),
    variance: [variance[0], variance[1]],
    explained: total > 0 ? [variance[0] / total, variance[1] / total] : [0, 0],
  };
}

function covTimes(x: Float64Array[], v: Float64Array): Float64Array {
  const d = v.length;
  const out = new Float64Array(d);
  for (const row of x) {
    const s = dot(row, v);
    for (let j = 0; j < d; j++) out[j] += s * row[j];
  }
  const scale = 1 / Math.max(1, x.length - 1);
  for (let j = 0; j < d; j++) out[j] *= scale;
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function normalise(v: Float64Array): void {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let j = 0; j < v.length; j++) v[j] /= n;
}

function orthogonalise(v: Float64Array, a: Float64Array): void {
  const s = dot(v, a);
  for (let j = 0; j < v.length; j++) v[j] -= s * a[j];
}

/**
 * UMAP to 2-D with umap-js, seeded (its random source is the project's Rng, so reruns agree).
 * `extra` (the class centers) is fitted together with `data` in one map, not placed with
 * UMAP.transform: in umap-js 1.4 transform's neighbour search never refines (heap.smallestFlagged
 * loops `i > length`) and it hangs unless nEpochs is a multiple of 3, so it put centers far from
 * their classes. nNeighbors is capped below the number of points.
 */
export function umapProject(
  data: readonly (readonly number[])[],
  extra: readonly (readonly number[])[] = [],
  options: { seed?: number; nNeighbors?: number; minDist?: number; nEpochs?: number } = {},
): Projection2d {
  checkData('umapProject', data, extra);
  const all = [...data, ...extra].map((r) => [...r]);
  if (all.length < 3) throw new SerError('USAGE', `umapProject: UMAP needs at least 3 points, got ${all.length}`);
  const rng = new Rng(options.seed ?? 0);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(options.nNeighbors ?? 15, all.length - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs,
    random: () => rng.next(),
  });
  const fitted = umap.fit(all);
  const pair = (q: number[]): [number, number] => [q[0], q[1]];
  return { points: fitted.slice(0, data.length).map(pair), extra: fitted.slice(data.length).map(pair) };
}
