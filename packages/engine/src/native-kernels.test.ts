import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ser/core';
import { FusedBiRnn, FusedLstm } from './fused-lstm.js';
import { lstmRecurrenceStacked } from './internal/lstm-bptt.js';
import {
  activeKernelBuild,
  configureNativeKernels,
  firstAvailableBuild,
  fusedConvPoolRelu,
  nativeKernelsStatus,
  nativeLstmLayer,
  nativeLstmRecurrence,
  parseNativeKernelsSwitch,
  pinNativeKernels,
  wasmKernelsStatus,
} from './native-kernels.js';
import type { ConvPoolOptions, KernelBuild } from './native-kernels.js';

// The engine's kernels, both builds (the native addon and the WebAssembly build), against the same
// functions written with tf ops, on the cpu backend (the kernels work on host arrays, so the
// backend only matters for the reference).

function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return tf.tensor(v, shape);
}

/** max |a - b| / max(1, max |b|): relative to the reference's scale. */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(),
    y = b.dataSync();
  let d = 0,
    s = 1;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / s;
}

/** Runs f with a build of the kernels (null: the tf-op forms); returns its value and the gradients of sum(value * probe). */
function withKernels(build: KernelBuild | null, inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor, probeSeed: number) {
  configureNativeKernels({ enabled: build !== null, build: build ?? undefined, threads: 2 });
  expect(activeKernelBuild()).toBe(build);
  const value = f(...inputs);
  const probe = randn(new Rng(probeSeed), value.shape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe)))(inputs);
  return { value, grads };
}

beforeAll(async () => {
  pinNativeKernels(null);
  await tf.setBackend('cpu');
});
afterEach(() => configureNativeKernels({ enabled: false }));

describe('the native kernel addon', () => {
  it('is built wherever a C++ compiler is (npm install builds it; tools/build-native.mjs)', () => {
    const hasCompiler = spawnSync(process.env.CXX ?? 'c++', ['--version']).status === 0;
    if (!hasCompiler) return; // then the engine runs the tf-op forms, which the other suites cover
    expect(nativeKernelsStatus()).toEqual({ loaded: true });
  });
});

const BUILDS: KernelBuild[] = [...(nativeKernelsStatus().loaded ? ['native' as const] : []), 'wasm'];

describe("the kernels' WebAssembly build", () => {
  it('starts on every machine (it is committed; SIMD and shared memory are in Node 20), with worker threads', () => {
    expect(wasmKernelsStatus()).toEqual({ loaded: true, threads: expect.any(Number) });
  });
});

describe('which build the engine uses', () => {
  it('on the CPU engine the native addon, and the wasm build where the addon does not load', () => {
    expect(firstAvailableBuild(['native', 'wasm'], () => true)).toBe('native');
    expect(firstAvailableBuild(['native', 'wasm'], (b) => b === 'wasm')).toBe('wasm');
    expect(firstAvailableBuild(['native', 'wasm'], () => false)).toBeNull();
    configureNativeKernels({ enabled: true }); // what initEngine asks for beside tfjs-node
    expect(activeKernelBuild()).toBe(nativeKernelsStatus().loaded ? 'native' : 'wasm');
    configureNativeKernels({ enabled: true, build: 'wasm' }); // beside wasm
    expect(activeKernelBuild()).toBe('wasm');
    pinNativeKernels('off'); // SER_NATIVE_KERNELS=0 through the CLI
    try {
      expect(activeKernelBuild()).toBeNull();
      configureNativeKernels({ enabled: false }); // the cpu backend: none, unless pinned
      pinNativeKernels('wasm');
      expect(activeKernelBuild()).toBe('wasm');
    } finally {
      pinNativeKernels(null);
    }
    expect(activeKernelBuild()).toBeNull();
  });

  it("reads the SER_NATIVE_KERNELS switch's values as before: 0 off, 1 native, wasm; anything else no pin", () => {
    expect(parseNativeKernelsSwitch('0')).toBe('off');
    expect(parseNativeKernelsSwitch('1')).toBe('native');
    expect(parseNativeKernelsSwitch('wasm')).toBe('wasm');
    expect(parseNativeKernelsSwitch(undefined)).toBeNull();
    expect(parseNativeKernelsSwitch('')).toBeNull();
    expect(parseNativeKernelsSwitch('yes')).toBeNull();
  });
});

describe.each(BUILDS)('fusedConvPoolRelu: the %s kernel = tf ops', (build) => {
  const cases: { x: number[]; f: number[]; o: ConvPoolOptions }[] = [
    { x: [2, 9, 11, 3], f: [3, 3, 3, 8], o: { pad: [1, 1, 1, 1], pool: [2, 2] } },
    { x: [3, 13, 10, 1], f: [5, 5, 1, 16], o: { pad: [2, 2, 2, 2], pool: [2, 2] } },
    { x: [2, 12, 15, 16], f: [3, 3, 16, 32], o: { pad: [1, 1, 1, 1], pool: [2, 3] } },
    { x: [2, 7, 9, 5], f: [4, 2, 5, 24], o: { pad: [1, 2, 0, 1], pool: [1, 2] } },
    { x: [1, 6, 7, 8], f: [3, 3, 8, 64], o: { pad: [0, 0, 0, 0], pool: [2, 2] } },
    { x: [5, 11, 8, 2], f: [3, 1, 2, 16], o: { pad: [1, 1, 0, 0], pool: [3, 2] } },
  ];
  it.each(cases)('x $x, filter $f, $o: value and gradients of x, filter and bias', ({ x, f, o }) => {
    const rng = new Rng(x.reduce((a, b) => a * 31 + b, 7));
    const inputs = [randn(rng, x), randn(rng, f, 0.3), randn(rng, [f[3]], 0.3)];
    const fn = (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) => fusedConvPoolRelu(xx as tf.Tensor4D, ff as tf.Tensor4D, bb as tf.Tensor1D, o);
    const ref = withKernels(null, inputs, fn, 11);
    const nat = withKernels(build, inputs, fn, 11);
    expect(relDiff(nat.value, ref.value)).toBeLessThan(1e-5);
    nat.grads.forEach((g, i) => expect(relDiff(g, ref.grads[i]), `gradient ${i}`).toBeLessThan(1e-5));
  });

  it('inputGradient false: the filter and bias gradients are the same, x gets zeros', () => {
    const rng = new Rng(3);
    const inputs = [randn(rng, [2, 8, 8, 1]), randn(rng, [5, 5, 1, 16], 0.3), randn(rng, [16], 0.3)];
    const o: ConvPoolOptions = { pad: [2, 2, 2, 2], pool: [2, 2] };
    const fn = (inputGradient: boolean) => (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) =>
      fusedConvPoolRelu(xx as tf.Tensor4D, ff as tf.Tensor4D, bb as tf.Tensor1D, { ...o, inputGradient });
    const full = withKernels(build, inputs, fn(true), 5);
    const part = withKernels(build, inputs, fn(false), 5);
    expect(tf.max(tf.abs(full.grads[0])).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.max(tf.abs(part.grads[0])).dataSync()[0]).toBe(0);
    expect(relDiff(part.grads[1], full.grads[1])).toBe(0);
    expect(relDiff(part.grads[2], full.grads[2])).toBe(0);
  });

  it('gives bit-identical results run after run (per-thread sums added in a fixed order)', () => {
    const rng = new Rng(4);
    const inputs = [randn(rng, [6, 10, 12, 16]), randn(rng, [3, 3, 16, 32], 0.3), randn(rng, [32], 0.3)];
    const fn = (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) =>
      fusedConvPoolRelu(xx as tf.Tensor4D, ff as tf.Tensor4D, bb as tf.Tensor1D, { pad: [1, 1, 1, 1], pool: [2, 2] });
    const a = withKernels(build, inputs, fn, 6);
    const b = withKernels(build, inputs, fn, 6);
    a.grads.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(b.grads[i].dataSync())));
  });

  it('takes the tf-op form for shapes the kernel does not cover (channels not a multiple of 8)', () => {
    const rng = new Rng(5);
    const inputs = [randn(rng, [2, 6, 6, 2]), randn(rng, [3, 3, 2, 6], 0.3), randn(rng, [6], 0.3)];
    const fn = (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) =>
      fusedConvPoolRelu(xx as tf.Tensor4D, ff as tf.Tensor4D, bb as tf.Tensor1D, { pad: [1, 1, 1, 1], pool: [2, 2] });
    const ref = withKernels(null, inputs, fn, 8);
    const nat = withKernels(build, inputs, fn, 8);
    expect(relDiff(nat.value, ref.value)).toBe(0);
  });

  it('names the shapes when they do not fit', () => {
    configureNativeKernels({ enabled: true, build });
    expect(() =>
      fusedConvPoolRelu(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, tf.zeros([3, 3, 3, 8]) as tf.Tensor4D, tf.zeros([8]) as tf.Tensor1D, {
        pad: [1, 1, 1, 1],
        pool: [2, 2],
      }),
    ).toThrow(/filter \[3, 3, 3, 8\]/);
    expect(() =>
      fusedConvPoolRelu(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, tf.zeros([3, 3, 1, 8]) as tf.Tensor4D, tf.zeros([8]) as tf.Tensor1D, {
        pad: [0, 0, 0, 0],
        pool: [2, 2],
      }),
    ).toThrow(/leaves no 2x2 pooling window/);
  });
});

describe.each(BUILDS)('nativeLstmRecurrence (%s) = lstmRecurrenceStacked from tf ops', (build) => {
  // H 16: the 8-lane path; H 5: the scalar tails
  it.each([
    { T: 7, D: 2, B: 5, H: 16, masked: true },
    { T: 6, D: 1, B: 4, H: 5, masked: true },
    { T: 9, D: 2, B: 3, H: 12, masked: false },
  ])('T $T, D $D, B $B, H $H, masked $masked: value and gradients', ({ T, D, B, H, masked }) => {
    const rng = new Rng(T * 100 + H);
    // per-row lengths: padded steps at the end, as the trainer's batches have them
    const lengths = Array.from({ length: B }, (_, b) => (masked ? Math.max(1, T - b) : T));
    const mask = masked
      ? tf.tensor4d(
          Float32Array.from({ length: T * D * B }, (_, i) => (Math.floor(i / (D * B)) < lengths[i % B] ? 1 : 0)),
          [T, D, B, 1],
        )
      : null;
    const inputs = [randn(rng, [T, D, B, 4 * H]), randn(rng, [D, H, 4 * H], 0.4)];
    const fn = (p: tf.Tensor, u: tf.Tensor) => lstmRecurrenceStacked(p as tf.Tensor4D, u as tf.Tensor3D, mask);
    const ref = withKernels(null, inputs, fn, 9);
    const nat = withKernels(build, inputs, fn, 9);
    expect(relDiff(nat.value, ref.value)).toBeLessThan(1e-5);
    nat.grads.forEach((g, i) => expect(relDiff(g, ref.grads[i]), `gradient ${i}`).toBeLessThan(1e-5));
  });

  it('reverse runs time backwards with outputs in time order (= the reversed input, reversed back)', () => {
    const rng = new Rng(12);
    const [T, B, H] = [5, 3, 8];
    const p = randn(rng, [T, 1, B, 4 * H]) as tf.Tensor4D;
    const u = randn(rng, [1, H, 4 * H], 0.4) as tf.Tensor3D;
    configureNativeKernels({ enabled: true, build });
    const reversed = nativeLstmRecurrence(p, u, null, true);
    const viaFlip = tf.reverse(nativeLstmRecurrence(tf.reverse(p, 0), u, null, false), 0);
    expect(relDiff(reversed, viaFlip)).toBe(0);
  });

  it('nativeLstmLayer (batch-major, backward direction reversed) = the step-major recurrence, masked output', () => {
    const rng = new Rng(14);
    const [B, T, H] = [3, 6, 8];
    const lengths = [6, 4, 1];
    const mask = tf.tensor2d(lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))));
    const inputs = [randn(rng, [B, T, 2, 4 * H]), randn(rng, [2, H, 4 * H], 0.4)];
    configureNativeKernels({ enabled: true, build });
    const layer = (p: tf.Tensor, u: tf.Tensor) => nativeLstmLayer(p as tf.Tensor4D, u as tf.Tensor3D, mask, 0b10);
    // the same from the step-major form: per direction, the backward one on its own reversed-order call
    const stepMajor = (p: tf.Tensor, u: tf.Tensor) => {
      const byTime = tf.transpose(p, [1, 2, 0, 3]) as tf.Tensor4D; // [T, 2, B, 4H]
      const m = tf.reshape(tf.transpose(mask), [T, 1, B, 1]) as tf.Tensor4D;
      const dir = (d: number, reverse: boolean) =>
        nativeLstmRecurrence(tf.slice(byTime, [0, d, 0, 0], [T, 1, B, 4 * H]) as tf.Tensor4D, tf.slice(u, [d, 0, 0], [1, H, 4 * H]) as tf.Tensor3D, m, reverse);
      const hs = tf.concat([dir(0, false), dir(1, true)], 1); // [T, 2, B, H]
      return tf.mul(tf.transpose(hs, [2, 0, 1, 3]), tf.reshape(mask, [B, T, 1, 1]));
    };
    const probe = randn(rng, [B, T, 2, H]);
    const a = tf.grads((p: tf.Tensor, u: tf.Tensor) => tf.sum(tf.mul(layer(p, u), probe)))(inputs);
    const b = tf.grads((p: tf.Tensor, u: tf.Tensor) => tf.sum(tf.mul(stepMajor(p, u), probe)))(inputs);
    expect(relDiff(layer(inputs[0], inputs[1]), stepMajor(inputs[0], inputs[1]))).toBeLessThan(1e-6);
    a.forEach((g, i) => expect(relDiff(g, b[i]), `gradient ${i}`).toBeLessThan(1e-5));
    // padded frames output zeros
    expect(Array.from(tf.slice(layer(inputs[0], inputs[1]), [2, 1, 0, 0], [1, 5, 2, H]).dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('FusedBiRnn and FusedLstm with a mask equal their tf-op forms', () => {
    const rng = new Rng(13);
    const x = randn(rng, [4, 9, 6]) as tf.Tensor3D;
    const mask = tf.tensor2d([Array(9).fill(1), [...Array(6).fill(1), 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 0], Array(9).fill(1)]);
    const bi = new FusedBiRnn({ inputSize: 6, units: 16, seed: 3, name: 'nk-bi' });
    const uni = new FusedLstm({ inputSize: 6, units: 8, seed: 4, name: 'nk-uni' });
    for (const [layer, apply] of [
      [bi, (xx: tf.Tensor) => bi.apply(xx as tf.Tensor3D, mask, { returnSequences: true })],
      [uni, (xx: tf.Tensor) => uni.apply(xx as tf.Tensor3D, mask, { reverse: true, returnSequences: true })],
    ] as const) {
      const vars = layer.trainableVariables;
      const run = (native: boolean) => {
        configureNativeKernels({ enabled: native, build });
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(apply(x))) as tf.Scalar, vars);
        return { value, grads: vars.map((v) => grads[v.name]) };
      };
      const ref = run(false);
      const nat = run(true);
      expect(relDiff(nat.value, ref.value)).toBeLessThan(1e-5);
      nat.grads.forEach((g, i) => expect(relDiff(g, ref.grads[i]), vars[i].name).toBeLessThan(1e-5));
    }
  });
});
