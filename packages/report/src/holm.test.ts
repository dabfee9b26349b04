import { describe, expect, it } from 'vitest';
import { holmAdjust } from './holm.js';

describe('holmAdjust', () => {
  it('multiplies the i-th smallest p by m - i + 1, keeps the order monotone, caps at 1, in input order', () => {
    // sorted: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> max with 0.06)
    const adj = holmAdjust([0.03, 0.01, 0.04, 0.02]);
    expect(adj[1]).toBeCloseTo(0.04, 15);
    expect(adj[3]).toBeCloseTo(0.06, 15);
    expect(adj[0]).toBeCloseTo(0.06, 15);
    expect(adj[2]).toBeCloseTo(0.06, 15);
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
  });

  it('leaves untested comparisons null and out of m', () => {
    const adj = holmAdjust([null, 0.01, 0.2]);
    expect(adj[0]).toBeNull();
    expect(adj[1]).toBeCloseTo(0.02, 15);
    expect(adj[2]).toBeCloseTo(0.2, 15);
  });
});
