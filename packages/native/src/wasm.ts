// The same kernels compiled to WebAssembly (csrc, plus csrc/wasm's runtime and matMul, built by
// tools/build-wasm.mjs into wasm/ser_kernels.wasm, which is committed: it runs on every machine, so
// the wasm engine gets its conv, LSTM and matMul kernels, and feature extraction its compiled
// frames, without a compiler). SIMD128, and threads: one shared memory, the module instantiated once
// here and once in each worker_threads Worker, which sleeps in the module's pool loop until a kernel
// hands it a part (csrc/wasm/runtime.cc).
//
// The kernels work on the module's memory, so each call copies its arrays in and its outputs back:
// the functions have the same contract as the native addon's (caller-allocated typed arrays).
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sourcesHash } from '../sources-hash.mjs';
import type { NativeAddon } from './index.js';

/** The C ABI version this loader expects (ser_api_version in csrc/wasm/runtime.cc). */
export const WASM_KERNELS_API_VERSION = 5;

/** The committed build and its stamp (the hash of the sources it was built from). */
export const WASM_KERNELS_PATH = fileURLToPath(new URL('../wasm/ser_kernels.wasm', import.meta.url));
const STAMP_PATH = fileURLToPath(new URL('../wasm/ser_kernels.stamp', import.meta.url));
const SRC_DIR = fileURLToPath(new URL('../csrc/', import.meta.url));

/** The model kernels both builds have. */
export type ModelKernels = Pick<NativeAddon, 'convPoolForward' | 'convPoolBackward' | 'lstmForward' | 'lstmBackward'>;

/** The wasm build: the addon's functions and a threaded matMul (tfjs-backend-wasm's runs one thread in Node). */
export interface WasmKernelsApi extends ModelKernels, Pick<NativeAddon, 'spectrogramFrames'> {
  /** Threads the kernels run on (this one and threads - 1 workers). */
  readonly threads: number;
  /**
   * c = op(a) op(b), row-major; dims [M, N, K, transA, transB, threads]: a is [M][K] ([K][M] when
   * transA), b [K][N] ([N][K] when transB), c [M][N].
   */
  gemm(dims: Int32Array, a: Float32Array, b: Float32Array, c: Float32Array): void;
}

/** The stamp of the wasm build's sources: csrc's kernels and csrc/wasm's runtime and matMul. */
export function wasmSourcesHash(): string {
  return sourcesHash(SRC_DIR, ['', 'wasm/']);
}

// Runs in each worker: instantiate on the shared memory, move to its own stack, serve the pool.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, stackTop } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
instance.exports.__stack_pointer.value = stackTop;
try {
  instance.exports.ser_worker_main();
} catch (err) {
  // a trap inside a part: end that part so the caller does not wait for it, and report the job failed
  instance.exports.ser_worker_failed();
  throw err;
}
`;
const WORKER_STACK = 1 << 20;
const INITIAL_PAGES = 256; // = the module's --initial-memory (16 MiB)
const MAX_PAGES = 65536; // 4 GiB, wasm32's limit

interface Exports {
  ser_api_version(): number;
  ser_alloc(bytes: number): number;
  ser_free(ptr: number): void;
  ser_conv_forward(...ptrs: number[]): number;
  ser_conv_backward(...ptrs: number[]): number;
  ser_lstm_forward(...ptrs: number[]): number;
  ser_lstm_backward(...ptrs: number[]): number;
  ser_gemm(...ptrs: number[]): number;
  ser_spectrogram(...ptrs: number[]): number;
  ser_worker_failed(): void;
}

type Arg = Int32Array | Float32Array | Float64Array | Uint8Array | null;
// whether call() copies an array back after the kernel (outputs are copied in too: a kernel may
// read what it accumulates into)
const IN = 0,
  OUT = 1;

/** The kernels in WebAssembly, with `threads` threads (this one and threads - 1 workers). */
class WasmKernels implements WasmKernelsApi {
  private readonly memory: WebAssembly.Memory;
  private readonly k: Exports;
  readonly workers: Worker[] = [];
  /** Set when the module trapped on this thread: its stack and pool may be inconsistent, so no more calls. */
  private broken = '';
  /** Why workers stopped (a trap, or they could not start): their parts go to the others. */
  readonly lostWorkers: string[] = [];

  constructor(
    module: WebAssembly.Module,
    readonly threads: number,
  ) {
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    const version = this.k.ser_api_version();
    if (version !== WASM_KERNELS_API_VERSION) throw new Error(`it has kernel API ${version}, this source needs ${WASM_KERNELS_API_VERSION}`);
    for (let i = 1; i < threads; i++) {
      const stack = this.k.ser_alloc(WORKER_STACK);
      if (!stack) throw new Error('no memory for a worker stack');
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory: this.memory, stackTop: stack + WORKER_STACK } });
      // an idle worker must not keep the process alive; a worker that fails leaves its parts to the others
      worker.unref();
      worker.on('error', (err) => this.lostWorkers.push(err.message));
      this.workers.push(worker);
    }
  }

  /**
   * Copies the arrays into the memory, calls the export with their addresses (null: 0), copies the
   * ones marked OUT back and frees the memory. The export returns 0 or a C-string error.
   */
  private call(fn: keyof Exports, args: [Arg, typeof IN | typeof OUT][]): void {
    if (this.broken) throw new Error(`wasm kernels: unusable since ${this.broken}; restart the process (or set SER_NATIVE_KERNELS=0)`);
    const offsets: number[] = [];
    let bytes = 0;
    for (const [a] of args) {
      offsets.push(bytes);
      bytes += a ? (a.byteLength + 15) & ~15 : 0;
    }
    const base = this.k.ser_alloc(bytes);
    if (!base) throw new Error(`wasm kernels: out of memory (${bytes} bytes for ${fn})`);
    try {
      const heap = new Uint8Array(this.memory.buffer); // after ser_alloc: it may have grown the memory
      const ptrs = args.map(([a], i) => {
        if (!a) return 0;
        heap.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), base + offsets[i]);
        return base + offsets[i];
      });
      let err: number;
      try {
        err = (this.k[fn] as (...p: number[]) => number)(...ptrs);
      } catch (trap) {
        this.broken = `${fn} trapped (${trap instanceof Error ? trap.message : String(trap)})`;
        throw new Error(`wasm kernels: ${this.broken}`);
      }
      if (err) throw new Error(`${fn}: ${cString(new Uint8Array(this.memory.buffer), err)}`);
      const after = new Uint8Array(this.memory.buffer);
      args.forEach(([a, dir], i) => {
        if (a && dir === OUT) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(after.subarray(base + offsets[i], base + offsets[i] + a.byteLength));
      });
    } finally {
      if (!this.broken) this.k.ser_free(base);
    }
  }

  convPoolForward(dims: Int32Array, x: Float32Array, w: Float32Array, bias: Float32Array, y: Float32Array, argmax: Uint8Array): void {
    const d = convSizes(dims);
    expectLengths('convPoolForward', [x, d.input], [w, d.filter], [bias, d.co], [y, d.output], [argmax, d.output]);
    this.call('ser_conv_forward', [
      [this.withThreads(dims, 13), IN],
      [x, IN],
      [w, IN],
      [bias, IN],
      [y, OUT],
      [argmax, OUT],
    ]);
  }

  convPoolBackward(
    dims: Int32Array,
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    argmax: Uint8Array,
    dy: Float32Array,
    dx: Float32Array | null,
    dw: Float32Array,
    db: Float32Array,
  ): void {
    const d = convSizes(dims);
    expectLengths(
      'convPoolBackward',
      [x, d.input],
      [w, d.filter],
      [y, d.output],
      [argmax, d.output],
      [dy, d.output],
      [dx, d.input, true],
      [dw, d.filter],
      [db, d.co],
    );
    this.call('ser_conv_backward', [
      [this.withThreads(dims, 13), IN],
      [x, IN],
      [w, IN],
      [y, IN],
      [argmax, IN],
      [dy, IN],
      [dx, OUT],
      [dw, OUT],
      [db, OUT],
    ]);
  }

  lstmForward(
    dims: Int32Array,
    proj: Float32Array,
    u: Float32Array,
    mask: Float32Array | null,
    hs: Float32Array,
    act: Float32Array,
    tc: Float32Array,
    cs: Float32Array,
    y: Float32Array | null,
  ): void {
    const s = lstmSizes(dims);
    expectLengths(
      'lstmForward',
      [proj, 4 * s.state],
      [u, s.u],
      [mask, s.mask, true],
      [hs, s.state],
      [act, 4 * s.state],
      [tc, s.state],
      [cs, s.state],
      [y, s.state, !s.batchMajor],
    );
    this.call('ser_lstm_forward', [
      [this.withThreads(dims, 6), IN],
      [proj, IN],
      [u, IN],
      [mask, IN],
      [hs, OUT],
      [act, OUT],
      [tc, OUT],
      [cs, OUT],
      [y, OUT],
    ]);
  }

  lstmBackward(
    dims: Int32Array,
    u: Float32Array,
    mask: Float32Array | null,
    hs: Float32Array,
    act: Float32Array,
    tc: Float32Array,
    cs: Float32Array,
    dhs: Float32Array,
    dproj: Float32Array,
    du: Float32Array,
  ): void {
    const s = lstmSizes(dims);
    expectLengths(
      'lstmBackward',
      [u, s.u],
      [mask, s.mask, true],
      [hs, s.state],
      [act, 4 * s.state],
      [tc, s.state],
      [cs, s.state],
      [dhs, s.state],
      [dproj, 4 * s.state],
      [du, s.u],
    );
    this.call('ser_lstm_backward', [
      [this.withThreads(dims, 6), IN],
      [u, IN],
      [mask, IN],
      [hs, IN],
      [act, IN],
      [tc, IN],
      [cs, IN],
      [dhs, IN],
      [dproj, OUT],
      [du, OUT],
    ]);
  }

  gemm(dims: Int32Array, a: Float32Array, b: Float32Array, c: Float32Array): void {
    expectInts(dims, 6, 'M N K transA transB threads');
    const [M, N, K] = dims;
    expectLengths('gemm', [a, M * K], [b, K * N], [c, M * N]);
    this.call('ser_gemm', [
      [this.withThreads(dims, 5), IN],
      [a, IN],
      [b, IN],
      [c, OUT],
    ]);
  }

  spectrogramFrames(...[dims, scalars, signal, window, melStart, melCount, melOffset, melWeights, out]: Parameters<NativeAddon['spectrogramFrames']>): number {
    expectInts(dims, 7, 'frames hop nFft nMels magnitude compress threads');
    const [frames, hop, nFft, nMels] = dims;
    const nFreqs = Math.floor(nFft / 2) + 1;
    let ok = scalars instanceof Float64Array && scalars.length === 2 && signal instanceof Float64Array && signal.length >= (frames - 1) * hop + nFft;
    ok &&=
      window instanceof Float64Array &&
      window.length === nFft &&
      (out instanceof Float64Array || out instanceof Float32Array) &&
      out.length === frames * (nMels > 0 ? nMels : nFreqs);
    if (ok && nMels > 0) {
      ok = !!melStart && !!melCount && !!melOffset && !!melWeights && melStart.length === nMels && melCount.length === nMels && melOffset.length === nMels;
      for (let m = 0; ok && m < nMels; m++)
        ok =
          melStart![m] >= 0 &&
          melCount![m] >= 0 &&
          melStart![m] + melCount![m] <= nFreqs &&
          melOffset![m] >= 0 &&
          melOffset![m] + melCount![m] <= melWeights!.length;
    }
    if (!ok)
      throw new Error(
        "spectrogramFrames: an array's type or length does not match dims (scalars [logScale, floor]; the signal must cover every frame; Mel rows within the spectrum)",
      );
    const mels = nMels > 0;
    const maxOut = new Float64Array(1);
    this.call('ser_spectrogram', [
      [this.withThreads(dims, 6), IN],
      [scalars, IN],
      [signal, IN],
      [window, IN],
      [mels ? melStart : null, IN],
      [mels ? melCount : null, IN],
      [mels ? melOffset : null, IN],
      [mels ? melWeights : null, IN],
      [out instanceof Float64Array ? out : null, OUT],
      [out instanceof Float32Array ? out : null, OUT],
      [maxOut, OUT],
    ]);
    return maxOut[0];
  }

  /** dims with its threads entry capped at this pool's size (more parts than threads only queue). */
  private withThreads(dims: Int32Array, at: number): Int32Array {
    if (dims[at] <= this.threads) return dims;
    const d = Int32Array.from(dims);
    d[at] = this.threads;
    return d;
  }
}

function cString(heap: Uint8Array, ptr: number): string {
  let end = ptr;
  while (heap[end]) end++;
  return Buffer.from(heap.subarray(ptr, end)).toString('utf8');
}

function expectInts(dims: Int32Array, n: number, usage: string): void {
  if (!(dims instanceof Int32Array) || dims.length !== n) throw new Error(`dims must be an Int32Array of ${n}: ${usage}`);
}

function convSizes(dims: Int32Array) {
  expectInts(dims, 14, 'B H W Ci Co fh fw pt pb pl pr ph pw threads');
  const [B, H, W, Ci, Co, fh, fw, pt, pb, pl, pr, ph, pw] = dims;
  const oh = Math.floor((H + pt + pb - fh + 1) / ph),
    ow = Math.floor((W + pl + pr - fw + 1) / pw);
  return { input: B * H * W * Ci, filter: fh * fw * Ci * Co, co: Co, output: B * Math.max(0, oh) * Math.max(0, ow) * Co };
}

function lstmSizes(dims: Int32Array) {
  expectInts(dims, 7, 'T D B H reverseBits batchMajor threads');
  const [T, D, B, H, , batchMajor] = dims;
  return { state: T * D * B * H, u: D * H * 4 * H, mask: batchMajor ? B * T : T * D * B, batchMajor: batchMajor === 1 };
}

/** Each [array, length, optional]: the array must be a typed array of that length (or null where optional). */
function expectLengths(fn: string, ...checks: [Arg, number, boolean?][]): void {
  for (const [a, n, optional] of checks) {
    if (a === null && optional) continue;
    if (!a || a.length !== n) throw new Error(`${fn}: an array is ${a ? `of length ${a.length}` : 'missing'}, the dims give ${n}`);
  }
}

let kernels: WasmKernels | null | undefined;
let loadError = '';

/**
 * The kernels in WebAssembly with `threads` threads (default: the machine's cores; fixed by the
 * first call), or null (wasmKernelsStatus() says why) when the build is missing, stale, or cannot
 * start here (no SIMD or no shared memory in this runtime).
 */
export function loadWasmKernels(threads = os.availableParallelism()): WasmKernelsApi | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  if (!fs.existsSync(WASM_KERNELS_PATH)) {
    loadError = `${WASM_KERNELS_PATH} is missing (run \`node tools/build-wasm.mjs\`)`;
    return null;
  }
  // the stamp: the sources' hash, then the toolchain that built the file
  const stamp = fs.existsSync(STAMP_PATH) ? fs.readFileSync(STAMP_PATH, 'utf8').split(' ')[0].trim() : '';
  if (stamp !== wasmSourcesHash()) {
    loadError = `${WASM_KERNELS_PATH} was built from other sources than packages/native/csrc holds now (run \`node tools/build-wasm.mjs\`)`;
    return null;
  }
  try {
    kernels = new WasmKernels(new WebAssembly.Module(fs.readFileSync(WASM_KERNELS_PATH)), Math.max(1, Math.min(64, Math.floor(threads))));
  } catch (err) {
    loadError = `${WASM_KERNELS_PATH} does not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return kernels;
}

/** Whether the wasm kernels load, with how many threads (lostWorkers: why any worker stopped), and if not, why. */
export function wasmKernelsStatus(): { loaded: boolean; threads?: number; lostWorkers?: string[]; reason?: string } {
  const k = loadWasmKernels();
  if (!k) return { loaded: false, reason: loadError };
  const lost = (k as WasmKernels).lostWorkers;
  return lost.length ? { loaded: true, threads: k.threads - lost.length, lostWorkers: [...lost] } : { loaded: true, threads: k.threads };
}
