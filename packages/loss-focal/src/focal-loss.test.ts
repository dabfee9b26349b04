import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, makeLossInputs, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { focalLoss } from './focal-loss.js';
import type { FocalLossConfig } from './focal-loss.js';

describeLossConformance(focalLoss);
describeLossConformance(focalLoss, { gamma: 0.5, alpha: [0.25, 1, 2] }, { backends: ['cpu'] });

const context = { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger };
const make = (partial: Partial<FocalLossConfig>) => focalLoss.create(resolveConfig<FocalLossConfig>(focalLoss.schema, partial), context);

describe('focal loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('with gamma 0 is softmax cross-entropy', () => {
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 4 });
    const ref = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(x.labels, 3), x.logits).dataSync()[0]);
    expect(computeValues(make({ gamma: 0 }), x).total).toBeCloseTo(ref, 5);
    tf.dispose([x.embeddings, x.logits, x.labels]);
  });

  it('matches a hand computation with gamma 2 and class weights', () => {
    const logits = tf.tensor2d([
      [Math.log(3), 0, 0], // p = (0.6, 0.2, 0.2)
      [0, 0, 0], // p = 1/3 each
    ]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const embeddings = tf.zeros([2, 2]) as tf.Tensor2D;
    const fl0 = -Math.pow(0.4, 2) * Math.log(0.6);
    const fl1 = -Math.pow(2 / 3, 2) * Math.log(1 / 3);
    expect(computeValues(make({ gamma: 2 }), { embeddings, logits, labels }).total).toBeCloseTo((fl0 + fl1) / 2, 5);
    expect(computeValues(make({ gamma: 2, alpha: [0.5, 1, 2] }), { embeddings, logits, labels }).total).toBeCloseTo((0.5 * fl0 + 2 * fl1) / 2.5, 5);
    tf.dispose([embeddings, labels, logits]);
  });
});
