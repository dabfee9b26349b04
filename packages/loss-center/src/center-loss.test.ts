import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, makeLossInputs, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { centerLoss } from './center-loss.js';
import type { CenterLossConfig } from './center-loss.js';

describeLossConformance(centerLoss);
describeLossConformance(centerLoss, { centerUpdate: 'gradient', lambda: 0.5 });

const context = { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger };
const make = (partial: Partial<CenterLossConfig> = {}) => centerLoss.create(resolveConfig<CenterLossConfig>(centerLoss.schema, partial), context);

describe('center loss reductions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('with lambda 0 equals softmax cross-entropy, also once the centers have moved', () => {
    const loss = make({ lambda: 0 });
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 5 });
    loss.afterStep!(x);
    const ref = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(x.labels, 3), x.logits).dataSync()[0]);
    const got = computeValues(loss, x);
    expect(got.terms.center).toBeGreaterThan(0);
    expect(got.total).toBeCloseTo(ref, 6);
    expect(got.total).toBe(got.terms.softmax);
    loss.dispose();
  });

  it('with alpha 0 leaves the centers where they are', () => {
    const loss = make({ alpha: 0 });
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 5 });
    const before = loss.getState();
    loss.afterStep!(x);
    loss.afterStep!(x);
    expect(loss.getState()).toEqual(before);
    loss.dispose();
  });

  it('gives a zero center term when the embeddings sit on their centers', () => {
    const loss = make();
    loss.setState({ centers: { shape: [3, 2], values: [1, 2, -3, 0.5, 0, 4] } });
    const embeddings = tf.tensor2d([
      [-3, 0.5],
      [1, 2],
      [0, 4],
      [1, 2],
    ]);
    const labels = tf.tensor1d([1, 0, 2, 0], 'int32');
    const logits = tf.zeros([4, 3]) as tf.Tensor2D;
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.center).toBe(0);
    expect(got.total).toBeCloseTo(Math.log(3), 6);
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });

  it('moves the centers as a hand computation of the alpha rule says', () => {
    const loss = make({ alpha: 0.5 });
    // centers before: c0 = (1, 0), c1 = (0, 2), c2 = (5, 5)
    loss.setState({ centers: { shape: [3, 2], values: [1, 0, 0, 2, 5, 5] } });
    // batch: two of class 0 at (3, 0) and (1, 4); one of class 1 at (0, 0); none of class 2
    const embeddings = tf.tensor2d([
      [3, 0],
      [1, 4],
      [0, 0],
    ]);
    const labels = tf.tensor1d([0, 0, 1], 'int32');
    // center term before the update: 1/2 * mean(|(3,0)-(1,0)|^2, |(1,4)-(1,0)|^2, |(0,0)-(0,2)|^2) = 1/2 * (4 + 16 + 4) / 3 = 4
    const logits = tf.zeros([3, 3]) as tf.Tensor2D;
    expect(computeValues(loss, { embeddings, logits, labels }).terms.center).toBeCloseTo(4, 6);
    loss.afterStep!({ embeddings, labels });
    // class 0: n = 2, sum (c0 - z_i) = (1-3, 0-0) + (1-1, 0-4) = (-2, -4); delta = (-2, -4) / 3
    //          c0 <- (1, 0) - 0.5 * (-2/3, -4/3) = (1 + 1/3, 2/3) = (1.3333, 0.6667)
    // class 1: n = 1, sum = (0-0, 2-0) = (0, 2); delta = (0, 1); c1 <- (0, 2) - 0.5 * (0, 1) = (0, 1.5)
    // class 2: n = 0, delta = 0; c2 stays (5, 5)
    const c = loss.centers!()!;
    const got = Array.from(c.dataSync());
    const want = [4 / 3, 2 / 3, 0, 1.5, 5, 5];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    tf.dispose([c, embeddings, labels, logits]);
    loss.dispose();
  });

  it("learns the centers by gradient under centerUpdate 'gradient', where afterStep leaves them alone", () => {
    const loss = make({ centerUpdate: 'gradient', alpha: 0.5 });
    expect(loss.trainableVariables).toHaveLength(1);
    const x = makeLossInputs({ batch: 6, numClasses: 3, embeddingDim: 2, seed: 5 });
    const before = loss.getState();
    loss.afterStep!(x);
    expect(loss.getState()).toEqual(before);
    // d(lambda * L_c)/dc_j = -lambda / N * sum_{i: y_i=j} (z_i - c_j); at c = 0 that is -lambda / N * sum z_i
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => loss.compute(x).total, loss.trainableVariables);
      return Array.from(grads[loss.trainableVariables[0].name].dataSync());
    });
    const z = x.embeddings.arraySync();
    const labels = x.labels.arraySync();
    const want = [0, 0, 0, 0, 0, 0];
    z.forEach((row, i) => row.forEach((v, k) => (want[labels[i] * 2 + k] += (-0.01 / 6) * v)));
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    loss.dispose();
  });
});
