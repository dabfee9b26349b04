// What this machine offers the GPU engine (tfjs-node-gpu), asked of nvidia-smi and of the dynamic
// loader. Plain JavaScript: tools/setup-engine.mjs runs it at install time, before anything is
// compiled, and `ser doctor` shows the same answers (through @ser/engine).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The tfjs-node-gpu release the set-up installs: TensorFlow 2.9.1, built for CUDA 11.2 and cuDNN 8.1. */
export const TFJS_NODE_GPU_VERSION = '4.22.0';
/** The CUDA version the driver must support at least (nvidia-smi's "CUDA Version"). */
export const MIN_DRIVER_CUDA = '11.2';
/** The libraries TensorFlow 2.9 opens for the GPU (a missing one and it runs on the CPU only). */
export const GPU_LIBRARIES = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
];

function run(cmd, args, env) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000, env, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  } catch (error) {
    return { status: null, stdout: '', stderr: '', error };
  }
}

/**
 * The NVIDIA GPUs nvidia-smi lists (`--query-gpu=name,driver_version --format=csv,noheader`) and
 * the highest CUDA version their driver supports (the "CUDA Version" of nvidia-smi's header), or
 * why there is none: 'nvidia-smi not found', 'nvidia-smi failed: ...', 'nvidia-smi lists no GPU'.
 * options.env: the environment nvidia-smi is looked up and run in (PATH; default process.env).
 */
export function probeGpus(options = {}) {
  const env = options.env ?? process.env;
  const q = run('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], env);
  if (q.error?.code === 'ENOENT') return { found: false, reason: 'nvidia-smi not found' };
  if (q.error || q.status !== 0) {
    const why = (q.stdout + q.stderr).trim().split('\n')[0] || (q.error ? q.error.message : `exit code ${q.status}`);
    return { found: false, reason: `nvidia-smi failed: ${why}` };
  }
  const gpus = q.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const cut = l.lastIndexOf(',');
      return cut < 0 ? { name: l, driver: '' } : { name: l.slice(0, cut).trim(), driver: l.slice(cut + 1).trim() };
    });
  if (gpus.length === 0) return { found: false, reason: 'nvidia-smi lists no GPU' };
  const header = run('nvidia-smi', [], env);
  const cuda = /CUDA Version:\s*([0-9]+(?:\.[0-9]+)*)/.exec(header.stdout)?.[1] ?? null;
  return { found: true, gpus, cuda };
}

/** -1, 0, 1 as version a is below, equal to, above b ('11.2' < '11.10'). */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Where the dynamic loader finds each library: LD_LIBRARY_PATH's folders, then the ldconfig cache
 * (`ldconfig -p`; the first of options.ldconfig that runs, default ldconfig, /sbin/ldconfig). Also
 * lists each library's other sonames found there (libcudart.so.12 when .so.11.0 is missing), and
 * the folders of CUDA_HOME / CUDA_PATH / /usr/local/cuda* that hold it without being on the path.
 */
export function findLibraries(names, options = {}) {
  const env = options.env ?? process.env;
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const cache = new Map();
  for (const cmd of options.ldconfig ?? ['ldconfig', '/sbin/ldconfig']) {
    const r = run(cmd, ['-p'], env);
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)/.exec(line);
      if (m && !cache.has(m[1])) cache.set(m[1], m[2]);
    }
    break;
  }
  const offPath = [env.CUDA_HOME, env.CUDA_PATH, ...(options.cudaDirs ?? cudaDirs())]
    .filter(Boolean)
    .flatMap((d) => [path.join(d, 'lib64'), path.join(d, 'lib')]);
  const result = {};
  for (const name of names) {
    const stem = name.slice(0, name.indexOf('.so') + 3);
    const inDir = dirs.map((d) => path.join(d, name)).find((f) => fs.existsSync(f));
    const found = inDir ?? cache.get(name) ?? null;
    const others = new Set([...cache.keys()].filter((k) => k.startsWith(`${stem}.`) && k !== name));
    for (const d of dirs) for (const f of safeList(d)) if (f.startsWith(`${stem}.`) && f !== name) others.add(f);
    const elsewhere = found ? null : (offPath.map((d) => path.join(d, name)).find((f) => fs.existsSync(f)) ?? null);
    result[name] = { path: found, otherVersions: [...others].sort(), elsewhere };
  }
  return result;
}

function safeList(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function cudaDirs() {
  return safeList('/usr/local')
    .filter((d) => d === 'cuda' || d.startsWith('cuda-'))
    .map((d) => path.join('/usr/local', d));
}

/**
 * Whether the set-up should install tfjs-node-gpu here, and if not, exactly why: not linux-x64 (the
 * only platform it ships for), no GPU, a driver older than CUDA 11.2, or CUDA 11 / cuDNN 8 libraries
 * the loader cannot find (named, with the versions that are there instead).
 */
export function gpuEngineDecision({ platform = process.platform, arch = process.arch, gpu, libraries }) {
  if (!gpu.found) return { install: false, reason: `no GPU: ${gpu.reason}` };
  const which = gpu.gpus.map((g) => g.name).join(', ');
  if (platform !== 'linux' || arch !== 'x64')
    return { install: false, reason: `${which} found, but @tensorflow/tfjs-node-gpu ships for linux-x64 only (this is ${platform}-${arch})` };
  if (gpu.cuda && compareVersions(gpu.cuda, MIN_DRIVER_CUDA) < 0) {
    return {
      install: false,
      reason: `${which} found, but its driver ${gpu.gpus[0].driver} supports CUDA ${gpu.cuda}; tfjs-node-gpu ${TFJS_NODE_GPU_VERSION} (TensorFlow 2.9) needs CUDA ${MIN_DRIVER_CUDA} or newer: update the NVIDIA driver`,
    };
  }
  const missing = Object.entries(libraries).filter(([, l]) => !l.path);
  if (missing.length > 0) {
    const parts = missing.map(([name, l]) => {
      if (l.elsewhere) return `${name} (in ${path.dirname(l.elsewhere)}, which is not on LD_LIBRARY_PATH or in the ldconfig cache)`;
      if (l.otherVersions.length > 0) return `${name} (wrong version: found ${l.otherVersions.join(', ')})`;
      return `${name} (not found)`;
    });
    return {
      install: false,
      reason:
        `${which} found (CUDA ${gpu.cuda ?? 'version unknown'} driver), but tfjs-node-gpu ${TFJS_NODE_GPU_VERSION} runs TensorFlow 2.9, which needs the CUDA 11.2 and cuDNN 8.1 libraries, and the loader cannot open: ${parts.join('; ')}. ` +
        'Install CUDA 11.x and cuDNN 8 (or put their lib folder on LD_LIBRARY_PATH), then run `npm run setup`',
    };
  }
  return { install: true, reason: `${which} (driver ${gpu.gpus[0].driver}, CUDA ${gpu.cuda ?? 'version unknown'}) with the CUDA 11 and cuDNN 8 libraries` };
}
