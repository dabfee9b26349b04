import { tf } from '@ser/engine';
import { describeModelConformance, makeBatch, useTestBackend } from '@ser/model-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { utteranceStatistics, utteranceStatsModel } from './utterance-stats-model.js';

describeModelConformance(utteranceStatsModel, { embeddingDim: 4 });
describeModelConformance(
  utteranceStatsModel,
  { deltas: false, hiddenUnits: [5, 3], embeddingDim: 4, embeddingActivation: 'linear', dropout: 0.3 },
  { backends: ['cpu'] },
);

describe('utteranceStatistics', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });

  it('is the mean and std of the real frames and of their differences, by definition', () => {
    const lengths = [7, 4];
    const { batch, mask } = makeBatch(lengths, 7, 3, 5);
    const stats = utteranceStatistics(batch, mask, true);
    expect(stats.shape).toEqual([2, 12]);
    const got = stats.arraySync();
    const x = batch.arraySync();
    lengths.forEach((len, b) => {
      const frames = x[b].slice(0, len);
      const deltas = frames.slice(1).map((row, t) => row.map((v, f) => v - frames[t][f]));
      const moments = (rows: number[][], f: number) => {
        const mean = rows.reduce((s, r) => s + r[f], 0) / rows.length;
        const variance = rows.reduce((s, r) => s + (r[f] - mean) ** 2, 0) / rows.length;
        return [mean, Math.sqrt(variance + 1e-6)];
      };
      for (let f = 0; f < 3; f++) {
        const [m, s] = moments(frames, f);
        const [dm, ds] = moments(deltas, f);
        expect(got[b][f]).toBeCloseTo(m, 5);
        expect(got[b][3 + f]).toBeCloseTo(s, 5);
        expect(got[b][6 + f]).toBeCloseTo(dm, 5);
        expect(got[b][9 + f]).toBeCloseTo(ds, 5);
      }
    });
    tf.dispose([batch, mask, stats]);
  });

  it('gives zero delta statistics for one-frame utterances, and 2 * bins values without deltas', () => {
    const { batch, mask } = makeBatch([1], 1, 4, 2);
    const withDeltas = utteranceStatistics(batch, mask, true).arraySync()[0];
    expect(withDeltas.slice(8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(utteranceStatistics(batch, mask, false).shape).toEqual([1, 8]);
    tf.dispose([batch, mask]);
  });
});
