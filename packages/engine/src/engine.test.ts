import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { isSerError, silentLogger } from '@ser/core';
import type { Logger } from '@ser/core';
import { backendOrder, engineInfo, initEngine, probeNvidiaGpu } from './engine.js';
import { NATIVE_API_VERSION, nativeKernelsActive, nativeKernelsStatus } from './native-kernels.js';
import { doctor } from './doctor.js';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

const gpuMachine = { probeGpu: () => 'GPU 0: NVIDIA A100 (UUID: GPU-x)', resolves: () => true };
const cpuMachine = { probeGpu: () => null, resolves: () => true };

describe('backendOrder', () => {
  it('auto tries tfjs-node-gpu first only when the package resolves and a GPU is seen', () => {
    expect(backendOrder('auto', gpuMachine)).toEqual(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(backendOrder('auto', cpuMachine)).toEqual(['tfjs-node', 'wasm', 'cpu']);
    const log = recordingLogger();
    expect(backendOrder('auto', { probeGpu: () => 'GPU 0', resolves: (p) => p !== '@tensorflow/tfjs-node-gpu' }, log)).toEqual(['tfjs-node', 'wasm', 'cpu']);
    expect(log.lines.join('\n')).toMatch(/tfjs-node-gpu is not installed/);
  });

  it('an explicit choice is the only one tried', () => {
    expect(backendOrder('wasm', gpuMachine)).toEqual(['wasm']);
  });
});

describe('probeNvidiaGpu', () => {
  // A stand-in nvidia-smi first on PATH: what the probe reports is what `nvidia-smi -L` printed.
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fake-smi-'));
  const pathBefore = process.env.PATH;
  afterEach(() => {
    process.env.PATH = pathBefore;
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));
  const fakeSmi = (script: string) => {
    fs.writeFileSync(path.join(bin, 'nvidia-smi'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}${path.delimiter}${pathBefore}`;
  };
  const procGpus = (() => {
    try {
      return fs.readdirSync('/proc/driver/nvidia/gpus').length > 0;
    } catch {
      return false;
    }
  })();

  it('returns the first GPU line nvidia-smi -L prints', () => {
    fakeSmi('[ "$1" = "-L" ] || exit 2\necho\necho "GPU 0: NVIDIA H100 (UUID: GPU-1234)"\necho "GPU 1: NVIDIA H100 (UUID: GPU-5678)"');
    expect(probeNvidiaGpu()).toBe('GPU 0: NVIDIA H100 (UUID: GPU-1234)');
  });

  it.runIf(!procGpus)('is null when nvidia-smi fails and the kernel lists no NVIDIA GPU', () => {
    fakeSmi('echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver" >&2\nexit 9');
    expect(probeNvidiaGpu()).toBeNull();
  });

  it.runIf(procGpus)('falls back to the GPU the kernel driver lists when nvidia-smi fails', () => {
    fakeSmi('exit 9');
    expect(probeNvidiaGpu()).toMatch(/\S/);
  });
});

describe('initEngine', () => {
  it('throws before initialisation for engineInfo', () => {
    expect(() => engineInfo()).toThrow(/before initEngine/);
  });

  it('auto on a GPU machine without the GPU package loadable falls back to tfjs-node and logs why', async () => {
    const log = recordingLogger();
    // The probe claims a GPU and the package; the real load of tfjs-node-gpu then fails here.
    const info = await initEngine({ backend: 'auto', logger: log, probes: { probeGpu: gpuMachine.probeGpu, resolves: () => true } });
    expect(info.backend).toBe('tfjs-node');
    expect(info.tfBackend).toBe('tensorflow');
    expect(info.versions.tfjs).toBe(tf.version.tfjs);
    expect(info.versions.libtensorflow).toMatch(/^\d+\.\d+/);
    expect(info.versions.tfjsNode).toBe('4.22.0');
    expect(info.gpu).toBeUndefined();
    expect(log.lines.some((l) => /^warn engine: tfjs-node-gpu unavailable \(.+\)/.test(l))).toBe(true);
    expect(engineInfo()).toEqual(info);
    // the CPU engine runs the native kernels where they are built, and records their ABI
    if (nativeKernelsStatus().loaded) {
      expect(info.versions.nativeKernels).toBe(`v${NATIVE_API_VERSION}`);
      expect(nativeKernelsActive()).toBe(true);
    }
  });

  it('an explicitly requested backend that fails is ENGINE_UNAVAILABLE naming it, the reason and the fix', async () => {
    const err = await initEngine({ backend: 'tfjs-node-gpu', logger: silentLogger }).catch((e: unknown) => e);
    expect(isSerError(err, 'ENGINE_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(
      /backend tfjs-node-gpu could not be loaded: .+Fix: the set-up installs @tensorflow\/tfjs-node-gpu where nvidia-smi finds a GPU.*npm run setup/,
    );
  });

  it('override (SER_BACKEND) wins over the configured backend; unknown names are rejected', async () => {
    const log = recordingLogger();
    const info = await initEngine({ backend: 'tfjs-node', override: 'cpu', logger: log });
    expect(info.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // never beside another backend: they are for the CPU engine
    expect(info.versions.nativeKernels).toBeUndefined();
    expect(nativeKernelsActive()).toBe(false);
    expect(log.lines.join('\n')).toMatch(/SER_BACKEND=cpu overrides engine.backend tfjs-node/);
    await expect(initEngine({ override: 'tpu' })).rejects.toThrow(/SER_BACKEND: unknown backend 'tpu'/);
    await expect(initEngine({ backend: 'gpu' as 'cpu' })).rejects.toThrow(/engine.backend: unknown backend 'gpu'/);
  });

  it('wasm loads with its kernels and records its version', async () => {
    const info = await initEngine({ backend: 'wasm', threads: 1 });
    expect(info).toMatchObject({ backend: 'wasm', tfBackend: 'wasm', threads: 1 });
    expect(info.versions.wasm).toBe('4.22.0');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('doctor reports the engine and a positive matMul throughput', async () => {
    const info = await initEngine({ backend: 'tfjs-node' });
    const r = await doctor(info, { size: 256, budgetMs: 300 });
    expect(r.backend.id).toBe('tfjs-node');
    expect(r.versions).toEqual(info.versions);
    expect(r.matmulGflops).toBeGreaterThan(0);
    expect(r.cpus.count).toBeGreaterThan(0);
  });
});
