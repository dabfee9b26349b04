import { Rng, SerError } from '@ser/core';
import { quantileSorted } from './internal/stats.js';

/** A percentile bootstrap confidence interval of a mean. */
export interface BootstrapResult {
  /** The observed mean of the differences. */
  mean: number;
  /** [low, high] percentile interval at `level`; null when there are no differences. */
  ci: [number, number] | null;
  level: number;
  resamples: number;
  seed: number;
}

/**
 * Paired bootstrap of the mean difference: `resamples` times draw n differences with replacement
 * (the pairs stay together, since each difference is one (fold, seed) pair), take their mean, and
 * report the (1-level)/2 and (1+level)/2 quantiles of those means. Seeded, so reruns agree.
 */
export function pairedBootstrap(differences: readonly number[], options: { resamples?: number; level?: number; seed?: number } = {}): BootstrapResult {
  const resamples = options.resamples ?? 10_000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 0;
  if (!(level > 0 && level < 1)) throw new SerError('USAGE', `pairedBootstrap: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new SerError('USAGE', `pairedBootstrap: resamples must be a positive integer, got ${resamples}`);
  }
  const n = differences.length;
  if (n === 0) return { mean: Number.NaN, ci: null, level, resamples, seed };
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += differences[rng.int(n)];
    means[r] = s / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return { mean, ci: [quantileSorted(means, tail), quantileSorted(means, 1 - tail)], level, resamples, seed };
}
