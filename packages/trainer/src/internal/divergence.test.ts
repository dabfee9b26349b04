import { describe, expect, it } from 'vitest';
import { DivergenceWatch } from './divergence.js';

describe('DivergenceWatch', () => {
  it('a non-finite loss diverges at once', () => {
    expect(new DivergenceWatch({ factor: 100, steps: 3 }).observe(NaN)?.code).toBe('NON_FINITE_LOSS');
    expect(new DivergenceWatch({ factor: null, steps: 3 }).observe(Infinity)?.code).toBe('NON_FINITE_LOSS');
  });
  it('a finite loss diverges after `steps` steps in a row above factor x the first step', () => {
    const w = new DivergenceWatch({ factor: 10, steps: 3 });
    const verdicts = [2, 25, 25, 3, 25, 25, 25].map((l) => w.observe(l)?.code ?? null);
    expect(verdicts).toEqual([null, null, null, null, null, null, 'LOSS_DIVERGED']);
    expect(w.firstLoss).toBe(2);
    expect(w.stepsAbove).toBe(3);
  });
  it('factor null only watches for non-finite losses; a first loss of ~0 is floored at 1e-3', () => {
    const off = new DivergenceWatch({ factor: null, steps: 1 });
    expect([1, 1e30].map((l) => off.observe(l))).toEqual([null, null]);
    const tiny = new DivergenceWatch({ factor: 10, steps: 1 });
    expect(tiny.observe(0)).toBeNull();
    expect(tiny.observe(0.005)).toBeNull(); // below 10 x 1e-3
    expect(tiny.observe(0.02)?.code).toBe('LOSS_DIVERGED');
  });
});
