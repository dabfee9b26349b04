import { configureNativeKernels, nativeKernelsStatus, tf } from '@ser/engine';
import { useTestBackend } from '@ser/model-core/testing';
import { describe, expect, it } from 'vitest';
import type { ConvLayerConfig } from '../config.js';
import { ConvBlock } from './conv-block.js';
import { VariableStore } from '@ser/model-core';

/** The block in its textbook order: pad -> tf.conv2d -> + bias -> tf.relu -> tf.maxPool -> mask. */
function textbook(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D, c: ConvLayerConfig, mask: tf.Tensor2D): tf.Tensor4D {
  const [kt, kf] = c.kernel;
  const bt = Math.floor((kt - 1) / 2);
  const bf = Math.floor((kf - 1) / 2);
  const padded = tf.pad(x, [
    [0, 0],
    [bt, kt - 1 - bt],
    [bf, kf - 1 - bf],
    [0, 0],
  ]);
  const y = tf.relu(tf.add(tf.conv2d(padded, kernel, [c.stride[0], c.stride[1]], 'valid'), bias)) as tf.Tensor4D;
  const p = tf.maxPool(y, c.pooling.size, c.pooling.size, 'valid');
  const [b, n] = p.shape;
  const m = tf.min(tf.reshape(tf.slice(mask, [0, 0], [b, n * c.pooling.size[0]]), [b, n, c.pooling.size[0]]), 2);
  return tf.mul(p, tf.reshape(m, [b, n, 1, 1]));
}

describe('ConvBlock fast path (fastConv2d, max-pool before bias + relu, fastMaxPool, fastRelu)', () => {
  const cases: [string, ConvLayerConfig, number][] = [
    ['5x5 on one channel (im2col)', { filters: 4, kernel: [5, 5], stride: [1, 1], pooling: { type: 'max', size: [2, 2] }, batchNorm: false, dropout: 0 }, 1],
    [
      '3x3 on 3 channels, 2x1 pool (tf.conv2d)',
      { filters: 2, kernel: [3, 3], stride: [1, 1], pooling: { type: 'max', size: [2, 1] }, batchNorm: false, dropout: 0 },
      3,
    ],
  ];
  // the engine's fused kernel takes blocks of 8k filters
  const nativeCases: [string, ConvLayerConfig, number][] = [
    [
      '5x5 on one channel, 8 filters (native fused)',
      { filters: 8, kernel: [5, 5], stride: [1, 1], pooling: { type: 'max', size: [2, 2] }, batchNorm: false, dropout: 0 },
      1,
    ],
    [
      '3x3 on 3 channels, 16 filters, 2x1 pool (native fused)',
      { filters: 16, kernel: [3, 3], stride: [1, 1], pooling: { type: 'max', size: [2, 1] }, batchNorm: false, dropout: 0 },
      3,
    ],
  ];
  const runs = [
    ...(['tensorflow', 'cpu'] as const).map((backend) => ({ backend, native: false, build: 'native' as const, cases })),
    ...(nativeKernelsStatus().loaded ? [{ backend: 'tensorflow' as const, native: true, build: 'native' as const, cases: nativeCases }] : []),
    // the kernels' wasm build (the wasm engine's) works on host arrays like the native one
    { backend: 'cpu' as const, native: true, build: 'wasm' as const, cases: nativeCases },
  ];
  for (const { backend, native, build, cases } of runs) {
    it.each(cases)(
      `equals the textbook block in value and gradient on ${backend}${native ? ` with the ${build} kernels` : ''}: %s`,
      async (_name, config, cin) => {
        await useTestBackend(backend);
        configureNativeKernels({ enabled: native, build });
        const store = new VariableStore(3, 'test');
        const block = new ConvBlock(config, cin, store, 'c');
        const [kernel, bias] = store.trainable as [tf.Variable, tf.Variable];
        bias.assign(tf.tensor1d(Array.from({ length: config.filters }, (_, i) => (i % 2 ? 0.3 : -0.2))));
        const mask = tf.tensor2d([
          [1, 1, 1, 1, 1, 1, 1, 1, 1],
          [1, 1, 1, 1, 1, 0, 0, 0, 0],
        ]);
        const x = tf.mul(tf.randomNormal([2, 9, 8, cin], 0, 1, 'float32', 7), tf.reshape(mask, [2, 9, 1, 1])) as tf.Tensor4D;
        const w = tf.randomNormal([2, 4, config.pooling.size[1] === 2 ? 4 : 8, config.filters], 0, 1, 'float32', 8);
        const fast = tf.variableGrads(() => tf.sum(tf.mul(block.apply(x, mask, true, () => '0').x, w)) as tf.Scalar, [kernel, bias]);
        const ref = tf.variableGrads(
          () => tf.sum(tf.mul(textbook(x, kernel as tf.Tensor4D, bias as tf.Tensor1D, config, mask), w)) as tf.Scalar,
          [kernel, bias],
        );
        expect(fast.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0], 3);
        for (const v of [kernel, bias]) {
          const d = tf.max(tf.abs(tf.sub(fast.grads[v.name], ref.grads[v.name]))).dataSync()[0];
          expect(d).toBeLessThan(1e-4);
          expect(tf.max(tf.abs(ref.grads[v.name])).dataSync()[0]).toBeGreaterThan(1e-3); // a gradient worth comparing
        }
        tf.dispose([mask, x, w, fast.value, ref.value, ...Object.values(fast.grads), ...Object.values(ref.grads)]);
        store.dispose();
        configureNativeKernels({ enabled: false });
      },
    );
  }
});
