// The spectrogram frame loop in compiled code (@ser/native's spectrogramFrames: the same float64
// algorithm as RealFft + extractFeatures' JS loop, frames split over the cores) writing the rows
// into `out` and returning their largest value: the native addon where it is built, else the
// kernels' WebAssembly build; null where neither runs, and the caller then runs its JS loop.
// setNativeFeatures('off') turns both off (the JS loop), 'wasm' picks the wasm build; the CLI
// sets it from SER_NATIVE_FEATURES (0, wasm).
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { loadNative, loadWasmKernels } from '@ser/native';
import type { MelFilterbank } from '../mel.js';

// in a worker thread of extractCorpus the other workers hold the other cores
let threads = isMainThread ? os.availableParallelism() : 1;

/** Which frame loop runs: 'auto' the addon, else its wasm build, else JS; 'off' JS; 'wasm' the wasm build, else JS. */
export type NativeFeaturesMode = 'auto' | 'off' | 'wasm';

let mode: NativeFeaturesMode = 'auto';

/** Picks the frame loop for this thread (extractCorpus hands it on to its worker threads). */
export function setNativeFeatures(m: NativeFeaturesMode): void {
  mode = m;
}

/** The frame loop picked (setNativeFeatures). */
export function nativeFeaturesMode(): NativeFeaturesMode {
  return mode;
}

/** A mode from the text of the SER_NATIVE_FEATURES switch: '0' off, 'wasm'; anything else (or unset) auto. */
export function parseNativeFeaturesSwitch(value: string | undefined): NativeFeaturesMode {
  return value === '0' ? 'off' : value === 'wasm' ? 'wasm' : 'auto';
}

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
  if (mode === 'off') return null;
  const native = (mode === 'wasm' ? null : loadNative()) ?? loadWasmKernels(threads);
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
