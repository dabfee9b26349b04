import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { contrastiveCenterLoss } from './contrastive-center-loss.js';
import type { ContrastiveCenterLossConfig } from './contrastive-center-loss.js';

describeLossConformance(contrastiveCenterLoss);
describeLossConformance(contrastiveCenterLoss, { centerUpdate: 'gradient' });

describe('contrastive-center loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches a hand computation', () => {
    const config = resolveConfig<ContrastiveCenterLossConfig>(contrastiveCenterLoss.schema, { lambda: 0.5, delta: 1 });
    const loss = contrastiveCenterLoss.create(config, { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger });
    loss.setState({ centers: { shape: [3, 2], values: [0, 0, 2, 0, 0, 2] } });
    const embeddings = tf.tensor2d([
      [1, 0],
      [2, 1],
    ]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    // z0 = (1,0), y=0: own 1; others |(1,0)-(2,0)|^2 + |(1,0)-(0,2)|^2 = 1 + 5 = 6 -> 1 / 7
    // z1 = (2,1), y=1: own 1; others |(2,1)|^2 + |(2,-1)|^2 = 5 + 5 = 10 -> 1 / 11
    const term = 0.5 * ((1 / 7 + 1 / 11) / 2);
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.contrastiveCenter).toBeCloseTo(term, 6);
    expect(got.total).toBeCloseTo(Math.log(3) + 0.5 * term, 6);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });
});
