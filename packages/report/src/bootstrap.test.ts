import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from './bootstrap.js';

describe('pairedBootstrap', () => {
  it('is seeded: the same seed gives the same interval, another seed a slightly different one', () => {
    const d = [0.01, 0.03, -0.02, 0.04, 0.02, 0.0, 0.05, 0.01];
    const a = pairedBootstrap(d, { seed: 7 });
    const b = pairedBootstrap(d, { seed: 7 });
    const c = pairedBootstrap(d, { seed: 8 });
    expect(a.ci).toEqual(b.ci);
    expect(c.ci).not.toEqual(a.ci);
    expect(a.resamples).toBe(10_000);
    expect(a.mean).toBeCloseTo(0.14 / 8, 15);
    expect(a.ci![0]).toBeLessThan(a.mean);
    expect(a.ci![1]).toBeGreaterThan(a.mean);
  });

  it('stays within the range of the differences, and is positive when all are positive', () => {
    const d = [0.01, 0.02, 0.03, 0.04, 0.05];
    const r = pairedBootstrap(d, { seed: 1 });
    expect(r.ci![0]).toBeGreaterThanOrEqual(0.01);
    expect(r.ci![1]).toBeLessThanOrEqual(0.05);
    expect(r.ci![0]).toBeGreaterThan(0);
  });

  it('collapses to a point when every difference is equal, and is null with none', () => {
    expect(pairedBootstrap([0.02, 0.02, 0.02], { resamples: 100 }).ci).toEqual([0.02, 0.02]);
    expect(pairedBootstrap([], {}).ci).toBeNull();
  });

  it('approaches the normal-theory interval for a large sample', () => {
    // mean +- 1.96 sd / sqrt(n) for a symmetric sample: the percentile interval should agree to ~10%
    const d = Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 0.05);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    const half = (1.96 * sd) / Math.sqrt(d.length);
    const r = pairedBootstrap(d, { seed: 3 });
    expect((r.ci![1] - r.ci![0]) / 2).toBeGreaterThan(half * 0.9);
    expect((r.ci![1] - r.ci![0]) / 2).toBeLessThan(half * 1.1);
  });
});
