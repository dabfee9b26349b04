import { describe, expect, it } from 'vitest';
import { Rng } from '@ser/core';
import { glorotUniform, orthogonal } from './init.js';

describe('glorotUniform', () => {
  it('draws fanIn * fanOut values in (-l, l), l = sqrt(6 / (fanIn + fanOut)), with variance l^2 / 3', () => {
    const w = glorotUniform(new Rng(1), 40, 60);
    const limit = Math.sqrt(6 / 100);
    expect(w.length).toBe(2400);
    expect(w.every((x) => Math.abs(x) < limit)).toBe(true);
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const variance = w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(limit ** 2 / 3, 2);
  });

  it('takes an explicit size (a conv kernel [kt, kf, in, out] with fans kt*kf*in and kt*kf*out)', () => {
    const w = glorotUniform(new Rng(2), 3 * 3 * 4, 3 * 3 * 8, 3 * 3 * 4 * 8);
    expect(w.length).toBe(288);
    expect(w.every((x) => Math.abs(x) < Math.sqrt(6 / (36 + 72)))).toBe(true);
  });

  it('is the seed alone: the same seed gives the same values, the first size values whatever the size', () => {
    expect(glorotUniform(new Rng(7), 5, 6)).toEqual(glorotUniform(new Rng(7), 5, 6));
    expect(glorotUniform(new Rng(7), 5, 6, 10)).toEqual(glorotUniform(new Rng(7), 5, 6).subarray(0, 10));
    expect(glorotUniform(new Rng(8), 5, 6)).not.toEqual(glorotUniform(new Rng(7), 5, 6));
  });
});

describe('orthogonal', () => {
  it('has orthonormal rows (rows <= cols) or columns (rows > cols)', () => {
    for (const [rows, cols] of [
      [4, 16],
      [16, 4],
    ]) {
      const m = orthogonal(new Rng(3), rows, cols);
      const [n, len, at] = rows <= cols ? [rows, cols, (v: number, k: number) => m[v * cols + k]] : [cols, rows, (v: number, k: number) => m[k * cols + v]];
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          let dot = 0;
          for (let k = 0; k < len; k++) dot += at(a, k) * at(b, k);
          expect(dot).toBeCloseTo(a === b ? 1 : 0, 5);
        }
      }
    }
  });
});
