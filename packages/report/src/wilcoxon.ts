import { SerError } from '@ser/core';
import { normalSf } from './internal/stats.js';

/** The outcome of a two-sided Wilcoxon signed-rank test on paired differences. */
export interface WilcoxonResult {
  /** min(R+, R-), the smaller signed-rank sum (scipy.stats.wilcoxon's two-sided statistic). */
  statistic: number;
  /** Sum of the ranks of the positive differences. */
  rPlus: number;
  /** Two-sided p value; 1 when every difference is zero. */
  p: number;
  /** Differences left after dropping zeros (Wilcoxon's zero method): the n the test is on. */
  n: number;
  /** Zero differences dropped. */
  zeros: number;
  /** Whether |differences| had ties (then the normal approximation is used). */
  ties: boolean;
  /** 'exact': the null distribution enumerated (n <= 25, no ties); 'normal': tie- and continuity-corrected z. */
  method: 'exact' | 'normal' | 'none';
  /** The z score of the normal approximation (null for the exact method). */
  z: number | null;
}

/** Largest n for the exact null distribution (as asked for; scipy's own cut-off is 50). */
export const WILCOXON_EXACT_MAX_N = 25;

/** Relative tolerance under which two |differences| count as tied: UA differences carry float noise (0.8-0.7 vs 0.2-0.1). */
const TIE_TOLERANCE = 1e-9;

/**
 * Two-sided Wilcoxon signed-rank test of H0 "the differences are symmetric about 0".
 * Zeros are dropped (zero_method 'wilcox'); ranks of tied |d| are averaged. Exact p when the
 * remaining n <= 25 and there are no ties: p = min(1, 2 min(P(T <= R+), P(T >= R+))); otherwise
 * z = (R+ - n(n+1)/4 - 0.5 sign) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48), p = 2 P(Z >= |z|).
 * Matches scipy.stats.wilcoxon(d, method='exact' | 'approx', correction=True).
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  for (const [i, d] of differences.entries()) {
    if (!Number.isFinite(d)) {
      throw new SerError('USAGE', `wilcoxonSignedRank: difference ${i} is ${d}; pass finite paired differences (drop failed cells first)`);
    }
  }
  const nonZero = differences.filter((d) => Math.abs(d) > 0);
  const zeros = differences.length - nonZero.length;
  const n = nonZero.length;
  if (n === 0) return { statistic: 0, rPlus: 0, p: 1, n: 0, zeros, ties: false, method: 'none', z: null };

  const order = nonZero.map((d, i) => ({ a: Math.abs(d), i })).sort((x, y) => x.a - y.a);
  const ranks = new Array<number>(n);
  const tieSizes: number[] = [];
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && order[end].a - order[start].a <= TIE_TOLERANCE * order[end].a) end++;
    const rank = (start + 1 + end) / 2; // average of ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k].i] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  let rPlus = 0;
  for (let i = 0; i < n; i++) if (nonZero[i] > 0) rPlus += ranks[i];
  const total = (n * (n + 1)) / 2;
  const rMinus = total - rPlus;
  const statistic = Math.min(rPlus, rMinus);
  const ties = tieSizes.length > 0;

  if (n <= WILCOXON_EXACT_MAX_N && !ties) {
    const counts = signedRankCounts(n);
    const all = 2 ** n;
    const r = Math.round(rPlus);
    let below = 0; // P(T <= r)
    for (let k = 0; k <= r; k++) below += counts[k];
    let above = 0; // P(T >= r)
    for (let k = r; k <= total; k++) above += counts[k];
    const p = Math.min(1, (2 * Math.min(below, above)) / all);
    return { statistic, rPlus, p, n, zeros, ties, method: 'exact', z: null };
  }

  const mean = total / 2;
  let variance = (n * (n + 1) * (2 * n + 1)) / 24;
  for (const t of tieSizes) variance -= (t * t * t - t) / 48;
  const diff = rPlus - mean;
  const z = variance > 0 ? (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance) : 0;
  const p = Math.min(1, 2 * normalSf(Math.abs(z)));
  return { statistic, rPlus, p, n, zeros, ties, method: 'normal', z };
}

/** counts[k] = number of subsets of {1..n} whose sum is k (the null distribution of R+ times 2^n). */
function signedRankCounts(n: number): number[] {
  const total = (n * (n + 1)) / 2;
  const counts = new Array<number>(total + 1).fill(0);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    for (let k = total; k >= r; k--) counts[k] += counts[k - r];
  }
  return counts;
}
