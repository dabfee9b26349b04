import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ser/core';
import { FusedBiRnn, FusedGru, FusedLstm, bidirectional } from './fused-lstm.js';

const TOL = 1e-4;

function randn(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return tf.tensor(v, shape);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Kind = 'lstm' | 'gru';

/** The tf.layers reference with the fused layer's weights copied in. */
function reference(kind: Kind, fused: FusedLstm | FusedGru, goBackwards: boolean, x: tf.Tensor3D) {
  const args = { units: fused.units, recurrentActivation: 'sigmoid' as const, returnSequences: true, goBackwards };
  const layer = kind === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args);
  tf.tidy(() => {
    layer.apply(x);
  });
  layer.setWeights(fused.trainableVariables);
  return layer;
}

describe.each(['lstm', 'gru'] as const)('Fused %s against tf.layers', (kind) => {
  const make = (seed: number) =>
    kind === 'lstm' ? new FusedLstm({ inputSize: 5, units: 6, seed, name: `t-${kind}` }) : new FusedGru({ inputSize: 5, units: 6, seed, name: `t-${kind}` });

  it.each([false, true])('outputs and gradients match (reverse=%s)', (reverse) => {
    const rng = new Rng(reverse ? 2 : 1);
    const x = randn(rng, [3, 7, 5]) as tf.Tensor3D;
    const w = randn(rng, [3, 7, 6]);
    const fused = make(11);
    // non-trivial bias so every gate's bias gradient is exercised
    fused.trainableVariables[2].assign(randn(rng, fused.trainableVariables[2].shape) as tf.Tensor1D);
    const layer = reference(kind, fused, reverse, x);

    const ours = fused.apply(x, undefined, { reverse, returnSequences: true });
    // Keras' goBackwards returns outputs in processing order: flip them back to input time.
    const theirsRaw = layer.apply(x) as tf.Tensor;
    const theirs = reverse ? tf.reverse(theirsRaw, 1) : theirsRaw;
    expect(maxDiff(ours, theirs)).toBeLessThan(TOL);
    const finalOurs = fused.apply(x, undefined, { reverse });
    expect(maxDiff(finalOurs, tf.slice(theirsRaw, [0, 6, 0], [3, 1, 6]).reshape([3, 6]))).toBeLessThan(TOL);

    const lossOurs = () => tf.sum(tf.mul(fused.apply(x, undefined, { reverse, returnSequences: true }), w)) as tf.Scalar;
    const lossTheirs = () => {
      const out = layer.apply(x) as tf.Tensor;
      return tf.sum(tf.mul(reverse ? tf.reverse(out, 1) : out, w)) as tf.Scalar;
    };
    const gOurs = tf.variableGrads(lossOurs, fused.trainableVariables);
    const theirVars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const gTheirs = tf.variableGrads(lossTheirs, theirVars);
    expect(Math.abs(gOurs.value.dataSync()[0] - gTheirs.value.dataSync()[0])).toBeLessThan(TOL * 10);
    fused.trainableVariables.forEach((v, i) => {
      const a = gOurs.grads[v.name];
      const b = gTheirs.grads[theirVars[i].name];
      expect(tf.max(tf.abs(a)).dataSync()[0]).toBeGreaterThan(1e-3);
      expect(maxDiff(a, b)).toBeLessThan(TOL);
    });
    // gradient with respect to the input too (the conv stack below the RNN trains through it)
    const dxOurs = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(fused.apply(xx as tf.Tensor3D, undefined, { reverse, returnSequences: true }), w)))(x);
    const dxTheirs = tf.grad((xx: tf.Tensor) => {
      const out = layer.apply(xx) as tf.Tensor;
      return tf.sum(tf.mul(reverse ? tf.reverse(out, 1) : out, w));
    })(x);
    expect(maxDiff(dxOurs, dxTheirs)).toBeLessThan(TOL);
    fused.dispose();
    layer.dispose();
  });

  it.each([false, true])('masked final-state gradients match tf.layers with the mask (reverse=%s)', (reverse) => {
    const rng = new Rng(reverse ? 22 : 21);
    const x = randn(rng, [3, 6, 5]) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0, 0],
    ]);
    const w = randn(rng, [3, 6]);
    const fused = make(16);
    fused.trainableVariables[2].assign(randn(rng, fused.trainableVariables[2].shape) as tf.Tensor1D);
    const args = { units: 6, recurrentActivation: 'sigmoid' as const, returnSequences: false, goBackwards: reverse };
    const layer = kind === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args);
    tf.tidy(() => {
      layer.apply(x);
    });
    layer.setWeights(fused.trainableVariables);
    const theirVars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const gOurs = tf.variableGrads(() => tf.sum(tf.mul(fused.apply(x, mask, { reverse }), w)) as tf.Scalar, fused.trainableVariables);
    const gTheirs = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { mask }) as tf.Tensor, w)) as tf.Scalar, theirVars);
    expect(Math.abs(gOurs.value.dataSync()[0] - gTheirs.value.dataSync()[0])).toBeLessThan(TOL * 10);
    fused.trainableVariables.forEach((v, i) => expect(maxDiff(gOurs.grads[v.name], gTheirs.grads[theirVars[i].name])).toBeLessThan(TOL));
    const dx = (fn: (xx: tf.Tensor3D) => tf.Tensor) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(fn(xx as tf.Tensor3D), w)))(x);
    const dxO = dx((xx) => fused.apply(xx, mask, { reverse }));
    expect(
      maxDiff(
        dxO,
        dx((xx) => layer.apply(xx, { mask }) as tf.Tensor),
      ),
    ).toBeLessThan(TOL);
    // padded frames get no gradient
    expect(tf.max(tf.abs(tf.slice(dxO, [0, 4, 0], [1, 2, 5]))).dataSync()[0]).toBe(0);
    fused.dispose();
    layer.dispose();
  });

  it('a padded sequence ends in the same state as the unpadded shorter one, both directions', () => {
    const rng = new Rng(3);
    const fused = make(12);
    const long = randn(rng, [1, 9, 5]);
    const short = randn(rng, [1, 4, 5]);
    // batch: row 0 = short padded with garbage (must be ignored), row 1 = a full-length sequence
    const padded = tf.concat([tf.concat([short, randn(rng, [1, 5, 5])], 1), long], 0) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 0, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
    ]);
    for (const reverse of [false, true]) {
      const finalPadded = fused.apply(padded, mask, { reverse });
      const finalShort = fused.apply(short as tf.Tensor3D, undefined, { reverse });
      const finalLong = fused.apply(long as tf.Tensor3D, undefined, { reverse });
      expect(maxDiff(finalPadded.slice([0, 0], [1, 6]), finalShort)).toBeLessThan(1e-5);
      expect(maxDiff(finalPadded.slice([1, 0], [1, 6]), finalLong)).toBeLessThan(1e-5);
      const seqPadded = fused.apply(padded, mask, { reverse, returnSequences: true });
      const seqShort = fused.apply(short as tf.Tensor3D, undefined, { reverse, returnSequences: true });
      expect(maxDiff(seqPadded.slice([0, 0, 0], [1, 4, 6]), seqShort)).toBeLessThan(1e-5);
      expect(tf.max(tf.abs(seqPadded.slice([0, 4, 0], [1, 5, 6]))).dataSync()[0]).toBe(0);
    }
    fused.dispose();
  });

  it('leaks no tensors in apply or in its gradient', () => {
    const fused = make(13);
    const x = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      fused.apply(x, mask, { returnSequences: true, reverse: true });
    });
    const g = tf.variableGrads(() => tf.sum(fused.apply(x, mask)) as tf.Scalar, fused.trainableVariables);
    tf.dispose([g.value, ...Object.values(g.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    fused.dispose();
  });

  it('getState / setState round-trips the weights', () => {
    const a = make(14);
    const b = make(15);
    const x = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 2) as tf.Tensor3D;
    expect(maxDiff(a.apply(x), b.apply(x))).toBeGreaterThan(1e-3);
    const state = a.getState();
    expect(Object.keys(state)).toEqual([`t-${kind}/kernel`, `t-${kind}/recurrent_kernel`, `t-${kind}/bias`]);
    expect(state[`t-${kind}/kernel`].shape).toEqual([5, (kind === 'lstm' ? 4 : 3) * 6]);
    b.setState(JSON.parse(JSON.stringify(state)));
    expect(maxDiff(a.apply(x), b.apply(x))).toBe(0);
    expect(() => b.setState({})).toThrow(/missing/);
    a.dispose();
    b.dispose();
  });
});

describe('initialisation', () => {
  it('is reproducible from the seed, orthogonal recurrent kernel, forget bias 1', () => {
    const a = new FusedLstm({ inputSize: 3, units: 4, seed: 5, name: 'init' });
    const b = new FusedLstm({ inputSize: 3, units: 4, seed: 5, name: 'init' });
    expect(a.trainableVariables[0].name).not.toBe(b.trainableVariables[0].name);
    expect(maxDiff(a.trainableVariables[0], b.trainableVariables[0])).toBe(0);
    const u = a.trainableVariables[1];
    const gram = tf.matMul(u, u, false, true);
    expect(maxDiff(gram, tf.eye(4))).toBeLessThan(1e-5);
    expect(Array.from(a.trainableVariables[2].dataSync())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, ...new Array(8).fill(0)]);
    a.dispose();
    b.dispose();
  });

  it('constructing and disposing a layer leaves no tensor behind (LSTM, GRU, bidirectional)', () => {
    const before = tf.memory().numTensors;
    new FusedLstm({ inputSize: 3, units: 4, seed: 1, name: 'leak' }).dispose();
    new FusedGru({ inputSize: 3, units: 4, seed: 1, name: 'leak' }).dispose();
    new FusedBiRnn({ inputSize: 3, units: 4, seed: 1, name: 'leak' }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a wrongly shaped input, naming the shapes', () => {
    const a = new FusedGru({ inputSize: 3, units: 2, seed: 1, name: 'bad' });
    expect(() => a.apply(tf.zeros([2, 4, 5]) as tf.Tensor3D)).toThrow(/\[batch, time, 3\], got \[2, 4, 5\]/);
    expect(() => a.apply(tf.zeros([2, 4, 3]) as tf.Tensor3D, tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(/mask/);
    a.dispose();
  });
});

describe('FusedBiRnn', () => {
  it('concatenates the forward pass and the time-aligned reverse pass', () => {
    const bi = new FusedBiRnn({ inputSize: 5, units: 3, seed: 1, name: 'bi' });
    const x = tf.randomNormal([2, 6, 5], 0, 1, 'float32', 3) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
    ]);
    const out = bi.apply(x, mask, { returnSequences: true });
    expect(out.shape).toEqual([2, 6, 6]);
    const fw = bi.fw.apply(x, mask, { returnSequences: true });
    const bw = bi.bw.apply(x, mask, { returnSequences: true, reverse: true });
    expect(maxDiff(out, tf.concat([fw, bw], 2))).toBe(0);
    expect(maxDiff(bidirectional(bi.fw, bi.bw, x, mask, 'sum'), tf.add(bi.fw.apply(x, mask), bi.bw.apply(x, mask, { reverse: true })))).toBe(0);
    expect(Object.keys(bi.getState())).toHaveLength(6);
    expect(bi.trainableVariables).toHaveLength(6);
    bi.dispose();
  });

  it.each([
    ['concat', true],
    ['concat', false],
    ['sum', true],
    ['sum', false],
  ] as const)(
    'LSTM on libtensorflow: both directions stacked equal the separate passes in value and gradient (merge %s, returnSequences %s)',
    async (merge, returnSequences) => {
      await import('@tensorflow/tfjs-node');
      await tf.setBackend('tensorflow'); // the stacked path runs on libtensorflow only
      const bi = new FusedBiRnn({ inputSize: 5, units: 3, seed: 2, name: 'stack', merge });
      const x = tf.randomNormal([3, 7, 5], 0, 1, 'float32', 4) as tf.Tensor3D;
      const mask = tf.tensor2d([
        [1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0, 0],
        [1, 1, 0, 0, 0, 0, 0],
      ]);
      const w = tf.randomNormal(returnSequences ? [3, 7, merge === 'concat' ? 6 : 3] : [3, merge === 'concat' ? 6 : 3], 0, 1, 'float32', 5);
      const before = tf.memory().numTensors;
      for (const m of [mask, undefined]) {
        const loss = (f: () => tf.Tensor) => () => tf.sum(tf.mul(f(), w)) as tf.Scalar;
        const got = tf.variableGrads(
          loss(() => bi.apply(x, m, { returnSequences })),
          bi.trainableVariables,
        );
        const want = tf.variableGrads(
          loss(() => bidirectional(bi.fw, bi.bw, x, m, merge, { returnSequences })),
          bi.trainableVariables,
        );
        expect(Math.abs(got.value.dataSync()[0] - want.value.dataSync()[0])).toBeLessThan(1e-5);
        for (const v of bi.trainableVariables) {
          expect(maxDiff(got.grads[v.name], want.grads[v.name])).toBeLessThan(1e-5);
          expect(tf.tidy(() => tf.max(tf.abs(want.grads[v.name])).dataSync()[0])).toBeGreaterThan(1e-3);
        }
        tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads)]);
      }
      expect(tf.memory().numTensors).toBe(before);
      bi.dispose();
      await tf.setBackend('cpu');
    },
  );
});
