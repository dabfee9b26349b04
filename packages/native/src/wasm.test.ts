// The kernels' WebAssembly build: committed, current, starting with its worker threads, and its
// matMul against a plain JS one. (The model kernels are held equal to their tf-op forms, in both
// builds, by @ser/engine's native-kernels tests; the spectrogram frames to the JS loop by
// @ser/features' native-frames tests.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WASM_KERNELS_PATH, loadWasmKernels, wasmKernelsStatus, wasmSourcesHash } from './wasm.js';

function random(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/** c = op(a) op(b) in float64, the definition. */
function matMul(M: number, N: number, K: number, a: Float32Array, b: Float32Array, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
      c[i * N + j] = s;
    }
  return c;
}

describe('the wasm build of the kernels', () => {
  it('is committed and built from the sources csrc holds now (after changing csrc, run `node tools/build-wasm.mjs`)', () => {
    expect(fs.existsSync(WASM_KERNELS_PATH)).toBe(true);
    expect(
      fs
        .readFileSync(WASM_KERNELS_PATH.replace(/\.wasm$/, '.stamp'), 'utf8')
        .split(' ')[0]
        .trim(),
    ).toBe(wasmSourcesHash());
  });

  // where the toolchain that built the committed file is (CI installs it): its bytes are what
  // tools/build-wasm.mjs builds. (Another clang may emit other, equally valid, code.)
  const stampFile = WASM_KERNELS_PATH.replace(/\.wasm$/, '.stamp');
  const version = (cmd: string) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0].trim();
  const sameToolchain =
    fs.existsSync('/usr/lib/wasm32-wasi/libc.a') &&
    fs.existsSync('/usr/lib/llvm-14/include/wasm32-wasi/c++/v1/vector') &&
    fs
      .readFileSync(stampFile, 'utf8')
      .trim()
      .endsWith(` ${version('clang++-14')}; ${version('wasm-ld-14')}`);
  it.runIf(sameToolchain)(
    'is exactly what tools/build-wasm.mjs builds from these sources',
    () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-wasm-build-'));
      try {
        const script = fileURLToPath(new URL('../../../tools/build-wasm.mjs', import.meta.url));
        const r = spawnSync(process.execPath, [script, '--out', out], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(fs.readFileSync(path.join(out, 'ser_kernels.wasm')).equals(fs.readFileSync(WASM_KERNELS_PATH))).toBe(true);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it("starts, with this machine's cores as threads", () => {
    const status = wasmKernelsStatus();
    expect(status.loaded).toBe(true);
    expect(status.threads).toBeGreaterThanOrEqual(1);
  });

  // tile edges (M not a multiple of 6, N not of 8), K blocks (K > 256), thin and wide products,
  // every transpose, and a product split by rows (M > N)
  it.each([
    [1, 1, 1, false, false],
    [7, 9, 5, false, false],
    [13, 17, 300, true, false],
    [25, 11, 513, false, true],
    [37, 19, 53, true, true],
    [300, 40, 70, false, false],
    [6, 1000, 9, true, true],
    [64, 64, 0, false, false],
  ])('gemm M %i N %i K %i transA %s transB %s = the definition', (M, N, K, ta, tb) => {
    const k = loadWasmKernels()!;
    const a = random(M * K, M + 7 * K),
      b = random(K * N, N + 3 * K);
    const c = new Float32Array(M * N).fill(Number.NaN); // every element is written
    k.gemm(Int32Array.from([M, N, K, ta ? 1 : 0, tb ? 1 : 0, 2]), a, b, c);
    const ref = matMul(M, N, K, a, b, ta, tb);
    let worst = 0;
    for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i] - ref[i]) / Math.max(1, Math.sqrt(K)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('gemm gives the same bits on one thread or several (each sum runs over k in one order)', () => {
    const k = loadWasmKernels()!;
    const [M, N, K] = [50, 260, 600];
    const a = random(M * K, 1),
      b = random(K * N, 2);
    const one = new Float32Array(M * N),
      many = new Float32Array(M * N);
    k.gemm(Int32Array.from([M, N, K, 0, 0, 1]), a, b, one);
    k.gemm(Int32Array.from([M, N, K, 0, 0, 64]), a, b, many);
    expect(Array.from(many)).toEqual(Array.from(one));
  });

  it('hands every part of back-to-back jobs out exactly once (2000 small threaded products, each checked)', async () => {
    const k = loadWasmKernels()!;
    await new Promise((r) => setTimeout(r, 200)); // the workers are up: the pool's hand-over is what runs
    const [M, N, K] = [12, 40, 16];
    const a = random(M * K, 5),
      b = random(K * N, 6);
    const ref = new Float32Array(M * N);
    k.gemm(Int32Array.from([M, N, K, 0, 0, 1]), a, b, ref);
    const c = new Float32Array(M * N);
    let wrong = 0;
    for (let i = 0; i < 2000; i++) {
      c.fill(Number.NaN);
      k.gemm(Int32Array.from([M, N, K, 0, 0, 2]), a, b, c);
      if (!c.every((v, j) => v === ref[j])) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('rejects arrays that do not match their dims and dims out of range, naming the call', () => {
    const k = loadWasmKernels()!;
    expect(() => k.gemm(Int32Array.from([2, 2, 2, 0, 0, 1]), new Float32Array(3), new Float32Array(4), new Float32Array(4))).toThrow(/gemm: .*length 3.*4/);
    expect(() => k.gemm(Int32Array.from([2, 2]), new Float32Array(4), new Float32Array(4), new Float32Array(4))).toThrow(/Int32Array of 6/);
    expect(() => k.gemm(Int32Array.from([2, 2, 2, 3, 0, 1]), new Float32Array(4), new Float32Array(4), new Float32Array(4))).toThrow(
      /ser_gemm: gemm dims out of range/,
    );
    const conv = Int32Array.from([1, 4, 4, 1, 12, 3, 3, 1, 1, 1, 1, 2, 2, 1]); // 12 channels: not a multiple of 8
    expect(() => k.convPoolForward(conv, new Float32Array(16), new Float32Array(108), new Float32Array(12), new Float32Array(48), new Uint8Array(48))).toThrow(
      /ser_conv_forward: conv dims out of range \(Co a multiple of 8/,
    );
    const lstm = Int32Array.from([2, 1, 1, 2, 0, 0, 1]);
    expect(() =>
      k.lstmForward(
        lstm,
        new Float32Array(16),
        new Float32Array(16),
        null,
        new Float32Array(4),
        new Float32Array(16),
        new Float32Array(4),
        new Float32Array(3),
        null,
      ),
    ).toThrow(/lstmForward: .*length 3/);
    expect(() =>
      k.spectrogramFrames(
        Int32Array.from([3, 10, 64, 0, 0, 1, 1]),
        Float64Array.from([1, 1e-10]),
        new Float64Array(50),
        new Float64Array(64),
        null,
        null,
        null,
        null,
        new Float64Array(99),
      ),
    ).toThrow(/signal must cover every frame/);
  });
});
