import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { softmaxCrossEntropy } from '@ser/loss-core';
import { computeValues, describeLossConformance, makeLossInputs, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ringLoss } from './ring-loss.js';
import type { RingLossConfig } from './ring-loss.js';

describeLossConformance(ringLoss);
describeLossConformance(ringLoss, { lambda: 0.5, radius: 3, classWeights: [1, 2, 0.5], labelSmoothing: 0.1 }, { backends: ['cpu'] });

const context = { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger };
const make = (partial: Partial<RingLossConfig> = {}) => ringLoss.create(resolveConfig<RingLossConfig>(ringLoss.schema, partial), context);

describe('ring loss reductions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('with lambda 0 equals softmax cross-entropy', () => {
    const loss = make({ lambda: 0 });
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 5 });
    const ref = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(x.labels, 3), x.logits).dataSync()[0]);
    const got = computeValues(loss, x);
    expect(got.terms.ring).toBeGreaterThan(0);
    expect(got.total).toBeCloseTo(ref, 6);
    expect(got.total).toBe(got.terms.softmax);
    tf.dispose([x.embeddings, x.logits, x.labels]);
    loss.dispose();
  });

  it('passes classWeights and labelSmoothing to its softmax term, as the other losses do', () => {
    const options = { classWeights: [1, 3, 0.5], labelSmoothing: 0.2 };
    const loss = make({ lambda: 0, ...options });
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 7 });
    const ref = tf.tidy(() => softmaxCrossEntropy(x.logits, x.labels, options).dataSync()[0]);
    expect(ref).not.toBeCloseTo(
      tf.tidy(() => softmaxCrossEntropy(x.logits, x.labels).dataSync()[0]),
      3,
    );
    expect(computeValues(loss, x).total).toBeCloseTo(ref, 6);
    tf.dispose([x.embeddings, x.logits, x.labels]);
    loss.dispose();
  });

  it('refuses classWeights of the wrong length with CONFIG_INVALID', () => {
    expect(() => make({ classWeights: [1, 2] })).toThrow(/loss 'ring': classWeights must hold 3 finite non-negative weights/);
  });

  it('gives a zero ring term when every embedding lies on the circle of radius R', () => {
    const loss = make({ radius: 5 });
    const embeddings = tf.tensor2d([
      [3, 4],
      [-5, 0],
      [0, -5],
    ]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const logits = tf.zeros([3, 3]) as tf.Tensor2D;
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.ring).toBeCloseTo(0, 6);
    expect(got.total).toBeCloseTo(Math.log(3), 6);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });

  it('matches a hand computation of lambda/2 * mean (||z|| - R)^2', () => {
    const loss = make({ lambda: 0.1, radius: 2 });
    // norms: |(3,4)| = 5, |(0,1)| = 1, |(0,0)| = 0 (smoothed to 1e-6)
    // ring = 1/2 * ((5-2)^2 + (1-2)^2 + (0-2)^2) / 3 = 1/2 * (9 + 1 + 4) / 3 = 7/3
    const embeddings = tf.tensor2d([
      [3, 4],
      [0, 1],
      [0, 0],
    ]);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const logits = tf.zeros([3, 3]) as tf.Tensor2D;
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.ring).toBeCloseTo(7 / 3, 5);
    expect(got.total).toBeCloseTo(Math.log(3) + 0.1 * (7 / 3), 5);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });

  it('pulls a too-long embedding inwards and a too-short one outwards (gradient along z)', () => {
    const loss = make({ lambda: 1, radius: 2 });
    const labels = tf.tensor1d([0, 1], 'int32');
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    // d/dz_i of 1/2 * mean (||z|| - R)^2 = (||z_i|| - R) / batch * z_i / ||z_i||
    const grad = tf.grad((z: tf.Tensor) => loss.compute({ embeddings: z as tf.Tensor2D, logits, labels }).terms.ring);
    const g = grad(
      tf.tensor2d([
        [3, 4],
        [0, 1],
      ]),
    );
    // row 0: (5 - 2) / 2 * (0.6, 0.8) = (0.9, 1.2); row 1: (1 - 2) / 2 * (0, 1) = (0, -0.5)
    const want = [0.9, 1.2, 0, -0.5];
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    tf.dispose([g, labels, logits]);
    loss.dispose();
  });
});
