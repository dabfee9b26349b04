import { Rng } from '@ser/core';
import { describe, expect, it } from 'vitest';
import { pcaProject, umapProject } from './projection.js';

describe('pcaProject', () => {
  it('finds the principal axes of a rotated anisotropic cloud and projects the centers with the same transform', () => {
    // independent coordinates with sd 3, 2, 0.5, rotated by a fixed orthonormal basis and shifted
    const rng = new Rng(1);
    const c = Math.cos(0.6);
    const s = Math.sin(0.6);
    const basis = [
      [c, s, 0],
      [-s, c, 0],
      [0, 0, 1],
    ];
    const shift = [5, -2, 1];
    const make = (z: number[]) => basis[0].map((_, j) => shift[j] + z[0] * basis[0][j] + z[1] * basis[1][j] + z[2] * basis[2][j]);
    const data = Array.from({ length: 400 }, () => make([3 * rng.normal(), 2 * rng.normal(), 0.5 * rng.normal()]));
    const p = pcaProject(data, [make([1, 0, 0]), make([0, 1, 0])]);
    // sample covariance eigenvalues, computed directly for comparison
    const mean = [0, 1, 2].map((j) => data.reduce((a, r) => a + r[j], 0) / data.length);
    const v1 = data.reduce((a, r) => a + ((r[0] - mean[0]) * basis[0][0] + (r[1] - mean[1]) * basis[0][1]) ** 2, 0) / (data.length - 1);
    expect(p.variance![0]).toBeGreaterThanOrEqual(v1 - 1e-9); // the top eigenvalue bounds every direction's variance
    expect(p.variance![0]).toBeLessThan(v1 * 1.05);
    expect(p.variance![1]).toBeGreaterThan(3);
    expect(p.variance![1]).toBeLessThan(5);
    expect(p.explained![0] + p.explained![1]).toBeGreaterThan(0.97);
    // the first axis is (close to) basis[0] up to sign: the center one unit along it moves ~1 along axis 1
    const [e1, e2] = p.extra;
    const zero = pcaProject(data, [make([0, 0, 0])]).extra[0];
    expect(Math.abs(Math.abs(e1[0] - zero[0]) - 1)).toBeLessThan(0.05);
    expect(Math.abs(Math.abs(e2[1] - zero[1]) - 1)).toBeLessThan(0.05);
    // projected data are centred
    expect(Math.abs(p.points.reduce((a, q) => a + q[0], 0) / data.length)).toBeLessThan(1e-9);
  });

  it('is deterministic and fixes the sign', () => {
    const data = [
      [1, 2],
      [2, 4.1],
      [3, 5.9],
      [4, 8.2],
    ];
    expect(pcaProject(data, [], { seed: 1 }).points).toEqual(pcaProject(data, [], { seed: 1 }).points);
    const a = pcaProject(data, [], { seed: 1 }).points;
    const b = pcaProject(data, [], { seed: 99 }).points;
    a.forEach((q, i) => expect(q[0]).toBeCloseTo(b[i][0], 8));
  });

  it('names the offending embedding on a dimension mismatch', () => {
    expect(() => pcaProject([[1, 2], [3]])).toThrow(/embedding 1 has 1 dims/);
  });
});

describe('umapProject', () => {
  const rng = new Rng(5);
  const clusters = [0, 1, 2].flatMap((k) => Array.from({ length: 20 }, () => Array.from({ length: 6 }, (_, j) => (j === k ? 8 : 0) + rng.normal())));
  const centers = [0, 1, 2].map((k) => Array.from({ length: 6 }, (_, j) => (j === k ? 8 : 0)));

  it('is seeded, keeps clusters apart and places the centers inside their clusters', () => {
    const a = umapProject(clusters, centers, { seed: 3, nEpochs: 100 });
    const b = umapProject(clusters, centers, { seed: 3, nEpochs: 100 });
    expect(a.points).toEqual(b.points);
    expect(a.extra).toHaveLength(3);
    const centroid = (k: number) => {
      const pts = a.points.slice(k * 20, k * 20 + 20);
      return [pts.reduce((s, p) => s + p[0], 0) / 20, pts.reduce((s, p) => s + p[1], 0) / 20];
    };
    const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
    for (let k = 0; k < 3; k++) {
      const own = dist(a.extra[k], centroid(k));
      const others = [0, 1, 2].filter((j) => j !== k).map((j) => dist(a.extra[k], centroid(j)));
      expect(own).toBeLessThan(Math.min(...others));
    }
  });
});
