import { createRequire } from 'node:module';
import { consoleLogger } from '@ser/core';
import {
  doctor,
  findLibraries,
  GPU_LIBRARIES,
  gpuEngineDecision,
  initEngine,
  nativeKernelsPin,
  nativeKernelsStatus,
  probeGpus,
  wasmKernelsStatus,
  type GpuProbe,
} from '@ser/engine';
import { engineEnv } from '../env-switches.js';

/** `ser doctor`: what this machine gives the engine. */
export async function doctorCommand(opts: { backend?: string }): Promise<void> {
  const logger = consoleLogger();
  const env = engineEnv();
  const info = await initEngine({ backend: (opts.backend as any) ?? 'auto', ...env, override: opts.backend ? undefined : env.override, logger });
  const d = await doctor(info);
  const gpu = probeGpus();
  const lines = [
    `platform     ${d.platform}`,
    `node         ${d.node}`,
    `cpus         ${d.cpus.count} x ${d.cpus.model}`,
    `gpu          ${gpuLine(gpu)}`,
    ...(gpu.found ? [`gpu engine   ${gpuEngineLine(gpu, d.backend.id)}`] : []),
    `engine       ${d.backend.id} (tf backend ${d.backend.tfBackend}, ${d.backend.threads} threads${d.backend.gpu ? `, ${d.backend.gpu}` : ''})`,
    `tfjs         ${d.versions.tfjs}`,
    `tfjs-node    ${d.versions.tfjsNode ?? '-'}`,
    `libtensorflow ${d.versions.libtensorflow ?? '-'}`,
    `wasm         ${d.versions.wasm ?? '-'}`,
    `native       ${nativeLine(d.versions.nativeKernels, d.backend.id)}`,
    `matMul       ${d.matmulGflops.toFixed(1)} GFLOP/s (${d.matmulSize}x${d.matmulSize} float32, best of a few)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** "NVIDIA H100 80GB HBM3 (driver 550.54.15, CUDA 12.4)", one per GPU, or "no GPU: nvidia-smi not found". */
export function gpuLine(gpu: GpuProbe): string {
  if (!gpu.found) return `no GPU: ${gpu.reason}`;
  return gpu.gpus.map((g) => `${g.name} (driver ${g.driver || '?'}, CUDA ${gpu.cuda ?? 'version unknown'})`).join('; ');
}

/** Whether the GPU engine runs, and if not, why (the set-up's own decision). */
function gpuEngineLine(gpu: GpuProbe, backend: string): string {
  if (backend === 'tfjs-node-gpu') return 'tfjs-node-gpu in use';
  let installed = false;
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    installed = true;
  } catch {
    // not installed
  }
  if (installed) return `tfjs-node-gpu installed but not in use (the engine line says what runs; SER_BACKEND=tfjs-node-gpu says why)`;
  const decision = gpuEngineDecision({ gpu, libraries: findLibraries(GPU_LIBRARIES) });
  return decision.install ? 'tfjs-node-gpu not installed yet: `npm run setup` installs it' : `tfjs-node-gpu not installed: ${decision.reason}`;
}

/** The engine's own kernels: in use, built but not for this backend, or why they are missing. */
function nativeLine(version: string | undefined, backend: string): string {
  if (version?.startsWith('wasm')) {
    const threads = `${wasmKernelsStatus().threads} threads`;
    if (backend === 'wasm') return `${version} (the engine's WebAssembly kernels in use: fused conv blocks, LSTM, large matMuls, ${threads})`;
    return `${version} (the WebAssembly build of the conv-block and LSTM kernels in use, ${threads}; native addon: ${nativeKernelsStatus().reason})`;
  }
  if (version) return `${version} (the fused conv-block and LSTM kernels in use)`;
  if (nativeKernelsPin() === 'off') return 'off (SER_NATIVE_KERNELS=0: the engine runs the tf-op forms)';
  const status = nativeKernelsStatus();
  return status.loaded ? 'built, not used by this backend' : `- (${status.reason})`;
}
