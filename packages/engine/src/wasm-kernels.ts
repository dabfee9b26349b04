// Kernels registered from JS for the wasm backend: the ones it lacks for training a conv + LSTM
// model, and the ones it runs slowly. As shipped (tfjs-backend-wasm 4.22) it cannot train a conv
// net (no Conv2DBackpropFilter); its transposed matMul path is a naive loop; Slice and Unpack read
// the whole input tensor out of the heap for every slice (Unpack of T steps is O(T^2) copying).
// Each kernel here works on heap views. Heap views are re-taken after every allocation, because
// growing the wasm memory detaches the old ArrayBuffer.
import * as tf from '@tensorflow/tfjs';
import { wasmLimits } from './internal/limits.js';
import { engineWasmKernels } from './native-kernels.js';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type TypedArray = Float32Array | Int32Array | Uint8Array;
/** The parts of tfjs-backend-wasm's BackendWasm we use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): TypedArray;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, any> };
type KernelFn = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** The kernels registerWasmKernels registers for the wasm backend (TF.js kernel names). */
export const WASM_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Slice', 'Unpack', 'UnsortedSegmentSum', 'Identity'] as const;

const original = new Map<string, KernelFn>();

function orig(name: string): KernelFn {
  const fn = original.get(name);
  if (!fn) throw new Error(`wasm kernel ${name}: the backend's own kernel was not found; load @tensorflow/tfjs-backend-wasm first`);
  return fn;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function reshapeInfo(t: TensorInfo, shape: number[]): TensorInfo {
  // a view of the same data; the caller must not dispose it separately
  return { dataId: t.dataId, dtype: t.dtype, shape };
}

/** Copies the box [begin, begin + sz) of x (heap view, shape xShape) into out, row-major. */
function copyBox(x: TypedArray, xShape: number[], begin: number[], sz: number[], out: TypedArray): void {
  const rank = xShape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const xs = strides(xShape);
  // Trailing dims the box spans fully are one contiguous run with the first partial dim before them.
  let k = rank - 1;
  while (k > 0 && sz[k] === xShape[k]) k--;
  const inner = sz[k] * xs[k];
  const outer = size(sz.slice(0, k));
  const idx = new Array(k).fill(0);
  let o = 0;
  for (let n = 0; n < outer; n++) {
    let off = begin[k] * xs[k];
    for (let d = 0; d < k; d++) off += (begin[d] + idx[d]) * xs[d];
    if (inner < 16) {
      for (let e = 0; e < inner; e++) out[o + e] = x[off + e];
    } else {
      out.set(x.subarray(off, off + inner), o);
    }
    o += inner;
    for (let d = k - 1; d >= 0; d--) {
      if (++idx[d] < sz[d]) break;
      idx[d] = 0;
    }
  }
}

const slice: KernelFn = (args) => {
  const {
    inputs: { x },
    backend,
    attrs,
  } = args;
  if (x.dtype === 'string') return orig('Slice')(args);
  const [begin, sz] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo, attrs.begin, attrs.size);
  const out = backend.makeOutput(sz, x.dtype);
  if (size(sz) > 0) copyBox(backend.typedArrayFromHeap(x), x.shape, begin, sz, backend.typedArrayFromHeap(out));
  return out;
};

const unpack: KernelFn = (args) => {
  const {
    inputs: { value },
    backend,
    attrs,
  } = args;
  if (value.dtype === 'string') return orig('Unpack')(args);
  const rank = value.shape.length;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const n = value.shape[axis];
  const outShape = value.shape.filter((_, i) => i !== axis);
  const outs = Array.from({ length: n }, () => backend.makeOutput(outShape, value.dtype));
  const x = backend.typedArrayFromHeap(value); // taken after all allocations
  const begin = new Array(rank).fill(0);
  const sz = value.shape.slice();
  sz[axis] = 1;
  for (let i = 0; i < n; i++) {
    begin[axis] = i;
    copyBox(x, value.shape, begin, sz, backend.typedArrayFromHeap(outs[i]));
  }
  return outs;
};

function transposeLast2(t: TensorInfo, backend: WasmBackend): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return orig('Transpose')({ inputs: { x: t }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * Products of at least this many multiply-adds (M * N * K) run on the engine's threaded wasm matMul
 * (@ser/native's wasm build) when it is in use: tfjs-backend-wasm's runs one thread in Node. Below
 * it, waking the threads and copying costs more than it saves.
 */
export const THREADED_MATMUL_MIN = 1 << 18;

/** out = op(a) op(b) on the engine's threaded wasm matMul, the batch shared or broadcast from one matrix; null where it does not take the product. */
function threadedMatMul(a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean, backend: WasmBackend): TensorInfo | null {
  const kernels = engineWasmKernels();
  const ra = a.shape.length,
    rb = b.shape.length;
  if (!kernels || a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return null;
  const M = ta ? a.shape[ra - 1] : a.shape[ra - 2],
    K = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (M * N * K < THREADED_MATMUL_MIN || (tb ? b.shape[rb - 1] : b.shape[rb - 2]) !== K) return null;
  const batchA = size(a.shape.slice(0, -2)),
    batchB = size(b.shape.slice(0, -2));
  // one batch shape, or a single matrix on one side (what the models use); tf's kernel does the rest
  const sameBatch = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (!sameBatch && batchA !== 1 && batchB !== 1) return null;
  const batchShape = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...batchShape, M, N], 'float32');
  // views after makeOutput: it may grow the heap
  const av = backend.typedArrayFromHeap(a) as Float32Array,
    bv = backend.typedArrayFromHeap(b) as Float32Array,
    cv = backend.typedArrayFromHeap(out) as Float32Array;
  const dims = Int32Array.from([M, N, K, ta ? 1 : 0, tb ? 1 : 0, kernels.threads]);
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? 0 : i,
      bi = batchB === 1 ? 0 : i;
    kernels.gemm(dims, av.subarray(ai * M * K, (ai + 1) * M * K), bv.subarray(bi * K * N, (bi + 1) * K * N), cv.subarray(i * M * N, (i + 1) * M * N));
  }
  return out;
}

const batchMatMul: KernelFn = (args) => {
  const {
    inputs: { a, b },
    backend,
    attrs,
  } = args;
  const threaded = threadedMatMul(a, b, !!attrs.transposeA, !!attrs.transposeB, backend);
  if (threaded) return threaded;
  if (!attrs.transposeA && !attrs.transposeB) return orig('BatchMatMul')(args);
  // The backend's transposed path is a naive loop; a transpose plus the plain (XNNPACK) path is faster.
  const at = attrs.transposeA ? transposeLast2(a, backend) : a;
  const bt = attrs.transposeB ? transposeLast2(b, backend) : b;
  const out = orig('BatchMatMul')({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  if (at !== a) backend.disposeData(at.dataId);
  if (bt !== b) backend.disposeData(bt.dataId);
  return out;
};

function convInfo(xShape: number[], filterShape: number[], attrs: Record<string, any>, kernel: string) {
  const dilations = attrs.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(`wasm ${kernel}: only NHWC without dilation is supported here, got dataFormat ${attrs.dataFormat} dilations ${dilations}`);
  }
  return info;
}

/** dW [fh, fw, cin, cout] = im2col(x)^T [K, M] x dy [M, cout], K = fh*fw*cin, M = batch*outH*outW, in blocks of images. */
const conv2DBackpropFilter: KernelFn = ({ inputs: { x, dy }, backend, attrs }) => {
  const info = convInfo(x.shape, attrs.filterShape, attrs, 'Conv2DBackpropFilter');
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const PT = info.padInfo.top;
  const PL = info.padInfo.left;
  const K = FH * FW * C;
  const perImage = OH * OW;
  const block = Math.max(1, Math.min(N, Math.floor(wasmLimits.im2colFloats / (K * perImage))));
  const acc = new Float32Array(K * CO);
  for (let n0 = 0; n0 < N; n0 += block) {
    const nb = Math.min(block, N - n0);
    const M = nb * perImage;
    const cols = backend.makeOutput([1, K, M], 'float32');
    const whole = nb === N;
    const dyBlock = whole ? reshapeInfo(dy, [1, M, CO]) : backend.makeOutput([1, M, CO], 'float32');
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const cv = backend.typedArrayFromHeap(cols) as Float32Array;
    if (!whole) {
      const dv = backend.typedArrayFromHeap(dy);
      (backend.typedArrayFromHeap(dyBlock) as Float32Array).set(dv.subarray(n0 * perImage * CO, (n0 + nb) * perImage * CO));
    }
    for (let i = 0; i < FH; i++) {
      for (let j = 0; j < FW; j++) {
        for (let c = 0; c < C; c++) {
          let o = ((i * FW + j) * C + c) * M;
          for (let n = n0; n < n0 + nb; n++) {
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * SH - PT + i;
              if (iy < 0 || iy >= H) {
                cv.fill(0, o, o + OW);
                o += OW;
                continue;
              }
              const rowBase = (n * H + iy) * W;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * SW - PL + j;
                cv[o++] = ix >= 0 && ix < W ? xv[(rowBase + ix) * C + c] : 0;
              }
            }
          }
        }
      }
    }
    const part = orig('BatchMatMul')({
      inputs: { a: cols, b: dyBlock },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    const pv = backend.typedArrayFromHeap(part) as Float32Array;
    for (let k = 0; k < acc.length; k++) acc[k] += pv[k];
    backend.disposeData(part.dataId);
    backend.disposeData(cols.dataId);
    if (!whole) backend.disposeData(dyBlock.dataId);
  }
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
};

/** Stride 1: dx = conv2d(dy, filter flipped in space with in/out swapped, padding fh-1-pad). Else the backend's own. */
const conv2DBackpropInput: KernelFn = (args) => {
  const {
    inputs: { dy, filter },
    backend,
    attrs,
  } = args;
  const info = convInfo(attrs.inputShape, filter.shape, attrs, 'Conv2DBackpropInput');
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return orig('Conv2DBackpropInput')(args);
  const { filterHeight: FH, filterWidth: FW, inChannels: C, outChannels: CO } = info;
  const flipped = backend.makeOutput([FH, FW, CO, C], 'float32');
  const fv = backend.typedArrayFromHeap(filter) as Float32Array;
  const gv = backend.typedArrayFromHeap(flipped) as Float32Array;
  for (let i = 0; i < FH; i++) {
    for (let j = 0; j < FW; j++) {
      const src = ((FH - 1 - i) * FW + (FW - 1 - j)) * C * CO;
      const dst = (i * FW + j) * CO * C;
      for (let c = 0; c < C; c++) for (let co = 0; co < CO; co++) gv[dst + co * C + c] = fv[src + c * CO + co];
    }
  }
  const p = info.padInfo;
  const pad = [
    [0, 0],
    [FH - 1 - p.top, FH - 1 - p.bottom],
    [FW - 1 - p.left, FW - 1 - p.right],
    [0, 0],
  ];
  const out = orig('Conv2D')({
    inputs: { x: dy, filter: flipped },
    backend,
    attrs: { strides: 1, pad, dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined },
  }) as TensorInfo;
  backend.disposeData(flipped.dataId);
  return out;
};

/** out[s, ...] = sum of x[i, ...] over i with segmentIds[i] = s; ids outside [0, numSegments) are dropped. */
const unsortedSegmentSum: KernelFn = ({ inputs: { x, segmentIds }, backend, attrs }) => {
  const numSegments: number = attrs.numSegments;
  const nIds = size(segmentIds.shape);
  const inner = size(x.shape) / nIds;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const xv = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const ov = backend.typedArrayFromHeap(out);
  ov.fill(0);
  for (let i = 0; i < nIds; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) ov[dst + k] += xv[src + k];
  }
  return out;
};

/**
 * Shares the data instead of copying it (as Reshape does): the engine clones every tensor it saves
 * for the backward pass, ~2800 copies per reference step. Safe because tensor data is immutable.
 */
const identity: KernelFn = (args) => {
  const {
    inputs: { x },
    backend,
  } = args;
  if (x.dtype === 'string') return orig('Identity')(args);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

const MINE: Record<(typeof WASM_KERNELS)[number], KernelFn> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  BatchMatMul: batchMatMul,
  Slice: slice,
  Unpack: unpack,
  UnsortedSegmentSum: unsortedSegmentSum,
  Identity: identity,
};

let registered = false;

/**
 * Registers WASM_KERNELS for the wasm backend, replacing the backend's own where it has one (its
 * setupFunc is kept, and it still serves the cases delegated to it). Call after loading
 * @tensorflow/tfjs-backend-wasm and before tf.setBackend('wasm'); idempotent. Returns the names.
 */
export function registerWasmKernels(): readonly string[] {
  if (registered) return WASM_KERNELS;
  for (const name of ['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Slice', 'Unpack', 'Transpose', 'Identity']) {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`wasm kernel ${name} is not registered: load @tensorflow/tfjs-backend-wasm before registerWasmKernels()`);
    original.set(name, k.kernelFunc as unknown as KernelFn);
  }
  for (const name of WASM_KERNELS) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: existing?.setupFunc,
      disposeFunc: existing?.disposeFunc,
      kernelFunc: MINE[name] as unknown as tf.KernelFunc,
    });
  }
  registered = true;
  return WASM_KERNELS;
}
