import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosfaceLoss } from './cosface-loss.js';
import type { CosfaceLossConfig } from './cosface-loss.js';

describeLossConformance(cosfaceLoss);
describeLossConformance(cosfaceLoss, { scale: 8, margin: 0.2, labelSmoothing: 0.1 }, { backends: ['cpu'] });

describe('cosface loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches a hand computation, ignores the model logits and scores s * cos', () => {
    const config = resolveConfig<CosfaceLossConfig>(cosfaceLoss.schema, { scale: 2, margin: 0.5 });
    const loss = cosfaceLoss.create(config, { numClasses: 2, embeddingDim: 2, seed: 0, logger: silentLogger });
    // W columns: class 0 along (2, 0), class 1 along (0, 3): cos theta_j are the unit embedding's coordinates
    loss.setState({ weights: { shape: [2, 2], values: [2, 0, 0, 3] } });
    const embeddings = tf.tensor2d([[3, 4]]); // unit (0.6, 0.8)
    const labels = tf.tensor1d([1], 'int32');
    const logits = tf.tensor2d([[100, -100]]);
    // target logit 2 * (0.8 - 0.5) = 0.6, other 2 * 0.6 = 1.2: L = -log(e^0.6 / (e^0.6 + e^1.2))
    const want = -Math.log(Math.exp(0.6) / (Math.exp(0.6) + Math.exp(1.2)));
    expect(computeValues(loss, { embeddings, logits, labels }).total).toBeCloseTo(want, 5);
    const scores = tf.tidy(() => loss.scores!(embeddings, logits).arraySync());
    expect(scores[0][0]).toBeCloseTo(1.2, 5);
    expect(scores[0][1]).toBeCloseTo(1.6, 5);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });
});
