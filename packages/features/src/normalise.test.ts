import { describe, expect, it } from 'vitest';
import { computeNormStats, normalise, normaliseUtterance } from './normalise.js';
import { segment } from './segment.js';
import { Rng } from '@ser/core';

const random = (frames: number, bins: number, seed: number, shift: number) => {
  const rng = new Rng(seed);
  return { frames, bins, data: Float32Array.from({ length: frames * bins }, (_, i) => shift + (i % bins) + 3 * rng.normal()) };
};

describe('computeNormStats / normalise', () => {
  it('equals the mean and population std of all frames pooled', () => {
    const mats = [random(7, 3, 1, -60), random(13, 3, 2, -50), random(1, 3, 3, -40)];
    const stats = computeNormStats(mats);
    for (let b = 0; b < 3; b++) {
      const values = mats.flatMap((m) => Array.from({ length: m.frames }, (_, t) => m.data[t * 3 + b]));
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(stats.mean[b]).toBeCloseTo(mean, 4);
      expect(stats.std[b]).toBeCloseTo(std, 4);
    }
    const n = normalise(mats[1], stats);
    expect(n.data[4]).toBeCloseTo((mats[1].data[4] - stats.mean[1]) / stats.std[1], 5);
  });

  it('maps a constant bin to 0, and rejects mismatched shapes', () => {
    const m = { frames: 4, bins: 2, data: Float32Array.from([1, -100, 2, -100, 3, -100, 4, -100]) };
    const u = normaliseUtterance(m);
    expect(Array.from(u.data.filter((_, i) => i % 2 === 1))).toEqual([0, 0, 0, 0]);
    expect(m.data[0]).toBe(1); // the input is not modified
    expect(() => normalise(m, computeNormStats([random(3, 5, 1, 0)]))).toThrow(/stats have 5 bins but the matrix has 2/);
    expect(() => computeNormStats([])).toThrow(/no frames/);
  });
});

describe('segment', () => {
  const mat = { frames: 10, bins: 2, data: Float32Array.from({ length: 20 }, (_, i) => i + 1) };
  it('covers every frame, zero-padding the final partial segment', () => {
    const segs = segment(mat, { frames: 4, hopFrames: 3 });
    expect(segs.map((s) => [s.startFrame, s.validFrames])).toEqual([
      [0, 4],
      [3, 4],
      [6, 4],
    ]);
    const last = segment(mat, { frames: 4, hopFrames: 4 }).at(-1)!;
    expect([last.startFrame, last.validFrames]).toEqual([8, 2]);
    expect(Array.from(last.data)).toEqual([17, 18, 19, 20, 0, 0, 0, 0]);
    expect(segment(mat, { frames: 16, hopFrames: 8 }).length).toBe(1);
  });
});
