// Loads the framework's native kernels: packages/native/csrc, compiled by tools/build-native.mjs
// (the install's postinstall step) into packages/native/build/ser_native.node. No tf here: the
// callers (@ser/engine for the model kernels, @ser/features for spectrogram frames) wrap them and
// keep a JS or tf-op form for machines where the addon is missing or stale.
import { fileURLToPath } from 'node:url';
import { loadAddon } from './internal/load-addon.js';

export {
  WASM_KERNELS_API_VERSION,
  WASM_KERNELS_PATH,
  loadWasmKernels,
  wasmKernelsStatus,
  wasmSourcesHash,
  type ModelKernels,
  type WasmKernelsApi,
} from './wasm.js';

/** The kernel ABI this source expects (kApiVersion in csrc/addon.cc). */
export const NATIVE_API_VERSION = 4;

/** Where tools/build-native.mjs puts the addon. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../build/ser_native.node', import.meta.url));
const STAMP_PATH = fileURLToPath(new URL('../build/ser_native.stamp', import.meta.url));
const SRC_DIR = fileURLToPath(new URL('../csrc/', import.meta.url));

/** The addon's functions (csrc/addon.cc documents each; all work on caller-allocated typed arrays). */
export interface NativeAddon {
  apiVersion: number;
  convPoolForward(dims: Int32Array, x: Float32Array, w: Float32Array, bias: Float32Array, y: Float32Array, argmax: Uint8Array): void;
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
  ): void;
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
  ): void;
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
  ): void;
  /** Writes [frames][bins] rows into out (float64 or float32); returns the largest value (the topDb reference). */
  spectrogramFrames(
    dims: Int32Array,
    scalars: Float64Array,
    signal: Float64Array,
    window: Float64Array,
    melStart: Int32Array | null,
    melCount: Int32Array | null,
    melOffset: Int32Array | null,
    melWeights: Float64Array | null,
    out: Float64Array | Float32Array,
  ): number;
}

let addon: NativeAddon | null | undefined;
let loadError = '';

/** The addon, or null (nativeStatus() says why) when it is not built, stale, or does not load. */
export function loadNative(): NativeAddon | null {
  if (addon !== undefined) return addon;
  const r = loadAddon(NATIVE_ADDON_PATH, STAMP_PATH, SRC_DIR, NATIVE_API_VERSION);
  addon = r.addon;
  loadError = r.reason;
  return addon;
}

/** Whether the addon loads, and if not, why. */
export function nativeStatus(): { loaded: boolean; reason?: string } {
  return loadNative() ? { loaded: true } : { loaded: false, reason: loadError };
}
