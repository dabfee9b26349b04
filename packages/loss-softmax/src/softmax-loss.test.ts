import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, makeLossInputs, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxLoss } from './softmax-loss.js';
import type { SoftmaxLossConfig } from './softmax-loss.js';

describeLossConformance(softmaxLoss);
describeLossConformance(softmaxLoss, { classWeights: [1, 2, 0.5], labelSmoothing: 0.1 }, { backends: ['cpu'] });

describe('softmax loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('equals tf.losses.softmaxCrossEntropy with its defaults', () => {
    const loss = softmaxLoss.create(resolveConfig<SoftmaxLossConfig>(softmaxLoss.schema), { numClasses: 3, embeddingDim: 4, seed: 0, logger: silentLogger });
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 4, seed: 3 });
    const ref = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(x.labels, 3), x.logits).dataSync()[0]);
    const got = computeValues(loss, x);
    expect(got.total).toBeCloseTo(ref, 5);
    expect(got.terms).toEqual({ softmax: got.total });
    tf.dispose([x.embeddings, x.logits, x.labels]);
  });

  it('rejects class weights that do not match the classes', () => {
    expect(() => softmaxLoss.create({ classWeights: [1, 1], labelSmoothing: 0 }, { numClasses: 3, embeddingDim: 4, seed: 0, logger: silentLogger })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
