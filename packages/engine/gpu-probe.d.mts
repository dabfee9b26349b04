/** One GPU nvidia-smi lists. */
export interface GpuSeen {
  name: string;
  driver: string;
}
/** nvidia-smi's answer: the GPUs and the CUDA version their driver supports, or why there is none. */
export type GpuProbe = { found: true; gpus: GpuSeen[]; cuda: string | null } | { found: false; reason: string };
/** Where the loader finds one library; the other sonames of it that are there; a folder holding it off the loader's path. */
export interface LibraryFound {
  path: string | null;
  otherVersions: string[];
  elsewhere: string | null;
}
export const TFJS_NODE_GPU_VERSION: string;
export const MIN_DRIVER_CUDA: string;
export const GPU_LIBRARIES: string[];
export function probeGpus(options?: { env?: NodeJS.ProcessEnv }): GpuProbe;
export function compareVersions(a: string, b: string): -1 | 0 | 1;
export function findLibraries(
  names: readonly string[],
  options?: { env?: NodeJS.ProcessEnv; ldconfig?: string[]; cudaDirs?: string[] },
): Record<string, LibraryFound>;
export function gpuEngineDecision(input: { platform?: string; arch?: string; gpu: GpuProbe; libraries: Record<string, LibraryFound> }): {
  install: boolean;
  reason: string;
};
