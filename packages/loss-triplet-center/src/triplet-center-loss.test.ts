import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { tripletCenterLoss } from './triplet-center-loss.js';
import type { TripletCenterLossConfig } from './triplet-center-loss.js';

describeLossConformance(tripletCenterLoss);
describeLossConformance(tripletCenterLoss, { centerUpdate: 'gradient', margin: 1 });

describe('triplet-center loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches a hand computation: hinge on own distance + margin - nearest other', () => {
    const config = resolveConfig<TripletCenterLossConfig>(tripletCenterLoss.schema, { lambda: 1, margin: 1 });
    const loss = tripletCenterLoss.create(config, { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger });
    loss.setState({ centers: { shape: [3, 2], values: [0, 0, 3, 0, 0, 4] } });
    const embeddings = tf.tensor2d([
      [1, 0],
      [0, 0],
      [0, 3.5],
    ]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const logits = tf.zeros([3, 3]) as tf.Tensor2D;
    // z0: own 1, others 2 and sqrt(17) -> max(0, 1 + 1 - 2) = 0
    // z1 = (0,0), y=1: own 3, others 0 and 4 -> 3 + 1 - 0 = 4
    // z2 = (0,3.5), y=2: own 0.5, others 3.5 and sqrt(9 + 12.25) -> max(0, 0.5 + 1 - 3.5) = 0
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.tripletCenter).toBeCloseTo(4 / 3, 5);
    expect(got.total).toBeCloseTo(Math.log(3) + 4 / 3, 5);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });
});
