import { describe, expect, it } from 'vitest';
import { minimumDetectableDifference, studentTCdf, studentTQuantile } from './power.js';

describe('Student t', () => {
  it('matches tabulated quantiles (scipy.stats.t.ppf)', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 8)).toBeCloseTo(2.306, 3);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.0452, 3);
    expect(studentTQuantile(0.8, 29)).toBeCloseTo(0.8542, 3);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.96, 2);
    expect(studentTQuantile(0.025, 8)).toBeCloseTo(-2.306, 3);
  });
  it('has CDF 0.5 at 0 and is monotone', () => {
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(studentTCdf(1, 5)).toBeLessThan(studentTCdf(2, 5));
  });
});

describe('minimumDetectableDifference', () => {
  it('is (t_.975 + t_.8) * sd / sqrt(n)', () => {
    const d = [1, -2, 3, 0, 2, -1, 4, 1, 0, -3];
    const mean = d.reduce((a, b) => a + b) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    // scipy: t.ppf(0.975, 9) = 2.2622, t.ppf(0.8, 9) = 0.8834
    expect(minimumDetectableDifference(d)).toBeCloseTo(((2.2622 + 0.8834) * sd) / Math.sqrt(10), 3);
  });
  it('shrinks with more pairs of the same spread, and is null without a spread', () => {
    const d = [1, -1, 2, -2];
    expect(minimumDetectableDifference([...d, ...d, ...d, ...d])!).toBeLessThan(minimumDetectableDifference(d)! / 1.5);
    expect(minimumDetectableDifference([1])).toBeNull();
    expect(minimumDetectableDifference([2, 2, 2])).toBeNull();
  });
});
