import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic from its seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const draws = (r: Rng) => Array.from({ length: 5 }, () => r.nextUint32());
    const da = draws(a);
    expect(draws(b)).toEqual(da);
    expect(draws(c)).not.toEqual(da);
  });

  it('resumes exactly from a saved state', () => {
    const r = new Rng(7);
    for (let i = 0; i < 10; i++) r.next();
    const saved = r.getState();
    const expected = Array.from({ length: 5 }, () => r.next());
    const resumed = new Rng(saved);
    expect(Array.from({ length: 5 }, () => resumed.next())).toEqual(expected);
  });

  it('draws uniform floats in [0, 1) and integers in [0, n)', () => {
    const r = new Rng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      counts[r.int(4)]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });

  it('shuffles into a permutation, and forks without disturbing the parent', () => {
    const r = new Rng(3);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = r.shuffle([...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    const p1 = new Rng(5);
    const p2 = new Rng(5);
    p1.fork('dropout').next();
    expect(p1.next()).toBe(p2.next());
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const r = new Rng(11);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
