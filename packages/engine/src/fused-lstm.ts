// Fused recurrent layers: the whole input sequence is projected by ONE matMul, and each time step
// does ONE matMul h x U for all gates (LSTM; GRU needs a second for its reset-gated candidate).
// tf.layers.lstm instead multiplies every step's input by the kernel separately, and its backward
// pass then adds T partial kernel gradients: measured here 1.37 s vs 0.98 s for the reference step.
import * as tf from '@tensorflow/tfjs';
import { Rng, SerError } from '@ser/core';
import type { StateDict } from '@ser/core';
import { glorotUniform, orthogonal } from './internal/init.js';
import { lstmRecurrence, lstmRecurrenceStacked } from './internal/lstm-bptt.js';
import { nativeKernelsActive, nativeLstmLayer } from './native-kernels.js';

/** Options of a fused recurrent layer. */
export interface FusedRnnOptions {
  /** Features per input frame (the last axis of x). */
  inputSize: number;
  /** Hidden units H. */
  units: number;
  /** Seed of the weight initialisers (glorot-uniform kernel, orthogonal recurrent kernel). */
  seed: number;
  /** Prefix of the variable names and of the state keys, e.g. 'birnn/fw'. */
  name: string;
  /** LSTM only: start the forget-gate bias at 1 (Keras unitForgetBias, the default true). */
  unitForgetBias?: boolean;
}

/** Options of one pass over a sequence. */
export interface RnnApplyOptions {
  /** Process time from the last frame to the first; outputs stay aligned with input time. */
  reverse?: boolean;
  /** true: [batch, time, H] outputs (zero at padded steps); false (default): the final h [batch, H]. */
  returnSequences?: boolean;
}

function uniqueName(base: string): string {
  const taken = (tf.engine().state as unknown as { registeredVariables: Record<string, unknown> }).registeredVariables;
  if (taken[base] === undefined) return base;
  for (let i = 1; ; i++) if (taken[`${base}_${i}`] === undefined) return `${base}_${i}`;
}

function checkInput(layer: string, inputSize: number, x: tf.Tensor, mask?: tf.Tensor): void {
  if (x.rank !== 3 || x.shape[2] !== inputSize) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `${layer}.apply: x must be [batch, time, ${inputSize}], got [${x.shape.join(', ')}]; check the feature size the layer was built with`,
    );
  }
  if (mask && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])) {
    throw new SerError('SHAPE_MISMATCH', `${layer}.apply: mask must be [batch, time] = [${x.shape[0]}, ${x.shape[1]}], got [${mask.shape.join(', ')}]`);
  }
}

/** Shared variable bookkeeping, projection and masked time loop of the fused layers. */
abstract class FusedRnnBase {
  readonly inputSize: number;
  readonly units: number;
  readonly name: string;
  /** [kernel [inputSize, G*H], recurrentKernel [H, G*H], bias [G*H]] (G gates), Keras layout. */
  readonly trainableVariables: tf.Variable[];
  protected readonly kernel: tf.Variable;
  protected readonly recurrentKernel: tf.Variable;
  protected readonly bias: tf.Variable;
  private readonly stateKeys: string[];

  protected constructor(options: FusedRnnOptions, gates: number, bias: Float32Array) {
    const { inputSize, units, seed, name } = options;
    if (!(Number.isInteger(inputSize) && inputSize > 0 && Number.isInteger(units) && units > 0)) {
      throw new SerError('CONFIG_INVALID', `${name}: inputSize and units must be positive integers, got ${inputSize} and ${units}`);
    }
    this.inputSize = inputSize;
    this.units = units;
    this.name = name;
    const rng = new Rng(seed);
    const g = gates * units;
    // tf.variable copies its initial value: dispose the temporary tensors (they would leak).
    const init = (values: Float32Array, shape: number[], key: string): tf.Variable => {
      const t = tf.tensor(values, shape, 'float32');
      const v = tf.variable(t, true, uniqueName(`${name}/${key}`));
      t.dispose();
      return v;
    };
    this.kernel = init(glorotUniform(rng.fork('kernel'), inputSize, g), [inputSize, g], 'kernel');
    this.recurrentKernel = init(orthogonal(rng.fork('recurrent'), units, g), [units, g], 'recurrent_kernel');
    this.bias = init(bias, [g], 'bias');
    this.trainableVariables = [this.kernel, this.recurrentKernel, this.bias];
    this.stateKeys = [`${name}/kernel`, `${name}/recurrent_kernel`, `${name}/bias`];
  }

  /** The weights as plain arrays, keyed '<name>/kernel', '<name>/recurrent_kernel', '<name>/bias'. */
  getState(): StateDict {
    const out: StateDict = {};
    this.trainableVariables.forEach((v, i) => {
      out[this.stateKeys[i]] = { shape: [...v.shape], values: Array.from(v.dataSync()) };
    });
    return out;
  }

  /** Restores weights saved by getState (shapes must match). */
  setState(state: StateDict): void {
    this.trainableVariables.forEach((v, i) => {
      const key = this.stateKeys[i];
      const s = state[key];
      if (!s) throw new SerError('CHECKPOINT_INVALID', `${this.name}.setState: key '${key}' is missing; the checkpoint was made by another model`);
      if (s.shape.length !== v.shape.length || s.shape.some((d, k) => d !== v.shape[k]) || s.values.length !== v.size) {
        throw new SerError(
          'CHECKPOINT_INVALID',
          `${this.name}.setState: '${key}' has shape [${s.shape.join(', ')}] (${s.values.length} values), expected [${v.shape.join(', ')}]`,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(s.values, v.shape)));
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.trainableVariables) v.dispose();
  }

  /**
   * Runs the layer over x [batch, time, inputSize] with an optional mask [batch, time] (1 = real
   * frame). Padded steps carry h (and c) over unchanged and output zeros, so with padding at the
   * end a reverse pass starts from the zero state at the last real frame.
   * Returns [batch, time, H] (returnSequences) or the final h [batch, H]. Differentiable.
   */
  apply(x: tf.Tensor3D, mask?: tf.Tensor2D, options: RnnApplyOptions = {}): tf.Tensor3D | tf.Tensor2D {
    checkInput(this.constructor.name, this.inputSize, x, mask);
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const g = this.kernel.shape[1] as number;
      // [batch*time, in] x [in, G*H] once, then time-major so each step is a contiguous slice.
      const proj = tf.add(tf.matMul(tf.reshape(x, [batch * time, this.inputSize]), this.kernel), this.bias);
      const steps = tf.unstack(tf.transpose(tf.reshape(proj, [batch, time, g]), [1, 0, 2])) as tf.Tensor2D[];
      const masks = mask ? (tf.unstack(tf.transpose(tf.reshape(tf.cast(mask, 'float32'), [batch, time, 1]), [1, 0, 2])) as tf.Tensor2D[]) : null;
      const outputs: tf.Tensor2D[] = new Array(time);
      let state = this.initialState(batch);
      // Index arithmetic, never an in-place reverse of the array tf.unstack returned (DESIGN trap).
      for (let k = 0; k < time; k++) {
        const t = options.reverse ? time - 1 - k : k;
        const next = this.step(steps[t], state);
        if (masks) {
          const m = masks[t];
          state = next.map((s, j) => tf.add(state[j], tf.mul(m, tf.sub(s, state[j])))) as tf.Tensor2D[];
          outputs[t] = tf.mul(m, next[0]);
        } else {
          state = next;
          outputs[t] = next[0];
        }
      }
      return options.returnSequences ? (tf.stack(outputs, 1) as tf.Tensor3D) : state[0];
    });
  }

  protected abstract initialState(batch: number): tf.Tensor2D[];
  /** One step from the projected input xt [batch, G*H]; state[0] is h. */
  protected abstract step(xt: tf.Tensor2D, state: tf.Tensor2D[]): tf.Tensor2D[];
}

/**
 * LSTM with sigmoid gates (PyTorch / paper semantics, not tf.layers' hardSigmoid default), gates in
 * Keras order i, f, c, o: z = x W + h U + b; c' = f*c + i*tanh(zc); h' = o*tanh(c').
 * Weights: kernel [in, 4H] glorot-uniform, recurrentKernel [H, 4H] orthogonal, bias [4H] zeros
 * with the forget-gate quarter at 1 unless unitForgetBias is false.
 */
export class FusedLstm extends FusedRnnBase {
  constructor(options: FusedRnnOptions) {
    const bias = new Float32Array(4 * options.units);
    if (options.unitForgetBias !== false) bias.fill(1, options.units, 2 * options.units);
    super(options, 4, bias);
  }

  /** As FusedRnnBase.apply, with the recurrence's backward pass written by hand (internal/lstm-bptt). */
  override apply(x: tf.Tensor3D, mask?: tf.Tensor2D, options: RnnApplyOptions = {}): tf.Tensor3D | tf.Tensor2D {
    checkInput('FusedLstm', this.inputSize, x, mask);
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const g = 4 * this.units;
      const proj = tf.add(tf.matMul(tf.reshape(x, [batch * time, this.inputSize]), this.kernel), this.bias);
      const projT = tf.transpose(tf.reshape(proj, [batch, time, g]), [1, 0, 2]) as tf.Tensor3D;
      const maskT = mask ? (tf.transpose(tf.reshape(tf.cast(mask, 'float32'), [batch, time, 1]), [1, 0, 2]) as tf.Tensor3D) : null;
      const hs = lstmRecurrence(projT, this.recurrentKernel as tf.Tensor2D, maskT, options.reverse ?? false); // [T, B, H]
      if (!options.returnSequences) {
        const last = options.reverse ? 0 : time - 1;
        return tf.reshape(tf.slice(hs, [last, 0, 0], [1, batch, this.units]), [batch, this.units]) as tf.Tensor2D;
      }
      return tf.transpose(maskT ? tf.mul(hs, maskT) : hs, [1, 0, 2]) as tf.Tensor3D;
    });
  }

  protected initialState(batch: number): tf.Tensor2D[] {
    const zero = tf.zeros([batch, this.units]) as tf.Tensor2D;
    return [zero, zero];
  }

  protected step(xt: tf.Tensor2D, [h, c]: tf.Tensor2D[]): tf.Tensor2D[] {
    const z = tf.add(xt, tf.matMul(h, this.recurrentKernel));
    const [zi, zf, zc, zo] = tf.split(z, 4, 1);
    const cNext = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc))) as tf.Tensor2D;
    const hNext = tf.mul(tf.sigmoid(zo), tf.tanh(cNext)) as tf.Tensor2D;
    return [hNext, cNext];
  }
}

/**
 * GRU as tfjs implements it (Keras resetAfter = false; tfjs rejects resetAfter true), gates in
 * order z, r, h: z = s(xz + h Uz), r = s(xr + h Ur), hh = tanh(xh + (r*h) Uh), h' = z*h + (1-z)*hh.
 * One bias [3H] added to the input projection. Weights: kernel [in, 3H], recurrentKernel [H, 3H].
 */
export class FusedGru extends FusedRnnBase {
  constructor(options: FusedRnnOptions) {
    super(options, 3, new Float32Array(3 * options.units));
  }

  protected initialState(batch: number): tf.Tensor2D[] {
    return [tf.zeros([batch, this.units]) as tf.Tensor2D];
  }

  protected step(xt: tf.Tensor2D, [h]: tf.Tensor2D[]): tf.Tensor2D[] {
    const H = this.units;
    // Sliced inside the step so the gradient flows to the one variable; the slices are cheap.
    const uzr = tf.slice(this.recurrentKernel, [0, 0], [H, 2 * H]);
    const uh = tf.slice(this.recurrentKernel, [0, 2 * H], [H, H]);
    const [xz, xr, xh] = tf.split(xt, 3, 1);
    const [hz, hr] = tf.split(tf.matMul(h, uzr), 2, 1);
    const z = tf.sigmoid(tf.add(xz, hz));
    const r = tf.sigmoid(tf.add(xr, hr));
    const hh = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, h), uh)));
    return [tf.add(hh, tf.mul(z, tf.sub(h, hh))) as tf.Tensor2D];
  }
}

/** A fused recurrent layer (FusedLstm or FusedGru). */
export type FusedRnn = FusedLstm | FusedGru;

/**
 * Bidirectional pass: fw over time forwards, bw reversed (its outputs aligned with input time),
 * merged by 'concat' ([.., 2H]: fw first) or 'sum'. Returns [batch, time, *] or final [batch, *].
 */
export function bidirectional(
  fw: FusedRnn,
  bw: FusedRnn,
  x: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  merge: 'concat' | 'sum' = 'concat',
  options: { returnSequences?: boolean } = {},
): tf.Tensor3D | tf.Tensor2D {
  return tf.tidy(() => {
    const a = fw.apply(x, mask, { returnSequences: options.returnSequences });
    const b = bw.apply(x, mask, { returnSequences: options.returnSequences, reverse: true });
    return (merge === 'concat' ? tf.concat([a, b], a.rank - 1) : tf.add(a, b)) as tf.Tensor3D | tf.Tensor2D;
  });
}

/** Options of FusedBiRnn: those of one direction plus the cell kind and the merge. */
export interface FusedBiRnnOptions extends FusedRnnOptions {
  cell?: 'lstm' | 'gru';
  merge?: 'concat' | 'sum';
}

/** A bidirectional fused LSTM or GRU: variables '<name>/fw/...' and '<name>/bw/...'. */
export class FusedBiRnn {
  readonly fw: FusedRnn;
  readonly bw: FusedRnn;
  readonly merge: 'concat' | 'sum';
  readonly trainableVariables: tf.Variable[];

  constructor(options: FusedBiRnnOptions) {
    const make = (dir: string, seed: number): FusedRnn => {
      const o = { ...options, name: `${options.name}/${dir}`, seed };
      return options.cell === 'gru' ? new FusedGru(o) : new FusedLstm(o);
    };
    this.fw = make('fw', options.seed);
    this.bw = make('bw', options.seed + 7919);
    this.merge = options.merge ?? 'concat';
    this.trainableVariables = [...this.fw.trainableVariables, ...this.bw.trainableVariables];
  }

  /**
   * x [batch, time, in], mask [batch, time] -> [batch, time, 2H] (concat) or final [batch, 2H].
   * Equals bidirectional(fw, bw, ...). For LSTM on libtensorflow both directions run together: one
   * input projection [batch*time, in] x [in, 8H] and one batched matMul [2, batch, H] x [2, H, 4H] per step;
   * with the engine's native kernels (returnSequences) the recurrence is one native kernel each way.
   */
  apply(x: tf.Tensor3D, mask?: tf.Tensor2D, options: { returnSequences?: boolean } = {}): tf.Tensor3D | tf.Tensor2D {
    const lstm = this.fw instanceof FusedLstm && this.bw instanceof FusedLstm;
    if (lstm && options.returnSequences && nativeKernelsActive()) {
      checkInput('FusedBiRnn', this.fw.inputSize, x, mask);
      return this.applyNative(x, mask);
    }
    // stacked only on libtensorflow: there it halves the kernels; on wasm it measured 3x slower
    if (!lstm || tf.getBackend() !== 'tensorflow') {
      return bidirectional(this.fw, this.bw, x, mask, this.merge, options);
    }
    const { fw, bw } = this;
    checkInput('FusedBiRnn', fw.inputSize, x, mask);
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const H = fw.units;
      const g = 4 * H;
      const [fwK, fwU, fwB] = fw.trainableVariables;
      const [bwK, bwU, bwB] = bw.trainableVariables;
      const proj = tf.add(tf.matMul(tf.reshape(x, [batch * time, fw.inputSize]), tf.concat([fwK, bwK], 1)), tf.concat([fwB, bwB]));
      // [T*2, B, 4H] time-major, then ONE gather puts step k of both directions together: row
      // (k, fw) = time k, row (k, bw) = time T-1-k. The permutation is its own inverse.
      const byTime = tf.reshape(tf.transpose(tf.reshape(proj, [batch, time, 2, g]), [1, 2, 0, 3]), [time * 2, batch, g]);
      const perm = tf.tensor1d(
        Array.from({ length: 2 * time }, (_, i) => (i % 2 === 0 ? i : 2 * (time - 1 - (i >> 1)) + 1)),
        'int32',
      );
      const stepMajor = (t: tf.Tensor, last: number) => tf.reshape(tf.gather(t, perm), [time, 2, batch, last]) as tf.Tensor4D;
      const maskT = mask ? tf.reshape(tf.transpose(tf.cast(mask, 'float32')), [time, 1, batch, 1]) : null;
      const maskS = maskT ? stepMajor(tf.reshape(tf.concat([maskT, maskT], 1), [time * 2, batch, 1]), 1) : null;
      const hs = lstmRecurrenceStacked(stepMajor(byTime, g), tf.stack([fwU, bwU]) as tf.Tensor3D, maskS); // [T, 2, B, H] by step
      if (!options.returnSequences) {
        // step T-1 holds both final states: fw at the last frame, bw at the first
        const last = tf.reshape(tf.slice(hs, [time - 1, 0, 0, 0], [1, 2, batch, H]), [2, batch, H]);
        return (this.merge === 'concat' ? tf.reshape(tf.transpose(last, [1, 0, 2]), [batch, 2 * H]) : tf.sum(last, 0)) as tf.Tensor2D;
      }
      let out: tf.Tensor = tf.reshape(tf.gather(tf.reshape(hs, [time * 2, batch, H]), perm), [time, 2, batch, H]); // by time
      if (maskT) out = tf.mul(out, maskT);
      if (this.merge === 'sum') return tf.transpose(tf.sum(out, 1), [1, 0, 2]) as tf.Tensor3D;
      return tf.reshape(tf.transpose(out, [2, 0, 1, 3]), [batch, time, 2 * H]) as tf.Tensor3D;
    });
  }

  /** The native kernel reads the projection as it comes ([batch, time, 2, 4H]) and writes the merged layout. */
  private applyNative(x: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const H = this.fw.units;
      const [fwK, fwU, fwB] = this.fw.trainableVariables;
      const [bwK, bwU, bwB] = this.bw.trainableVariables;
      const proj = tf.add(tf.matMul(tf.reshape(x, [batch * time, this.fw.inputSize]), tf.concat([fwK, bwK], 1)), tf.concat([fwB, bwB]));
      const y = nativeLstmLayer(tf.reshape(proj, [batch, time, 2, 4 * H]) as tf.Tensor4D, tf.stack([fwU, bwU]) as tf.Tensor3D, mask ?? null, 0b10);
      return (this.merge === 'concat' ? tf.reshape(y, [batch, time, 2 * H]) : tf.sum(y, 2)) as tf.Tensor3D;
    });
  }

  getState(): StateDict {
    return { ...this.fw.getState(), ...this.bw.getState() };
  }

  setState(state: StateDict): void {
    this.fw.setState(state);
    this.bw.setState(state);
  }

  dispose(): void {
    this.fw.dispose();
    this.bw.dispose();
  }
}
