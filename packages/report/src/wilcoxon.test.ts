import { describe, expect, it } from 'vitest';
import { wilcoxonSignedRank } from './wilcoxon.js';

// Reference values made once with scipy 1.17.1 (python3 -m venv /tmp/v; /tmp/v/bin/pip install scipy):
//   from scipy.stats import wilcoxon
//   wilcoxon(d, zero_method='wilcox', method='exact')                    # the 'exact' cases
//   wilcoxon(d, zero_method='wilcox', method='approx', correction=True)  # the 'normal' cases
// and copied here as constants: [differences, statistic, p].
const SCIPY = {
  exactMixed: { d: [0.012, -0.004, 0.031, 0.027, -0.018, 0.045, 0.009, 0.022, -0.001, 0.038], stat: 8.0, p: 0.048828125 },
  allPositive: { d: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06], stat: 0.0, p: 0.03125 },
  ties: { d: [1, 2, 2, -3, 4, 5, 5, -1.5], stat: 7.0, p: 0.14050554128479997 },
  zeros: { d: [0, 1, 2, 3, -4, 5, 6], stat: 4.0, p: 0.21875 },
  zerosTies: { d: [0, 0, 1, 1, -2, 3, 3, 3, -4, 5], stat: 10.0, p: 0.2906462740807302 },
  // n = 30 > 25: normal approximation even without ties
  large: {
    d: [
      0.059583, -0.002777, -0.036291, 0.034706, 0.049924, -0.024994, -0.020907, 0.052958, 0.029837, -0.03807, 0.00255, 0.05999, 0.004568, -0.03859, 0.027953,
      0.053964, -0.019282, -0.026418, 0.048666, 0.036454, -0.035483, -0.004734, 0.05928, 0.012035, -0.039804, 0.020799, 0.057021, -0.012916, -0.031116,
      0.043511,
    ],
    stat: 156.0,
    p: 0.11800702011909572,
  },
};

describe('wilcoxonSignedRank', () => {
  it('matches scipy exactly for small n without ties', () => {
    const r = wilcoxonSignedRank(SCIPY.exactMixed.d);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBe(SCIPY.exactMixed.stat);
    expect(r.p).toBeCloseTo(SCIPY.exactMixed.p, 14);
  });

  it('gives 2 / 2^n when every difference is positive', () => {
    const r = wilcoxonSignedRank(SCIPY.allPositive.d);
    expect(r.statistic).toBe(0);
    expect(r.rPlus).toBe(21);
    expect(r.p).toBeCloseTo(SCIPY.allPositive.p, 14);
    expect(r.p).toBe(2 / 64);
    // sign flips the tail, not the two-sided p
    expect(wilcoxonSignedRank(SCIPY.allPositive.d.map((x) => -x)).p).toBe(r.p);
  });

  it('uses the tie- and continuity-corrected normal approximation when |d| ties', () => {
    const r = wilcoxonSignedRank(SCIPY.ties.d);
    expect(r.ties).toBe(true);
    expect(r.method).toBe('normal');
    expect(r.statistic).toBe(SCIPY.ties.stat);
    expect(r.p).toBeCloseTo(SCIPY.ties.p, 12);
  });

  it('drops zero differences (Wilcoxon) and stays exact on the rest', () => {
    const r = wilcoxonSignedRank(SCIPY.zeros.d);
    expect(r.zeros).toBe(1);
    expect(r.n).toBe(6);
    expect(r.method).toBe('exact');
    expect(r.statistic).toBe(SCIPY.zeros.stat);
    expect(r.p).toBeCloseTo(SCIPY.zeros.p, 14);
  });

  it('handles zeros and ties together', () => {
    const r = wilcoxonSignedRank(SCIPY.zerosTies.d);
    expect(r.zeros).toBe(2);
    expect(r.statistic).toBe(SCIPY.zerosTies.stat);
    expect(r.p).toBeCloseTo(SCIPY.zerosTies.p, 12);
  });

  it('switches to the normal approximation above n = 25', () => {
    const r = wilcoxonSignedRank(SCIPY.large.d);
    expect(r.method).toBe('normal');
    expect(r.ties).toBe(false);
    expect(r.statistic).toBe(SCIPY.large.stat);
    expect(r.p).toBeCloseTo(SCIPY.large.p, 12);
  });

  it('gives p = 1 when every difference is zero', () => {
    const r = wilcoxonSignedRank([0, 0, 0, 0]);
    expect(r).toMatchObject({ p: 1, n: 0, zeros: 4, method: 'none' });
  });

  it('treats float-noise differences as ties (0.8-0.7 vs 0.2-0.1)', () => {
    const a = 0.8 - 0.7;
    const b = 0.2 - 0.1;
    expect(a).not.toBe(b);
    const r = wilcoxonSignedRank([a, b, 0.3, -0.4, 0.5]);
    expect(r.ties).toBe(true);
    expect(r.rPlus).toBe(1.5 + 1.5 + 3 + 5);
  });

  it('rejects non-finite differences, naming the index', () => {
    expect(() => wilcoxonSignedRank([0.1, Number.NaN])).toThrow(/difference 1 is NaN/);
  });
});
