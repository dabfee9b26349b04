import { SerError } from '@ser/core';
import type { FeatureMatrix } from './feature-config.js';

/** Smallest std used to divide by, so constant bins (e.g. all at the floor) map to 0 instead of Infinity/NaN. */
export const NORM_STD_FLOOR = 1e-5;

/** Per-bin statistics: mean[b] and std[b] (population std, floored at NORM_STD_FLOOR). */
export interface NormStats {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Per-bin mean and std over every frame of every matrix (Chan et al.'s pairwise merge in float64, so long corpora
 * lose no precision). Call it on the TRAINING fold's matrices only; the runner stores the stats with the fold.
 */
export function computeNormStats(mats: Iterable<FeatureMatrix>): NormStats {
  let bins = -1;
  let n = 0;
  let mean = new Float64Array(0);
  let m2 = new Float64Array(0);
  let bMean = new Float64Array(0);
  let bM2 = new Float64Array(0);
  for (const mat of mats) {
    if (bins < 0) {
      bins = mat.bins;
      mean = new Float64Array(bins);
      m2 = new Float64Array(bins);
      bMean = new Float64Array(bins);
      bM2 = new Float64Array(bins);
    } else if (mat.bins !== bins) {
      throw new SerError('SHAPE_MISMATCH', `computeNormStats: matrices have ${bins} and ${mat.bins} bins; all must share one feature config`);
    }
    const nb = mat.frames;
    if (nb === 0) continue;
    bMean.fill(0);
    bM2.fill(0);
    const d = mat.data;
    for (let t = 0; t < nb; t++) for (let b = 0; b < bins; b++) bMean[b] += d[t * bins + b];
    for (let b = 0; b < bins; b++) bMean[b] /= nb;
    for (let t = 0; t < nb; t++) {
      for (let b = 0; b < bins; b++) {
        const e = d[t * bins + b] - bMean[b];
        bM2[b] += e * e;
      }
    }
    const total = n + nb;
    for (let b = 0; b < bins; b++) {
      const delta = bMean[b] - mean[b];
      mean[b] += (delta * nb) / total;
      m2[b] += bM2[b] + (delta * delta * n * nb) / total;
    }
    n = total;
  }
  if (n === 0) throw new SerError('SHAPE_MISMATCH', "computeNormStats: no frames given; pass the training fold's feature matrices");
  const std = new Float32Array(bins);
  for (let b = 0; b < bins; b++) std[b] = Math.max(NORM_STD_FLOOR, Math.sqrt(m2[b] / n));
  return { mean: Float32Array.from(mean), std };
}

/** A new matrix (x - mean[b]) / std[b]; stats from computeNormStats over the training fold. */
export function normalise(mat: FeatureMatrix, stats: NormStats): FeatureMatrix {
  const { frames, bins, data } = mat;
  if (stats.mean.length !== bins || stats.std.length !== bins) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `normalise: stats have ${stats.mean.length} bins but the matrix has ${bins}; compute the stats with the same feature config`,
    );
  }
  const out = new Float32Array(frames * bins);
  const inv = new Float64Array(bins);
  for (let b = 0; b < bins; b++) inv[b] = 1 / Math.max(NORM_STD_FLOOR, stats.std[b]);
  for (let t = 0; t < frames; t++) {
    const r = t * bins;
    for (let b = 0; b < bins; b++) out[r + b] = (data[r + b] - stats.mean[b]) * inv[b];
  }
  return { frames, bins, data: out };
}

/** A new matrix normalised by its own per-bin mean and std (over its frames). */
export function normaliseUtterance(mat: FeatureMatrix): FeatureMatrix {
  const copy = { frames: mat.frames, bins: mat.bins, data: Float32Array.from(mat.data) };
  normaliseUtteranceInPlace(copy);
  return copy;
}

/** normaliseUtterance writing into the matrix itself. */
export function normaliseUtteranceInPlace(mat: FeatureMatrix): void {
  if (mat.frames === 0) return;
  const stats = computeNormStats([mat]);
  const { frames, bins, data } = mat;
  for (let t = 0; t < frames; t++) {
    const r = t * bins;
    for (let b = 0; b < bins; b++) data[r + b] = (data[r + b] - stats.mean[b]) / stats.std[b];
  }
}
