import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_LIBRARIES, compareVersions, findLibraries, gpuEngineDecision, probeGpus } from '../gpu-probe.mjs';

// No GPU here: nvidia-smi and ldconfig are shell scripts on a PATH of our own, printing what the
// real ones print.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-gpu-probe-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A folder with executables `name` printing `out` (exit `code`), for use as PATH. */
function fakeBin(scripts: Record<string, { out: string; code?: number; queryOut?: string }>): string {
  const dir = path.join(root, `bin${n++}`);
  fs.mkdirSync(dir);
  for (const [name, s] of Object.entries(scripts)) {
    const file = path.join(dir, name);
    // shell builtins only (the PATH is this folder alone); the query form prints its csv, the bare form the header table
    const say = (text: string) => `printf '%s\\n' '${text.replace(/'/g, `'\\''`)}'`;
    const query = s.queryOut !== undefined ? `case "$1" in --query-gpu=*) ${s.queryOut ? say(s.queryOut) : ':'}; exit ${s.code ?? 0};; esac\n` : '';
    fs.writeFileSync(file, `#!/bin/sh\n${query}${say(s.out)}\nexit ${s.code ?? 0}\n`, { mode: 0o755 });
  }
  return dir;
}

const HEADER = (cuda: string) => `+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: ${cuda}     |
|-----------------------------------------+------------------------+----------------------+`;

describe('probeGpus', () => {
  it('lists every GPU with its driver, and the CUDA version of the header', () => {
    const bin = fakeBin({ 'nvidia-smi': { out: HEADER('12.4'), queryOut: 'NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA A100-SXM4-40GB, 550.54.15' } });
    expect(probeGpus({ env: { PATH: bin } })).toEqual({
      found: true,
      gpus: [
        { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15' },
        { name: 'NVIDIA A100-SXM4-40GB', driver: '550.54.15' },
      ],
      cuda: '12.4',
    });
  });

  it('says why there is none: no nvidia-smi, nvidia-smi failing, an empty list', () => {
    expect(probeGpus({ env: { PATH: fakeBin({}) } })).toEqual({ found: false, reason: 'nvidia-smi not found' });
    const failing = fakeBin({ 'nvidia-smi': { out: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", code: 9 } });
    expect(probeGpus({ env: { PATH: failing } })).toEqual({
      found: false,
      reason: "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
    expect(probeGpus({ env: { PATH: fakeBin({ 'nvidia-smi': { out: HEADER('12.4'), queryOut: '' } }) } })).toEqual({
      found: false,
      reason: 'nvidia-smi lists no GPU',
    });
  });
});

describe('findLibraries', () => {
  it('finds libraries on LD_LIBRARY_PATH and in the ldconfig cache, and names the other versions there', () => {
    const lib = path.join(root, 'cuda11', 'lib64');
    fs.mkdirSync(lib, { recursive: true });
    fs.writeFileSync(path.join(lib, 'libcudart.so.11.0'), '');
    const ldconfig = fakeBin({
      ldconfig: {
        out: "3 libs found in cache `/etc/ld.so.cache'\n\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8\n\tlibcublas.so.12 (libc6,x86-64) => /usr/local/cuda-12/lib64/libcublas.so.12",
      },
    });
    const found = findLibraries(['libcudart.so.11.0', 'libcudnn.so.8', 'libcublas.so.11', 'libcufft.so.10'], {
      env: { PATH: ldconfig, LD_LIBRARY_PATH: lib },
      ldconfig: ['ldconfig'],
      cudaDirs: [],
    });
    expect(found['libcudart.so.11.0'].path).toBe(path.join(lib, 'libcudart.so.11.0'));
    expect(found['libcudnn.so.8'].path).toBe('/usr/lib/x86_64-linux-gnu/libcudnn.so.8');
    expect(found['libcublas.so.11']).toEqual({ path: null, otherVersions: ['libcublas.so.12'], elsewhere: null });
    expect(found['libcufft.so.10']).toEqual({ path: null, otherVersions: [], elsewhere: null });
  });

  it('names a CUDA folder that holds a library the loader cannot see', () => {
    const cuda = path.join(root, 'cuda-11.8');
    fs.mkdirSync(path.join(cuda, 'lib64'), { recursive: true });
    fs.writeFileSync(path.join(cuda, 'lib64', 'libcurand.so.10'), '');
    const found = findLibraries(['libcurand.so.10'], { env: { PATH: fakeBin({}) }, ldconfig: ['ldconfig'], cudaDirs: [cuda] });
    expect(found['libcurand.so.10']).toEqual({ path: null, otherVersions: [], elsewhere: path.join(cuda, 'lib64', 'libcurand.so.10') });
  });
});

describe('gpuEngineDecision', () => {
  const gpu = { found: true as const, gpus: [{ name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15' }], cuda: '12.4' };
  const all = Object.fromEntries(GPU_LIBRARIES.map((l) => [l, { path: `/usr/lib/${l}`, otherVersions: [], elsewhere: null }]));

  it('installs where a GPU, a recent driver and every CUDA 11 / cuDNN 8 library are', () => {
    const d = gpuEngineDecision({ platform: 'linux', arch: 'x64', gpu, libraries: all });
    expect(d).toEqual({ install: true, reason: 'NVIDIA H100 80GB HBM3 (driver 550.54.15, CUDA 12.4) with the CUDA 11 and cuDNN 8 libraries' });
  });

  it('says exactly why not: no GPU, platform, old driver, missing or wrong-version libraries', () => {
    expect(gpuEngineDecision({ gpu: { found: false, reason: 'nvidia-smi not found' }, libraries: all })).toEqual({
      install: false,
      reason: 'no GPU: nvidia-smi not found',
    });
    expect(gpuEngineDecision({ platform: 'darwin', arch: 'arm64', gpu, libraries: all }).reason).toMatch(/ships for linux-x64 only \(this is darwin-arm64\)/);
    const old = gpuEngineDecision({ platform: 'linux', arch: 'x64', gpu: { ...gpu, cuda: '11.0' }, libraries: all });
    expect(old.install).toBe(false);
    expect(old.reason).toMatch(/supports CUDA 11\.0; .* needs CUDA 11\.2 or newer: update the NVIDIA driver/);
    const libs = {
      ...all,
      'libcudart.so.11.0': { path: null, otherVersions: ['libcudart.so.12'], elsewhere: null },
      'libcudnn.so.8': { path: null, otherVersions: [], elsewhere: null },
      'libcufft.so.10': { path: null, otherVersions: [], elsewhere: '/usr/local/cuda-11.8/lib64/libcufft.so.10' },
    };
    const d = gpuEngineDecision({ platform: 'linux', arch: 'x64', gpu, libraries: libs });
    expect(d.install).toBe(false);
    expect(d.reason).toContain('libcudart.so.11.0 (wrong version: found libcudart.so.12)');
    expect(d.reason).toContain('libcudnn.so.8 (not found)');
    expect(d.reason).toContain('libcufft.so.10 (in /usr/local/cuda-11.8/lib64, which is not on LD_LIBRARY_PATH or in the ldconfig cache)');
    expect(d.reason).not.toContain('libcublas.so.11');
  });

  it('compares versions part by part', () => {
    expect(compareVersions('11.2', '11.10')).toBe(-1);
    expect(compareVersions('12.4', '11.2')).toBe(1);
    expect(compareVersions('11.2', '11.2.0')).toBe(0);
  });
});
