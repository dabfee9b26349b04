// Each registered wasm kernel against the cpu backend's result on random shapes, strides, paddings.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ser/core';
import { initEngine } from './engine.js';
import { THREADED_MATMUL_MIN, WASM_KERNELS } from './wasm-kernels.js';
import { engineWasmKernels } from './native-kernels.js';
import { wasmLimits } from './internal/limits.js';

type Inputs = Record<string, { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' }>;

function rand(rng: Rng, shape: number[]): Inputs[string] {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal();
  return { shape, values, dtype: 'float32' };
}

/** Runs the kernel on a backend from plain arrays and returns plain arrays (one per output). */
async function runOn(backend: string, kernel: string, inputs: Inputs, attrs: Record<string, unknown>) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype);
    const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, values: t.dataSync().slice() }));
  });
}

/** Max abs difference relative to the largest magnitude of the cpu result. */
async function compare(kernel: string, inputs: Inputs, attrs: Record<string, unknown>): Promise<number> {
  const ours = await runOn('wasm', kernel, inputs, attrs);
  const ref = await runOn('cpu', kernel, inputs, attrs);
  expect(ours.length).toBe(ref.length);
  let worst = 0;
  ours.forEach((o, i) => {
    expect(o.shape).toEqual(ref[i].shape);
    let scale = 1e-6;
    for (const v of ref[i].values) scale = Math.max(scale, Math.abs(v));
    for (let k = 0; k < o.values.length; k++) worst = Math.max(worst, Math.abs(o.values[k] - ref[i].values[k]) / scale);
  });
  return worst;
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm', threads: 1 });
});

describe('registered wasm kernels match the cpu backend', () => {
  it('registers exactly the listed kernels', () => {
    for (const name of WASM_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect([...WASM_KERNELS].sort()).toEqual(
      ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity', 'Slice', 'Unpack', 'UnsortedSegmentSum'].sort(),
    );
  });

  const convCases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: unknown }> = [
    { x: [2, 9, 7, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
    { x: [3, 10, 8, 1], f: [5, 5, 1, 6], strides: 1, pad: 'same' },
    { x: [2, 9, 8, 2], f: [3, 2, 2, 3], strides: [2, 1], pad: 'valid' },
    { x: [1, 11, 9, 2], f: [4, 3, 2, 2], strides: 2, pad: 'same' },
    {
      x: [2, 7, 6, 3],
      f: [3, 3, 3, 2],
      strides: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 1],
        [0, 0],
      ],
    },
  ];

  it.each(convCases)('Conv2DBackpropFilter x $x f $f strides $strides pad $pad', async (c) => {
    const rng = new Rng(1);
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.strides, c.pad as 'same').shape);
    const d = await compare(
      'Conv2DBackpropFilter',
      { x: rand(rng, c.x), dy: rand(rng, outShape) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.f },
    );
    expect(d).toBeLessThan(1e-4);
  });

  it.each(convCases)('Conv2DBackpropInput x $x f $f strides $strides pad $pad', async (c) => {
    const rng = new Rng(2);
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.strides, c.pad as 'same').shape);
    const d = await compare(
      'Conv2DBackpropInput',
      { dy: rand(rng, outShape), filter: rand(rng, c.f) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x },
    );
    expect(d).toBeLessThan(1e-4);
  });

  it('Conv2DBackpropFilter splits a large input into im2col blocks and still matches', async () => {
    const rng = new Rng(3);
    // K = 3*3*3 = 27 rows, 12*10 columns per image: 7000 floats hold 2 images, so blocks of 2, 2, 1
    const saved = wasmLimits.im2colFloats;
    wasmLimits.im2colFloats = 7000;
    try {
      const d = await compare(
        'Conv2DBackpropFilter',
        { x: rand(rng, [5, 12, 10, 3]), dy: rand(rng, [5, 12, 10, 4]) },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 3, 4] },
      );
      expect(d).toBeLessThan(1e-4);
    } finally {
      wasmLimits.im2colFloats = saved;
    }
  });

  it.each([
    [false, false, [2, 5, 7], [2, 7, 3]],
    [true, false, [2, 7, 5], [2, 7, 3]],
    [false, true, [5, 7], [3, 7]],
    [true, true, [3, 7, 5], [1, 3, 7]],
  ])('BatchMatMul transposeA=%s transposeB=%s', async (ta, tb, a, b) => {
    const rng = new Rng(4);
    const d = await compare('BatchMatMul', { a: rand(rng, a as number[]), b: rand(rng, b as number[]) }, { transposeA: ta, transposeB: tb });
    expect(d).toBeLessThan(1e-5);
  });

  // at least THREADED_MATMUL_MIN multiply-adds: the engine's threaded wasm matMul (@ser/native)
  it.each([
    [false, false, [2, 70, 80], [2, 80, 61]],
    [true, false, [80, 70], [80, 61]],
    [false, true, [3, 65, 90], [47, 90]],
    [true, true, [90, 65], [2, 47, 90]],
  ])('BatchMatMul transposeA=%s transposeB=%s on the threaded matMul (batch shared or broadcast)', async (ta, tb, a, b) => {
    const [M, K] = ta ? (a as number[]).slice(-2).reverse() : (a as number[]).slice(-2);
    const N = tb ? (b as number[]).at(-2)! : (b as number[]).at(-1)!;
    expect(M * N * K).toBeGreaterThanOrEqual(THREADED_MATMUL_MIN);
    expect(engineWasmKernels()).not.toBeNull();
    const rng = new Rng(9);
    const d = await compare('BatchMatMul', { a: rand(rng, a as number[]), b: rand(rng, b as number[]) }, { transposeA: ta, transposeB: tb });
    expect(d).toBeLessThan(1e-5);
  });

  it.each([
    [
      [7, 5],
      [2, 1],
      [3, 4],
    ],
    [
      [4, 6, 5],
      [1, 0, 2],
      [2, 6, 3],
    ],
    [
      [3, 4, 5, 6],
      [0, 1, 2, 3],
      [3, 2, 2, 3],
    ],
    [
      [2, 3, 2, 3, 4],
      [1, 0, 1, 1, 1],
      [1, 3, 1, 2, 2],
    ],
    [[10], [3], [0]],
    [
      [4, 5, 6],
      [1, 2, 0],
      [2, 3, 6],
    ], // trailing dim full: runs of 18
    [
      [5, 4, 1],
      [1, 1, 0],
      [3, 2, 1],
    ], // short runs copied element-wise
    [
      [2, 304, 132, 1],
      [0, 2, 3, 0],
      [2, 300, 128, 1],
    ], // an im2col shift of fastConv2d
  ])('Slice %j begin %j size %j', async (shape, begin, size) => {
    const d = await compare('Slice', { x: rand(new Rng(5), shape) }, { begin, size });
    expect(d).toBe(0);
  });

  it.each([0, 1, 2, -1])('Unpack axis %i', async (axis) => {
    const d = await compare('Unpack', { value: rand(new Rng(6), [3, 4, 5]) }, { axis });
    expect(d).toBe(0);
  });

  it('UnsortedSegmentSum with repeated and out-of-range ids', async () => {
    const ids = { shape: [6], values: Int32Array.from([0, 2, 2, 5, 1, 0]), dtype: 'int32' as const };
    const d = await compare('UnsortedSegmentSum', { x: rand(new Rng(7), [6, 3, 2]), segmentIds: ids }, { numSegments: 4 });
    expect(d).toBeLessThan(1e-6);
  });
});

describe('Identity', () => {
  it('equals the input and shares its data safely: disposing either leaves the other intact', async () => {
    const d = await compare('Identity', { x: rand(new Rng(8), [3, 4]) }, {});
    expect(d).toBe(0);
    await tf.setBackend('wasm');
    const before = tf.memory();
    const t = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(t);
    t.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    const c2 = tf.clone(c);
    c.dispose();
    expect(Array.from(c2.dataSync())).toEqual([1, 2, 3]);
    c2.dispose();
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.memory().numTensors).toBe(before.numTensors);
  });
});

describe('training on wasm', () => {
  it('conv + fused LSTM gradients equal the cpu backend and leak no tensors', async () => {
    const { FusedLstm } = await import('./fused-lstm.js');
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.randomNormal([2, 8, 6, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.3, 'float32', 2));
      const lstm = new FusedLstm({ inputSize: 12, units: 5, seed: 3, name: `w-${backend}` });
      const before = tf.memory().numTensors;
      const { value, grads: g } = tf.variableGrads(() => {
        const c = tf.maxPool(tf.relu(tf.conv2d(x, f as tf.Tensor4D, 1, 'same')), 2, 2, 'valid'); // [2,4,3,4]
        const seq = tf.reshape(c, [2, 4, 12]) as tf.Tensor3D;
        return tf.mean(tf.square(lstm.apply(seq, undefined, { returnSequences: true }))) as tf.Scalar;
      }, [f, ...lstm.trainableVariables]);
      const out = [value, ...Object.values(g)].map((t) => Array.from(t.dataSync()));
      tf.dispose([value, ...Object.values(g)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, f]);
      lstm.dispose();
      return out;
    };
    const w = await grads('wasm');
    const c = await grads('cpu');
    w.forEach((arr, i) => arr.forEach((v, k) => expect(Math.abs(v - c[i][k])).toBeLessThan(1e-4)));
  });
});
