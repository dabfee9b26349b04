import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { computeValues, describeLossConformance, makeLossInputs, resolveConfig } from '@ser/loss-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { islandLoss, islandPairTerm } from './island-loss.js';
import type { IslandLossConfig } from './island-loss.js';

describeLossConformance(islandLoss);
describeLossConformance(islandLoss, { centerUpdate: 'gradient' });

const context = { numClasses: 3, embeddingDim: 2, seed: 0, logger: silentLogger };
const make = (partial: Partial<IslandLossConfig> = {}) => islandLoss.create(resolveConfig<IslandLossConfig>(islandLoss.schema, partial), context);

describe('island loss', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('pair term: orthogonal centers give 1 per ordered pair, opposite ones 0', () => {
    const v = (c: number[][]) => tf.tidy(() => islandPairTerm(tf.tensor2d(c)).dataSync()[0]);
    expect(
      v([
        [1, 0],
        [0, 2],
      ]),
    ).toBeCloseTo(2, 6);
    expect(
      v([
        [1, 0],
        [-3, 0],
      ]),
    ).toBeCloseTo(0, 6);
    expect(
      v([
        [1, 1],
        [2, 2],
      ]),
    ).toBeCloseTo(4, 6);
  });

  it('with lambda1 0 is the center loss: same total, same center update', () => {
    const loss = make({ lambda1: 0, alpha: 0.5 });
    loss.setState({ centers: { shape: [3, 2], values: [1, 0, 0, 2, 5, 5] } });
    const embeddings = tf.tensor2d([
      [3, 0],
      [1, 4],
      [0, 0],
    ]);
    const labels = tf.tensor1d([0, 0, 1], 'int32');
    const logits = tf.zeros([3, 3]) as tf.Tensor2D;
    const got = computeValues(loss, { embeddings, logits, labels });
    expect(got.terms.center).toBeCloseTo(4, 6);
    expect(got.total).toBeCloseTo(Math.log(3) + 0.01 * 4, 6);
    loss.afterStep!({ embeddings, labels });
    // the center-loss hand computation (see loss-center): (4/3, 2/3), (0, 1.5), (5, 5)
    const want = [4 / 3, 2 / 3, 0, 1.5, 5, 5];
    loss.getState().centers.values.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    tf.dispose([embeddings, labels, logits]);
    loss.dispose();
  });

  it('moves a class absent from the batch away from the others by the cosine gradient', () => {
    const loss = make({ lambda1: 1, alpha: 0.5 });
    // c0 = (1, 0), c1 = (1, 1), c2 = (0, 1); the batch has only class 0 at its center
    loss.setState({ centers: { shape: [3, 2], values: [1, 0, 1, 1, 0, 1] } });
    const x = { embeddings: tf.tensor2d([[1, 0]]), labels: tf.tensor1d([0], 'int32') };
    loss.afterStep!(x);
    // for c1 = (1,1)/sqrt2 direction: d cos(c_k, c1)/d c1 = c_k/(|c_k||c1|) - (c_k.c1) c1 / (|c_k||c1|^3)
    // k=0: (1,0)/sqrt2 - 1*(1,1)/(2 sqrt2) = (0.5, -0.5)/sqrt2 ; k=2: (-0.5, 0.5)/sqrt2 ; sum = 0 -> c1 stays
    // for c2 = (0,1): k=0: (1,0)/1 - 0 = (1, 0); k=1: (1,1)/sqrt2 - 1/sqrt2 * (0,1) = (1/sqrt2, 0)
    //   sum = (1 + 1/sqrt2, 0); c2 <- (0,1) - 0.5 * 1/2 * sum = (-(1 + 1/sqrt2)/4, 1)
    const c = loss.getState().centers.values;
    const want = [null, null, 1, 1, -(1 + Math.SQRT1_2) / 4, 1];
    want.forEach((w, i) => {
      if (w !== null) expect(c[i]).toBeCloseTo(w, 5);
    });
    tf.dispose([x.embeddings, x.labels]);
    loss.dispose();
  });

  it('reports the pair term and adds lambda * lambda1 times it', () => {
    const loss = make({ lambda: 0.1, lambda1: 2 });
    loss.setState({ centers: { shape: [3, 2], values: [1, 0, 0, 1, 1, 1] } });
    const x = makeLossInputs({ batch: 4, numClasses: 3, embeddingDim: 2, seed: 2 });
    const got = computeValues(loss, x);
    expect(got.total).toBeCloseTo(got.terms.softmax + 0.1 * (got.terms.center + 2 * got.terms.island), 5);
    // ordered pairs: cos(c0,c1)=0, cos(c0,c2)=cos(c1,c2)=1/sqrt2 -> 2 * (1 + 2 * (1 + 1/sqrt2))
    expect(got.terms.island).toBeCloseTo(2 * (1 + 2 * (1 + Math.SQRT1_2)), 5);
    tf.dispose([x.embeddings, x.logits, x.labels]);
    loss.dispose();
  });
});
