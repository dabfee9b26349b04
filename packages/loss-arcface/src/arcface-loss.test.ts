import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { arcfaceLoss, arcMargin } from './arcface-loss.js';
import type { ArcfaceLossConfig } from './arcface-loss.js';

describeLossConformance(arcfaceLoss);
describeLossConformance(arcfaceLoss, { scale: 8, margin: 0.3, easyMargin: true }, { backends: ['cpu'] });

const margin = (cos: number[], m: number, easy: boolean) => tf.tidy(() => Array.from(arcMargin(tf.tensor2d([cos]), m, easy).dataSync()));

describe('arcface loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('adds the angle where theta + m <= pi, and falls back to cos - m sin m beyond', () => {
    const m = 0.5;
    const [a, b] = margin([0.5, -0.95], m, false);
    expect(a).toBeCloseTo(Math.cos(Math.PI / 3 + m), 5);
    // theta = acos(-0.95) = 2.82 > pi - 0.5 = 2.64: fallback
    expect(b).toBeCloseTo(-0.95 - Math.sin(Math.PI - m) * m, 5);
  });

  it('with easyMargin adds the angle only where cos > 0', () => {
    const [a, b] = margin([0.5, -0.2], 0.5, true);
    expect(a).toBeCloseTo(Math.cos(Math.PI / 3 + 0.5), 5);
    expect(b).toBeCloseTo(-0.2, 6);
  });

  it('matches a hand computation and scores s * cos', () => {
    const config = resolveConfig<ArcfaceLossConfig>(arcfaceLoss.schema, { scale: 2, margin: 0.5 });
    const loss = arcfaceLoss.create(config, { numClasses: 2, embeddingDim: 2, seed: 0, logger: silentLogger });
    loss.setState({ weights: { shape: [2, 2], values: [2, 0, 0, 3] } });
    const embeddings = tf.tensor2d([[3, 4]]); // cos theta = (0.6, 0.8)
    const labels = tf.tensor1d([1], 'int32');
    const logits = tf.zeros([1, 2]) as tf.Tensor2D;
    const t = 2 * Math.cos(Math.acos(0.8) + 0.5);
    const want = -Math.log(Math.exp(t) / (Math.exp(t) + Math.exp(1.2)));
    expect(computeValues(loss, { embeddings, logits, labels }).total).toBeCloseTo(want, 5);
    const scores = tf.tidy(() => loss.scores!(embeddings, logits).arraySync());
    expect(scores[0][1]).toBeCloseTo(1.6, 5);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });
});
