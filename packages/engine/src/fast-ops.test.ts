import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fastConv2d, fastMaxPool, fastRelu } from './fast-ops.js';
import { initEngine } from './engine.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('fastConv2d', () => {
  it.each([
    [[2, 9, 7, 1], [5, 5, 1, 3], 'same'],
    [[2, 8, 6, 2], [3, 3, 2, 4], 'same'],
    [[1, 8, 7, 1], [4, 2, 1, 2], 'same'],
    [[2, 8, 7, 3], [3, 2, 3, 2], 'valid'],
    [[1, 6, 6, 8], [3, 3, 8, 2], 'same'], // patch 72 > 32: the tf.conv2d path
  ] as const)('x %j filter %j %s equals tf.conv2d, values and gradients', (xs, fs, pad) => {
    const x = tf.randomNormal([...xs], 0, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomNormal([...fs], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ref = tf.conv2d(x, f, 1, pad);
    const ours = fastConv2d(x, f, 1, pad);
    expect(maxDiff(ours, ref)).toBeLessThan(1e-4);
    const w = tf.randomNormal(ref.shape, 0, 1, 'float32', 3);
    const g = (fn: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, b as tf.Tensor4D), w)))([x, f]);
    const [dxO, dfO] = g((a, b) => fastConv2d(a, b, 1, pad));
    const [dxR, dfR] = g((a, b) => tf.conv2d(a, b, 1, pad));
    expect(maxDiff(dxO, dxR)).toBeLessThan(1e-4);
    expect(maxDiff(dfO, dfR)).toBeLessThan(1e-3);
  });

  it('rejects mismatched channels, naming both shapes', () => {
    expect(() => fastConv2d(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, tf.zeros([3, 3, 1, 2]) as tf.Tensor4D)).toThrow(
      /x \[1, 4, 4, 2\] and filter \[3, 3, 1, 2\]/,
    );
  });
});

describe('fastRelu', () => {
  it('equals tf.relu in value and gradient away from 0, and leaks nothing', () => {
    const x = tf.tensor1d([-2, -0.5, 0.3, 1.5, -1e-3, 4]);
    expect(maxDiff(fastRelu(x), tf.relu(x))).toBe(0);
    const w = tf.tensor1d([1, 2, 3, 4, 5, 6]);
    const gO = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(fastRelu(a), w)))(x);
    const gR = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(x);
    expect(Array.from(gO.dataSync())).toEqual(Array.from(gR.dataSync()));
    expect(Array.from(gO.dataSync())).toEqual([0, 0, 3, 4, 0, 6]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((a: tf.Tensor) => tf.sum(fastRelu(a)))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fastMaxPool', () => {
  it.each([
    [[2, 8, 6, 3], 2],
    [[1, 9, 7, 2], 2], // odd sizes: the last row and column are dropped, as 'valid' does
    [[2, 9, 9, 1], 3],
    [
      [2, 9, 8, 2],
      [3, 2],
    ], // rectangular window [h, w]
    [
      [1, 7, 9, 2],
      [1, 4],
    ],
  ] as const)('x %j size %j equals tf.maxPool on libtensorflow (its custom gradient) and on cpu', async (shape, s) => {
    const size: number | [number, number] = typeof s === 'number' ? s : [s[0], s[1]];
    for (const backend of ['tfjs-node', 'cpu'] as const) {
      await initEngine({ backend });
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 4) as tf.Tensor4D;
      const ref = tf.maxPool(x, size, size, 'valid');
      expect(maxDiff(fastMaxPool(x, size), ref)).toBe(0);
      const w = tf.randomNormal(ref.shape, 0, 1, 'float32', 5);
      const gO = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(fastMaxPool(a as tf.Tensor4D, size), w)))(x);
      const gR = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, size, 'valid'), w)))(x);
      expect(maxDiff(gO, gR)).toBe(0);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        tf.grad((a: tf.Tensor) => tf.sum(fastMaxPool(a as tf.Tensor4D, size)))(x);
      });
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects an input smaller than the window', () => {
    expect(() => fastMaxPool(tf.zeros([1, 1, 4, 1]) as tf.Tensor4D, 2)).toThrow(/smaller than the 2x2 window/);
  });
});
