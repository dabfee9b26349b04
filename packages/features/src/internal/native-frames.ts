// The spectrogram frame loop in native code (@ser/native's spectrogramFrames: the same float64
// algorithm as RealFft + extractFeatures' JS loop, frames split over the cores) writing the rows
// into `out` and returning their largest value; null where the addon is not built: the caller then
// runs its JS loop. SER_NATIVE_FEATURES=0 turns it off.
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { loadNative } from '@ser/native';
import type { MelFilterbank } from '../mel.js';

// in a worker thread of extractCorpus the other workers hold the other cores
let threads = isMainThread ? os.availableParallelism() : 1;

/** Threads the native frame loop may use (default: every core; 1 in extraction worker threads). */
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
  if (process.env.SER_NATIVE_FEATURES === '0') return null;
  const native = loadNative();
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
