// The engine's and the features' environment switches, read here and nowhere in the libraries
// (the CLI's other variables, SER_CACHE_DIR, SER_RESULTS_DIR, SER_WORKERS, are read by the
// commands). Workers are `ser cell` processes with the parent's environment, so they read the same.
import { parseNativeKernelsSwitch, type KernelPin } from '@ser/engine';
import { parseNativeFeaturesSwitch, setNativeFeatures } from '@ser/features';

/** initEngine's options from SER_BACKEND (a backend that wins over the config's) and SER_NATIVE_KERNELS (0, 1, wasm). */
export function engineEnv(env: NodeJS.ProcessEnv = process.env): { override?: string; nativeKernels?: KernelPin } {
  const nativeKernels = parseNativeKernelsSwitch(env.SER_NATIVE_KERNELS);
  return { ...(env.SER_BACKEND ? { override: env.SER_BACKEND } : {}), ...(nativeKernels ? { nativeKernels } : {}) };
}

/** Sets this process's spectrogram frame loop from SER_NATIVE_FEATURES (0: JS, wasm: the wasm build). */
export function applyFeaturesEnv(env: NodeJS.ProcessEnv = process.env): void {
  setNativeFeatures(parseNativeFeaturesSwitch(env.SER_NATIVE_FEATURES));
}
