import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@ser/engine';
import { makePoolModel, makeSoftmaxLoss } from '../test-fixtures.js';
import type { Example, FeatureSource } from '../types.js';
import { evaluateSplit } from './evaluate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evaluateSplit with segments (Example.utteranceId)', () => {
  const bins = 3;
  // frames of value v: the pool model sees their mean, so each segment scores differently
  const frames = (v: number, n: number) => Float32Array.from({ length: n * bins }, (_, i) => v + 0.1 * (i % bins));
  const data = new Map<string, Float32Array>([
    ['a#0', frames(1, 4)],
    ['a#1', frames(-1, 4)],
    ['a#2', frames(0.5, 2)],
    ['b#0', frames(2, 4)],
    ['c', frames(-2, 5)],
  ]);
  const source: FeatureSource = { bins, read: (id) => data.get(id)! };
  const seg = (id: string, utteranceId: string, label: number, n: number): Example => ({ id, utteranceId, label, frames: n });
  const examples: Example[] = [seg('a#0', 'a', 0, 4), seg('b#0', 'b', 1, 4), seg('a#1', 'a', 0, 4), { id: 'c', label: 1, frames: 5 }, seg('a#2', 'a', 0, 2)];

  it("gives one row per utterance: the mean of its segments' probabilities and embeddings", () => {
    const model = makePoolModel({ bins, numClasses: 2, embeddingDim: 4, seed: 1 });
    const loss = makeSoftmaxLoss(2);
    const args = { model, loss, source, batchSize: 2, numClasses: 2 };
    const pooled = evaluateSplit({ ...args, examples });
    const each = evaluateSplit({ ...args, examples: examples.map(({ utteranceId: _u, ...e }) => e) });
    expect(pooled.ids).toEqual(['a', 'b', 'c']);
    expect(pooled.labels).toEqual([0, 1, 1]);
    const row = (s: typeof each, i: number, n: number, of: 'probabilities' | 'embeddings') => Array.from(s[of].subarray(i * n, (i + 1) * n));
    for (const [of, n] of [
      ['probabilities', 2],
      ['embeddings', 4],
    ] as const) {
      const segA = [0, 2, 4].map((i) => row(each, i, n, of));
      const meanA = segA[0].map((_, k) => (segA[0][k] + segA[1][k] + segA[2][k]) / 3);
      row(pooled, 0, n, of).forEach((v, k) => expect(v).toBeCloseTo(meanA[k], 6));
      expect(row(pooled, 1, n, of)).toEqual(row(each, 1, n, of));
      expect(row(pooled, 2, n, of)).toEqual(row(each, 3, n, of));
    }
    expect(pooled.result.confusion.flat().reduce((x, y) => x + y, 0)).toBe(3); // utterances, not segments
    model.dispose();
  });

  it('refuses segments of one utterance with different labels', () => {
    const model = makePoolModel({ bins, numClasses: 2, embeddingDim: 4, seed: 1 });
    expect(() =>
      evaluateSplit({ model, loss: makeSoftmaxLoss(2), source, batchSize: 4, numClasses: 2, examples: [seg('a#0', 'a', 0, 4), seg('a#1', 'a', 1, 4)] }),
    ).toThrow(/utterance 'a' carry different labels/);
    model.dispose();
  });
});
