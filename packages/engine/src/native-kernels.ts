// The engine's own kernels as differentiable tf ops, forward and backward: a fused conv block,
// relu(maxPool(conv2d(x, w)) + b), and the LSTM recurrence. Two builds of the same C++ sources
// (@ser/native): the native addon (built at install by tools/build-native.mjs) for the CPU engine,
// tfjs-node, and the WebAssembly build (SIMD, threads; committed) for the wasm engine and for
// tfjs-node where the addon is not built. Both work on
// host arrays, so they run beside any backend; the engine uses them where the tensors live in host
// memory anyway (tfjs-node on the CPU, wasm), never on the GPU backend.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { SerError } from '@ser/core';
import {
  NATIVE_API_VERSION,
  WASM_KERNELS_API_VERSION,
  loadNative,
  loadWasmKernels,
  nativeStatus,
  wasmKernelsStatus,
  type ModelKernels,
  type WasmKernelsApi,
} from '@ser/native';
import { fastConv2d, fastMaxPool, fastRelu } from './fast-ops.js';

export { NATIVE_API_VERSION, WASM_KERNELS_API_VERSION };
/** Whether the native addon (@ser/native) loads, and if not, why. */
export { nativeStatus as nativeKernelsStatus };
/** Whether the WebAssembly build of the kernels starts, and if not, why. */
export { wasmKernelsStatus };

/** Which build of the kernels the engine uses. */
export type KernelBuild = 'native' | 'wasm';

let threads = os.availableParallelism();
let engineBuilds: readonly KernelBuild[] = [];
let pinned: KernelPin | null = null;

/**
 * initEngine's switch: for the CPU engine (tfjs-node) the native build, else (no compiler built the
 * addon) the wasm build, which beats the tf-op forms there too; for the wasm engine the wasm build;
 * none for the others (enabled: false). `build` pins one build. A pin (pinNativeKernels) wins over it.
 */
export function configureNativeKernels(options: { enabled: boolean; build?: KernelBuild; threads?: number }): void {
  engineBuilds = !options.enabled ? [] : options.build ? [options.build] : ['native', 'wasm'];
  if (options.threads) threads = options.threads;
}

/** A choice of the kernels that holds for every backend: 'off' (the tf-op forms) or one build. */
export type KernelPin = 'off' | KernelBuild;

/**
 * Pins the kernels for every backend, whatever initEngine picks per backend (tests compare the
 * builds against the tf-op forms on the cpu backend); null lifts the pin. The CLI pins them from
 * SER_NATIVE_KERNELS through initEngine's `nativeKernels` option.
 */
export function pinNativeKernels(pin: KernelPin | null): void {
  pinned = pin;
}

/** The pin in force, or null. */
export function nativeKernelsPin(): KernelPin | null {
  return pinned;
}

/** A pin from the text of the SER_NATIVE_KERNELS switch: '0' off, '1' native, 'wasm'; anything else (or unset) none. */
export function parseNativeKernelsSwitch(value: string | undefined): KernelPin | null {
  return value === '0' ? 'off' : value === '1' ? 'native' : value === 'wasm' ? 'wasm' : null;
}

/** The first of `builds` that loads (null: none, the tf-op forms). */
export function firstAvailableBuild(builds: readonly KernelBuild[], loads: (build: KernelBuild) => boolean): KernelBuild | null {
  return builds.find(loads) ?? null;
}

/** The build in use now, or null for the tf-op forms. */
export function activeKernelBuild(): KernelBuild | null {
  const builds: readonly KernelBuild[] = pinned === 'off' ? [] : pinned ? [pinned] : engineBuilds;
  return firstAvailableBuild(builds, (b) => kernelsOf(b) !== null);
}

/** A build's kernels, or null where it does not load (both loaders cache their answer). */
function kernelsOf(build: KernelBuild): ModelKernels | null {
  return build === 'native' ? loadNative() : loadWasmKernels(threads);
}

/** Whether fusedConvPoolRelu and the LSTM layers run the engine's kernels now (else their tf-op forms). */
export function nativeKernelsActive(): boolean {
  return activeKernelBuild() !== null;
}

/** The wasm build when it is the one in use (its threaded matMul serves the wasm backend's BatchMatMul), else null. */
export function engineWasmKernels(): WasmKernelsApi | null {
  return activeKernelBuild() === 'wasm' ? loadWasmKernels(threads) : null;
}

/** The kernels of the active build (callers check nativeKernelsActive() first). */
function activeKernels(): ModelKernels {
  const build = activeKernelBuild();
  const k = build ? kernelsOf(build) : null;
  if (!k) {
    const why = [nativeStatus().reason, wasmKernelsStatus().reason].filter(Boolean).join('; ');
    throw new SerError('ENGINE_UNAVAILABLE', `the engine's kernels are not available: ${why || 'switched off'}`);
  }
  return k;
}

/** Options of fusedConvPoolRelu. */
export interface ConvPoolOptions {
  /** Zero padding [top, bottom, left, right] of x's [h, w] before the 'valid' stride-1 conv. */
  pad: [number, number, number, number];
  /** Non-overlapping max-pool window (= stride) [h, w]; partial windows dropped. */
  pool: [number, number];
  /**
   * Whether x's gradient is computed. A first layer over input features passes false: its x
   * gradient is then zeros (saves the scatter back onto the input).
   */
  inputGradient?: boolean;
}

/** The output [h, w] of the block for an input [h, w]. */
export function convPoolOutputSize(h: number, w: number, fh: number, fw: number, o: ConvPoolOptions): [number, number] {
  const [pt, pb, pl, pr] = o.pad;
  return [Math.floor((h + pt + pb - fh + 1) / o.pool[0]), Math.floor((w + pl + pr - fw + 1) / o.pool[1])];
}

/** Whether the native kernel takes this block: output channels a multiple of 8, up to 64, window <= 255. */
export function nativeConvPoolSupports(outChannels: number, pool: [number, number]): boolean {
  return outChannels % 8 === 0 && outChannels <= 64 && pool[0] * pool[1] <= 255;
}

/**
 * relu(maxPool(conv2d(pad(x), filter, stride 1, 'valid'), pool) + bias), NHWC:
 * x [batch, h, w, cin], filter [fh, fw, cin, cout], bias [cout] -> [batch, h', w', cout].
 * With the native kernels active (and a supported shape) it is one fused kernel each way;
 * otherwise the same function from the engine's fast tf ops (fastConv2d, fastMaxPool, fastRelu). The two agree to float rounding (the gradient differs
 * only on exact ties within a pooling window, where the kernel credits the first maximum).
 */
export function fusedConvPoolRelu(x: tf.Tensor4D, filter: tf.Tensor4D | tf.Variable, bias: tf.Tensor1D | tf.Variable, options: ConvPoolOptions): tf.Tensor4D {
  const [b, h, w, cin] = x.shape;
  const [fh, fw, fcin, cout] = filter.shape as [number, number, number, number];
  if (x.rank !== 4 || filter.rank !== 4 || fcin !== cin || bias.shape.length !== 1 || bias.shape[0] !== cout) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `fusedConvPoolRelu: x must be [batch, h, w, cin], filter [fh, fw, cin, cout] and bias [cout], got x [${x.shape.join(', ')}], filter [${filter.shape.join(', ')}], bias [${bias.shape.join(', ')}]`,
    );
  }
  const [oh, ow] = convPoolOutputSize(h, w, fh, fw, options);
  if (oh < 1 || ow < 1) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `fusedConvPoolRelu: x [${x.shape.join(', ')}] leaves no ${options.pool.join('x')} pooling window after the ${fh}x${fw} conv`,
    );
  }
  const native = nativeKernelsActive() && nativeConvPoolSupports(cout, options.pool) ? activeKernels() : null;
  if (!native) {
    // the engine's fast tf ops: im2col for small patches, max-pool before bias + relu (equal, a quarter of the work)
    return tf.tidy(() => {
      const [pt, pb, pl, pr] = options.pad;
      const xp =
        pt || pb || pl || pr
          ? tf.pad(x, [
              [0, 0],
              [pt, pb],
              [pl, pr],
              [0, 0],
            ])
          : x;
      return fastRelu(tf.add(fastMaxPool(fastConv2d(xp, filter, 1, 'valid'), options.pool), bias)) as tf.Tensor4D;
    });
  }
  const dims = Int32Array.from([b, h, w, cin, cout, fh, fw, ...options.pad, ...options.pool, threads]);
  const inputGradient = options.inputGradient ?? true;
  const op = tf.customGrad(((xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor, save: tf.GradSaveFunc) => {
    const xs = xt.dataSync() as Float32Array;
    const ws = ft.dataSync() as Float32Array;
    const n = b * oh * ow * cout;
    const ys = new Float32Array(n);
    const argmax = new Uint8Array(n);
    native.convPoolForward(dims, xs, ws, bt.dataSync() as Float32Array, ys, argmax);
    const y = tf.tensor4d(ys, [b, oh, ow, cout]);
    save([]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const dx = inputGradient ? new Float32Array(xs.length) : null;
        const dw = new Float32Array(ws.length);
        const db = new Float32Array(cout);
        native.convPoolBackward(dims, xs, ws, ys, argmax, dy.dataSync() as Float32Array, dx, dw, db);
        return [dx ? tf.tensor4d(dx, [b, h, w, cin]) : tf.zeros([b, h, w, cin]), tf.tensor4d(dw, [fh, fw, cin, cout]), tf.tensor1d(db)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.Tensor4D)(x, filter, bias);
}

/**
 * The LSTM recurrence in one native kernel each way, with lstmRecurrenceStacked's contract:
 * proj [T, D, B, 4H] (x W + b, step-major, gates i, f, c, o), U [D, H, 4H], mask [T, D, B, 1]
 * (1 = real frame) or null -> hs [T, D, B, H], the carried h after each step (a padded step
 * carries h and c over). reverse: step k is time T-1-k (outputs stay in time order).
 * Differentiable in proj and U. Callers check nativeKernelsActive() first.
 */
export function nativeLstmRecurrence(proj: tf.Tensor4D, u: tf.Tensor3D, mask: tf.Tensor4D | null, reverse = false): tf.Tensor4D {
  const [T, D, B, G] = proj.shape;
  return runLstm({ T, D, B, H: G / 4, reverseBits: reverse ? (1 << D) - 1 : 0, batchMajor: false }, proj, u, mask) as tf.Tensor4D;
}

/**
 * A whole bidirectional (or D-directional) LSTM layer's recurrence in the layout the layer has:
 * proj [B, T, D, 4H] (x W + b of every direction side by side), U [D, H, 4H], mask [B, T] or null
 * -> y [B, T, D, H], h of each direction at each frame, zero at padded frames (reshaped to
 * [B, T, D*H] it is the 'concat' merge). Direction d runs backwards in time when bit d of
 * reverseBits is set. No transposes or gathers around it, either way. Differentiable in proj and U.
 */
export function nativeLstmLayer(proj: tf.Tensor4D, u: tf.Tensor3D, mask: tf.Tensor2D | null, reverseBits: number): tf.Tensor4D {
  const [B, T, D, G] = proj.shape;
  return runLstm({ T, D, B, H: G / 4, reverseBits, batchMajor: true }, proj, u, mask) as tf.Tensor4D;
}

function runLstm(
  s: { T: number; D: number; B: number; H: number; reverseBits: number; batchMajor: boolean },
  proj: tf.Tensor,
  u: tf.Tensor,
  mask: tf.Tensor | null,
): tf.Tensor {
  const native = activeKernels();
  const { T, D, B, H } = s;
  const dims = Int32Array.from([T, D, B, H, s.reverseBits, s.batchMajor ? 1 : 0, threads]);
  // read now: a mask captured from outside may be disposed before the backward pass runs
  const maskValues = mask ? tf.tidy(() => tf.cast(mask, 'float32').dataSync() as Float32Array) : null;
  const op = tf.customGrad(((p: tf.Tensor, uu: tf.Tensor, save: tf.GradSaveFunc) => {
    const us = uu.dataSync() as Float32Array;
    const n = T * D * B * H;
    const hs = new Float32Array(n),
      act = new Float32Array(4 * n),
      tc = new Float32Array(n),
      cs = new Float32Array(n);
    const y = s.batchMajor ? new Float32Array(n) : null;
    native.lstmForward(dims, p.dataSync() as Float32Array, us, maskValues, hs, act, tc, cs, y);
    save([]);
    return {
      value: s.batchMajor ? tf.tensor4d(y!, [B, T, D, H]) : tf.tensor4d(hs, [T, D, B, H]),
      gradFunc: (dy: tf.Tensor) => {
        const dproj = new Float32Array(4 * n),
          du = new Float32Array(us.length);
        native.lstmBackward(dims, us, maskValues, hs, act, tc, cs, dy.dataSync() as Float32Array, dproj, du);
        return [tf.tensor(dproj, p.shape), tf.tensor3d(du, [D, H, 4 * H])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (p: tf.Tensor, u: tf.Tensor) => tf.Tensor)(proj, u);
}
