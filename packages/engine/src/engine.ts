// Picks the TensorFlow.js backend at start-up and records what was picked (every result row
// stores it). Native packages are loaded with createRequire so a missing optional package or a
// failed native load is a clean, logged failure and the next backend is tried.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SerError, silentLogger } from '@ser/core';
import type { Logger } from '@ser/core';
import {
  NATIVE_API_VERSION,
  WASM_KERNELS_API_VERSION,
  activeKernelBuild,
  configureNativeKernels,
  nativeKernelsPin,
  nativeKernelsStatus,
  pinNativeKernels,
  wasmKernelsStatus,
  type KernelPin,
} from './native-kernels.js';
import { registerWasmKernels } from './wasm-kernels.js';

/** The backends the framework knows, fastest first. */
export const BACKEND_IDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
/** One of our backend ids (results store these, so they are stable). */
export type BackendId = (typeof BACKEND_IDS)[number];
/** What a config asks for: a backend, or 'auto' (the fastest that loads). */
export type BackendChoice = 'auto' | BackendId;

/** What was picked, for logs and result rows. */
export interface EngineInfo {
  backend: BackendId;
  /** tf.getBackend(): 'tensorflow' for both native backends, 'wasm', 'cpu'. */
  tfBackend: string;
  /** nativeKernels: the engine's own kernels' build and ABI when they run ('v4' native, 'wasm v5' on wasm or on tfjs-node without the addon; native-kernels.ts). */
  versions: { tfjs: string; tfjsNode?: string; libtensorflow?: string; wasm?: string; nativeKernels?: string };
  /** The GPU seen (nvidia-smi -L line), tfjs-node-gpu only. */
  gpu?: string;
  threads: number;
  /** e.g. 'linux-x64 node v20.19.0'. */
  platform: string;
}

/** The checks initEngine makes of the machine; tests inject their own. */
export interface EngineProbes {
  /** A description of the NVIDIA GPU seen, or null when none. */
  probeGpu(): string | null;
  /** Whether an npm package resolves from this package. */
  resolves(pkg: string): boolean;
}

/** Options of initEngine. */
export interface InitEngineOptions {
  /** From the experiment config (engine.backend); default 'auto'. */
  backend?: BackendChoice;
  /** Wins over backend when set: the CLI passes process.env.SER_BACKEND here. */
  override?: string;
  logger?: Logger;
  /** Threads asked of wasm; default os.availableParallelism(). EngineInfo records those really used. */
  threads?: number;
  probes?: Partial<EngineProbes>;
  /**
   * Pins the engine's own kernels for every backend: 'off' (the tf-op forms), 'native' or 'wasm'
   * (the CLI maps SER_NATIVE_KERNELS=0/1/wasm here). Unset: the build initEngine picks per backend.
   */
  nativeKernels?: KernelPin;
}

const require = createRequire(import.meta.url);
const GPU_PKG = '@tensorflow/tfjs-node-gpu';
const NODE_PKG = '@tensorflow/tfjs-node';
const WASM_PKG = '@tensorflow/tfjs-backend-wasm';

let current: EngineInfo | null = null;

/** nvidia-smi -L's first line, else the model named in /proc/driver/nvidia/gpus, else null. */
export function probeNvidiaGpu(): string | null {
  try {
    const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
    const line = r.status === 0 ? r.stdout.split('\n').find((l) => l.trim() !== '') : undefined;
    if (line) return line.trim();
  } catch {
    // no nvidia-smi: try /proc below
  }
  try {
    const dir = '/proc/driver/nvidia/gpus';
    const entries = fs.readdirSync(dir);
    if (entries.length === 0) return null;
    const info = fs.readFileSync(path.join(dir, entries[0], 'information'), 'utf8');
    const model = /Model:\s*(.+)/.exec(info)?.[1]?.trim();
    return model ?? `NVIDIA GPU (${entries.length} in /proc/driver/nvidia/gpus)`;
  } catch {
    return null;
  }
}

function packageResolves(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function packageVersion(pkg: string): string | undefined {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const FIX: Record<BackendId, string> = {
  'tfjs-node-gpu': `the set-up installs ${GPU_PKG} where nvidia-smi finds a GPU with CUDA 11.2 and cuDNN 8.1: run \`npm run setup\` and read why it did not, and \`npx ser doctor\` (see README.md "GPU"), or set SER_BACKEND=auto`,
  'tfjs-node': 'run `npm run setup` (builds tfjs-node against the tensorflow-cpu wheel) and see its output, or set SER_BACKEND=wasm',
  wasm: `reinstall ${WASM_PKG} (npm install), or set SER_BACKEND=cpu`,
  cpu: 'reinstall @tensorflow/tfjs (npm install)',
};

/**
 * The backends to try, in order: an explicit choice alone, or for 'auto' tfjs-node-gpu (only when
 * the package resolves and a GPU is seen), tfjs-node, wasm, cpu.
 */
export function backendOrder(choice: BackendChoice, probes: EngineProbes, logger: Logger = silentLogger): BackendId[] {
  if (choice !== 'auto') return [choice];
  const order: BackendId[] = [];
  if (!probes.resolves(GPU_PKG)) logger.debug(`engine: skipping tfjs-node-gpu: ${GPU_PKG} is not installed`);
  else if (probes.probeGpu() === null) logger.debug('engine: skipping tfjs-node-gpu: no NVIDIA GPU seen (nvidia-smi -L, /proc/driver/nvidia/gpus)');
  else order.push('tfjs-node-gpu');
  order.push('tfjs-node', 'wasm', 'cpu');
  return order;
}

function parseChoice(value: string, where: string): BackendChoice {
  if (value === 'auto' || (BACKEND_IDS as readonly string[]).includes(value)) return value as BackendChoice;
  throw new SerError('CONFIG_INVALID', `${where}: unknown backend '${value}'; use one of auto, ${BACKEND_IDS.join(', ')}`, {
    details: { value },
  });
}

/** Activates a backend; returns the threads it really uses (tfjs-backend-wasm in Node: 1, no worker threads). */
async function activate(id: BackendId, threads: number): Promise<number> {
  let used = threads;
  switch (id) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      // Both register the 'tensorflow' backend on the shared tfjs-core.
      require(id === 'tfjs-node-gpu' ? GPU_PKG : NODE_PKG);
      break;
    }
    case 'wasm': {
      const wasm = require(WASM_PKG) as typeof import('@tensorflow/tfjs-backend-wasm');
      const dist = path.dirname(require.resolve(WASM_PKG));
      wasm.setWasmPaths(`${dist}${path.sep}`);
      wasm.setThreadsCount(threads);
      registerWasmKernels();
      break;
    }
    case 'cpu':
      break;
  }
  const tfName = id === 'wasm' || id === 'cpu' ? id : 'tensorflow';
  if (!tf.findBackendFactory(tfName)) throw new Error(`the package loaded but registered no '${tfName}' backend (a second copy of @tensorflow/tfjs-core?)`);
  const ok = await tf.setBackend(tfName);
  if (!ok || tf.getBackend() !== tfName) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
  // a tiny op proves the backend computes (a broken native library fails here, not mid-training)
  const v = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).dataSync()[0]);
  if (v !== 4) throw new Error(`a 4x4 matMul of ones gave ${v}, expected 4`);
  if (id === 'wasm') used = (require(WASM_PKG) as typeof import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  if (id === 'cpu') used = 1;
  return used;
}

function describe(id: BackendId, threads: number, gpu: string | null): EngineInfo {
  const versions: EngineInfo['versions'] = { tfjs: tf.version.tfjs };
  if (id === 'tfjs-node' || id === 'tfjs-node-gpu') {
    versions.tfjsNode = packageVersion(id === 'tfjs-node' ? NODE_PKG : GPU_PKG);
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
    if (binding?.TF_Version) versions.libtensorflow = binding.TF_Version;
  }
  if (id === 'wasm') versions.wasm = packageVersion(WASM_PKG);
  const build = activeKernelBuild();
  if (build) versions.nativeKernels = build === 'native' ? `v${NATIVE_API_VERSION}` : `wasm v${WASM_KERNELS_API_VERSION}`;
  const info: EngineInfo = {
    backend: id,
    tfBackend: tf.getBackend(),
    versions,
    threads,
    platform: `${process.platform}-${process.arch} node ${process.version}`,
  };
  if (id === 'tfjs-node-gpu' && gpu) info.gpu = gpu;
  return info;
}

/**
 * Chooses and activates the backend: options.override (the CLI passes SER_BACKEND) wins over
 * options.backend (default 'auto'). 'auto' tries the fastest first and logs why each failed one
 * failed; an explicit backend that fails is SerError ENGINE_UNAVAILABLE with the reason and the fix.
 */
export async function initEngine(options: InitEngineOptions = {}): Promise<EngineInfo> {
  const logger = options.logger ?? silentLogger;
  const probes: EngineProbes = {
    probeGpu: options.probes?.probeGpu ?? probeNvidiaGpu,
    resolves: options.probes?.resolves ?? packageResolves,
  };
  const override = options.override?.trim();
  const choice = override ? parseChoice(override, 'SER_BACKEND') : parseChoice(options.backend ?? 'auto', 'engine.backend');
  if (override && options.backend && override !== options.backend) {
    logger.info(`engine: SER_BACKEND=${override} overrides engine.backend ${options.backend}`);
  }
  const threads = options.threads ?? os.availableParallelism();
  if (options.nativeKernels !== undefined) pinNativeKernels(options.nativeKernels);
  const order = backendOrder(choice, probes, logger);
  const failures: string[] = [];
  for (const id of order) {
    try {
      let used = await activate(id, threads);
      // the engine's kernels work on host memory: native beside the CPU engine (their wasm build
      // where the addon is not built), the wasm build beside wasm, never next to a GPU
      configureNativeKernels({ enabled: id === 'tfjs-node' || id === 'wasm', build: id === 'wasm' ? 'wasm' : undefined, threads });
      if (id === 'tfjs-node' && activeKernelBuild() === 'wasm') {
        logger.info(`engine: native kernels unavailable (${nativeKernelsStatus().reason}); using their WebAssembly build`);
      }
      if (id === 'wasm') {
        // tfjs-backend-wasm runs one thread in Node; the heavy ops (conv blocks, LSTM, matMul) run
        // on the engine's wasm kernels and their threads
        const k = activeKernelBuild() === 'wasm' ? wasmKernelsStatus() : null;
        if (k?.threads) used = k.threads;
        else
          logger.info(
            `engine: wasm runs ${used} thread(s) here: the engine's wasm kernels are off (${nativeKernelsPin() === 'off' ? "switched off: nativeKernels 'off'" : wasmKernelsStatus().reason})`,
          );
      }
      const gpu = id === 'tfjs-node-gpu' ? probes.probeGpu() : null;
      current = describe(id, used, gpu);
      logger.info(
        `engine: ${id} (tf backend ${current.tfBackend}, tfjs ${current.versions.tfjs}${current.versions.libtensorflow ? `, libtensorflow ${current.versions.libtensorflow}` : ''}${current.gpu ? `, ${current.gpu}` : ''})`,
      );
      return current;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      failures.push(`${id}: ${reason}`);
      if (choice !== 'auto') {
        throw new SerError('ENGINE_UNAVAILABLE', `backend ${id} could not be loaded: ${reason}. Fix: ${FIX[id]}`, {
          cause: err,
          details: { backend: id, reason },
        });
      }
      logger.warn(`engine: ${id} unavailable (${reason}); trying the next backend`);
    }
  }
  throw new SerError('ENGINE_UNAVAILABLE', `no backend could be loaded (${failures.join('; ')}). Fix: ${FIX.cpu}`, {
    details: { failures },
  });
}

/** The info of the engine initEngine set up; SerError ENGINE_UNAVAILABLE before that. */
export function engineInfo(): EngineInfo {
  if (!current) throw new SerError('ENGINE_UNAVAILABLE', 'engineInfo() was called before initEngine(); call initEngine first');
  return current;
}
