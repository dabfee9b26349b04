#!/usr/bin/env node
// Builds the kernels' WebAssembly form, packages/native/wasm/ser_kernels.wasm, from
// packages/native/csrc (conv_pool.cc, lstm.cc, spectrogram.cc) and csrc/wasm (a matMul, the runtime): wasm32 with SIMD128,
// atomics and a shared memory (threads), plus a stamp with the sources' hash. Both files are
// committed, so installs need no compiler; run this after changing csrc (a test fails until then).
//
// Needs clang and wasm-ld with the wasm32-wasi target and wasi-libc (for its math functions). On Debian:
//   apt-get install clang-14 lld-14 wasi-libc libc++-14-dev-wasm32
// Environment: WASM_CC (default clang++-14, then clang++), WASM_LD (default wasm-ld-14, then wasm-ld).
// usage: node tools/build-wasm.mjs [--out DIR]   (default packages/native/wasm; a test builds into a
// temporary DIR and checks that the committed file is what these sources build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourcesHash } from '../packages/native/sources-hash.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'packages', 'native', 'csrc');
const outAt = process.argv.indexOf('--out');
const outDir = outAt > 0 ? path.resolve(process.argv[outAt + 1]) : path.join(root, 'packages', 'native', 'wasm');
const units = ['conv_pool.cc', 'lstm.cc', 'spectrogram.cc', 'wasm/gemm.cc', 'wasm/runtime.cc'];

const pick = (env, names) => [env, ...names].filter(Boolean).find((c) => spawnSync(c, ['--version']).status === 0);
const cc = pick(process.env.WASM_CC, ['clang++-14', 'clang++']);
const ld = pick(process.env.WASM_LD, ['wasm-ld-14', 'wasm-ld']);
if (!cc || !ld) {
  console.error('build-wasm: needs clang++ and wasm-ld with the wasm32-wasi target (Debian: apt-get install clang-14 lld-14 wasi-libc libc++-14-dev-wasm32)');
  process.exit(1);
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`build-wasm: ${cmd} ${args.join(' ')}\n${r.stderr || r.stdout}`);
    process.exit(1);
  }
};

// -ffile-prefix-map: no machine paths in the output, so every machine builds the same bytes
const cflags = [
  '--target=wasm32-wasi',
  '-O3',
  '-std=c++17',
  '-msimd128',
  '-matomics',
  '-mbulk-memory',
  '-mmutable-globals',
  '-fno-exceptions',
  `-ffile-prefix-map=${root}=.`,
];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-wasm-'));
const objects = units.map((u) => {
  const o = path.join(tmp, u.replace(/\W/g, '_') + '.o');
  run(cc, [...cflags, '-c', path.join(srcDir, u), '-o', o]);
  return o;
});
fs.mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, 'ser_kernels.wasm');
// a shared, imported memory (every thread's instance uses it), 16 MiB at first, up to 4 GiB; the
// stack pointer is exported so each worker can move to its own stack
run(ld, [
  '--no-entry',
  '--import-memory',
  '--shared-memory',
  '--initial-memory=16777216',
  '--max-memory=4294967296',
  '-z',
  'stack-size=1048576',
  '--export=__stack_pointer',
  '--strip-all',
  ...objects,
  '-L/usr/lib/wasm32-wasi',
  '-lc',
  '-o',
  out,
]);
fs.rmSync(tmp, { recursive: true, force: true });

// the stamp: packages/native/src/wasm.ts recomputes it and refuses a stale build
// then the compiler that built it: the test that rebuilds the file compares bytes only with the same one
const version = (cmd) => spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
const stamp = sourcesHash(srcDir, ['', 'wasm/']);
fs.writeFileSync(path.join(outDir, 'ser_kernels.stamp'), `${stamp} ${version(cc)}; ${version(ld)}\n`);
console.log(`build-wasm: ${path.relative(root, out)} (${fs.statSync(out).size} bytes), stamp ${stamp}`);
