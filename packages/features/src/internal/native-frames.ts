// The spectrogram frame loop in compiled code (@ser/native's spectrogramFrames: the same float64
// algorithm as RealFft + extractFeatures' JS loop, frames split over the cores) writing the rows
// into `out` and returning their largest value: the native addon where it is built, else the
// kernels' WebAssembly build; null where neither runs, and the caller then runs its JS loop.
// SER_NATIVE_FEATURES=0 turns both off (the JS loop), =wasm picks the wasm build.
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { loadNative, loadWasmKernels } from '@ser/native';
import type { MelFilterbank } from '../mel.js';

// in a worker thread of extractCorpus the other workers hold the other cores
let threads = isMainThread ? os.availableParallelism() : 1;

/**
 * Threads the compiled frame loop may use (default: every core; 1 in extraction worker threads).
 * The wasm build's thread count is fixed by whoever loads it first (the engine, in a cell).
 */
export function setFeatureThreads(n: number): void {
  if (isMainThread) threads = Math.max(1, Math.floor(n));
}

export function spectrogramFramesNative(
  signal: Float64Array,
  frames: number,
  hop: number,
  nFft: number,
  window: Float64Array,
  mel: MelFilterbank | null,
  o: { magnitude: boolean; compress: boolean; logScale: number; floor: number },
  out: Float32Array | Float64Array,
): number | null {
  const env = process.env.SER_NATIVE_FEATURES;
  if (env === '0') return null;
  const native = (env === 'wasm' ? null : loadNative()) ?? loadWasmKernels(threads);
  if (!native) return null;
  const dims = Int32Array.from([frames, hop, nFft, mel ? mel.nMels : 0, o.magnitude ? 1 : 0, o.compress ? 1 : 0, threads]);
  const maxValue = native.spectrogramFrames(
    dims,
    Float64Array.from([o.logScale, o.floor]),
    signal,
    window,
    mel?.start ?? null,
    mel?.count ?? null,
    mel?.offset ?? null,
    mel?.weights ?? null,
    out,
  );
  return maxValue;
}
