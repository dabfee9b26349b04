import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, createOptimizer } from './optimizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const vals = (v: tf.Tensor) => Array.from(v.dataSync());

/** Runs steps of an optimiser over one variable with a gradient sequence; returns the values after each step. */
function run(config: Parameters<typeof createOptimizer>[0], init: number[], grads: number[][], lr: number) {
  const v = tf.variable(tf.tensor1d(init));
  const opt = createOptimizer(config, [v]);
  const out: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    opt.step([gt], lr);
    gt.dispose();
    out.push(vals(v));
  }
  opt.dispose();
  v.dispose();
  return out;
}

describe('optimisers (hand-computed)', () => {
  it('Adam with decoupled weight decay: first step moves lr * sign(g) after shrinking by (1 - lr wd)', () => {
    const adam = { id: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 } as const;
    const [s1, s2] = run(
      adam,
      [1, -2],
      [
        [0.5, -1],
        [0.5, -1],
      ],
      0.1,
    );
    // mHat = g and vHat = g^2 on step 1 (bias correction), so the update is g / |g|
    expect(s1[0]).toBeCloseTo(1 * (1 - 0.001) - 0.1, 6);
    expect(s1[1]).toBeCloseTo(-2 * (1 - 0.001) + 0.1, 6);
    // same gradient again: mHat and vHat are still g and g^2
    expect(s2[0]).toBeCloseTo(0.899 * 0.999 - 0.1, 6);
    expect(s2[1]).toBeCloseTo(-1.898 * 0.999 + 0.1, 6);
    // a changing gradient: m = 0.9*0.1*2 + 0.1*(-1) ... checked against the float64 formulas
    const g = [2, -1, 0.5];
    let p = 0.3;
    let m = 0;
    let v = 0;
    const got = run(
      { ...adam, weightDecay: 0 },
      [0.3],
      g.map((x) => [x]),
      0.05,
    );
    g.forEach((gi, t) => {
      m = 0.9 * m + 0.1 * gi;
      v = 0.999 * v + 0.001 * gi * gi;
      p -= (0.05 * (m / (1 - 0.9 ** (t + 1)))) / (Math.sqrt(v / (1 - 0.999 ** (t + 1))) + 1e-8);
      expect(got[t][0]).toBeCloseTo(p, 6);
    });
  });

  it('SGD momentum, plain and Nesterov', () => {
    const sgd = { id: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 } as const;
    const plain = run(sgd, [1], [[0.5], [0.5]], 0.1);
    expect(plain[0][0]).toBeCloseTo(0.95, 6); // buf 0.5
    expect(plain[1][0]).toBeCloseTo(0.855, 6); // buf 0.95
    const nest = run({ ...sgd, nesterov: true }, [1], [[0.5], [0.5]], 0.1);
    expect(nest[0][0]).toBeCloseTo(0.905, 6); // step 0.5 + 0.9 * 0.5
    expect(nest[1][0]).toBeCloseTo(0.7695, 6); // buf 0.95, step 0.5 + 0.855
    const decayed = run({ ...sgd, momentum: 0, weightDecay: 0.5 }, [2], [[0]], 0.1);
    expect(decayed[0][0]).toBeCloseTo(2 * (1 - 0.05), 6);
  });

  it('restores its state exactly: a restored optimiser continues bit-for-bit', () => {
    for (const config of [
      { id: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-7, weightDecay: 0.1 } as const,
      { id: 'sgd', learningRate: 0.01, momentum: 0.8, nesterov: true, weightDecay: 0.1 } as const,
    ]) {
      const a = tf.variable(tf.tensor2d([0.1, 0.2, -0.3, 0.4], [2, 2]));
      const b = tf.variable(tf.tensor2d([9, 9, 9, 9], [2, 2]));
      const oa = createOptimizer(config, [a]);
      const ob = createOptimizer(config, [b]);
      const g1 = tf.tensor2d([0.3, -0.1, 0.7, 0.2], [2, 2]);
      const g2 = tf.tensor2d([-0.5, 0.25, 0.1, 0.9], [2, 2]);
      oa.step([g1], 0.01);
      oa.step([g2], 0.01);
      ob.setState(oa.getState());
      b.assign(a);
      expect(ob.iterations).toBe(2);
      oa.step([g1], 0.005);
      ob.step([g1], 0.005);
      expect(vals(b)).toEqual(vals(a));
      expect(ob.getState()).toEqual(oa.getState());
      expect(() => ob.setState({ ...oa.getState(), '0/m': { shape: [3], values: [0, 0, 0] }, '0/momentum': { shape: [3], values: [0, 0, 0] } })).toThrow(
        /shape \[3\]/,
      );
      tf.dispose([a, b, g1, g2]);
      oa.dispose();
      ob.dispose();
    }
  });

  it('leaves a variable without gradient (null) alone', () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const o = createOptimizer({ id: 'sgd', learningRate: 1, momentum: 0, nesterov: false, weightDecay: 0.5 }, [a, b]);
    const g = tf.tensor1d([1]);
    o.step([g, null], 1);
    expect(vals(a)).toEqual([1 * 0.5 - 1]);
    expect(vals(b)).toEqual([1]);
    tf.dispose([a, b, g]);
    o.dispose();
  });

  it('applies weight decay only where asked (the trainer passes false for loss variables)', () => {
    const a = tf.variable(tf.tensor1d([2]));
    const b = tf.variable(tf.tensor1d([2]));
    const o = createOptimizer({ id: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1 }, [a, b], [true, false]);
    const g = tf.tensor1d([1]);
    o.step([g, g], 0.1);
    expect(vals(a)[0]).toBeCloseTo(2 * 0.9 - 0.1, 6);
    expect(vals(b)[0]).toBeCloseTo(2 - 0.1, 6);
    tf.dispose([a, b, g]);
    o.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients together by c / max(norm, c)', () => {
    const before = tf.memory().numTensors;
    const g = [tf.tensor1d([3, 0]), tf.tensor1d([4])]; // global norm 5
    const clipped = clipByGlobalNorm([...g, null], 1);
    expect(vals(clipped[0]!)).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(vals(clipped[1]!)[0]).toBeCloseTo(0.8, 6);
    expect(clipped[2]).toBeNull();
    const loose = clipByGlobalNorm(g, 10);
    expect(vals(loose[0]!)).toEqual([3, 0]);
    tf.dispose([...g, ...clipped.filter((x): x is tf.Tensor => x !== null), ...(loose as tf.Tensor[])]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
