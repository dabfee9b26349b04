import { consoleLogger } from '@ser/core';
import { doctor, initEngine, nativeKernelsStatus, wasmKernelsStatus } from '@ser/engine';

/** `ser doctor`: what this machine gives the engine. */
export async function doctorCommand(opts: { backend?: string }): Promise<void> {
  const logger = consoleLogger();
  const info = await initEngine({ backend: (opts.backend as any) ?? 'auto', override: opts.backend ? undefined : process.env.SER_BACKEND, logger });
  const d = await doctor(info);
  const lines = [
    `platform     ${d.platform}`,
    `node         ${d.node}`,
    `cpus         ${d.cpus.count} x ${d.cpus.model}`,
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

/** The engine's own kernels: in use, built but not for this backend, or why they are missing. */
function nativeLine(version: string | undefined, backend: string): string {
  if (version?.startsWith('wasm')) {
    const threads = `${wasmKernelsStatus().threads} threads`;
    if (backend === 'wasm') return `${version} (the engine's WebAssembly kernels in use: fused conv blocks, LSTM, large matMuls, ${threads})`;
    return `${version} (the WebAssembly build of the conv-block and LSTM kernels in use, ${threads}; native addon: ${nativeKernelsStatus().reason})`;
  }
  if (version) return `${version} (the fused conv-block and LSTM kernels in use)`;
  if (process.env.SER_NATIVE_KERNELS === '0') return 'off (SER_NATIVE_KERNELS=0: the engine runs the tf-op forms)';
  const status = nativeKernelsStatus();
  return status.loaded ? 'built, not used by this backend' : `- (${status.reason})`;
}
