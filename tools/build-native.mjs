#!/usr/bin/env node
// Builds the framework's native kernels (packages/native/csrc/*.cc) into
// packages/native/build/ser_native.node with the machine's C++ compiler: a plain N-API addon,
// so it needs only Node's own headers (include/node beside the node binary) and no download.
// Runs from tools/setup-engine.mjs (the postinstall step) and alone: `node tools/build-native.mjs`.
// Without a compiler it says so and exits 0: the engine then uses its tf-op forms and the features
// their JS form (slower, same results).
// Environment: CXX picks the compiler; SER_SKIP_NATIVE_BUILD=1 skips the build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sourcesHash } from '../packages/native/sources-hash.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'packages', 'native', 'csrc');
const outDir = path.join(root, 'packages', 'native', 'build');
// every .cc and .h: all are hashed into the stamp, the .cc files compiled
const sources = fs
  .readdirSync(srcDir)
  .filter((f) => f.endsWith('.cc') || f.endsWith('.h'))
  .sort();

const say = (msg) => console.log(`[ser setup] ${msg}`);

/**
 * What the stamp beside the addon records: the sources' hash (the loader,
 * packages/native/src/index.ts, recomputes it and refuses a stale addon) and the flags.
 */
export function nativeStamp(flags) {
  return `${sourcesHash(srcDir, [''])} ${flags.join(' ')}`;
}

function cpuFlags() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return [];
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const flags = new Set((info.match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
  // the build runs on the machine that uses it; AVX2 + FMA are what the kernels' vectors map to
  return flags.has('avx2') && flags.has('fma') ? ['-mavx2', '-mfma'] : [];
}

function nodeInclude() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
  ].filter(Boolean);
  return candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
}

/** Builds the addon unless an up-to-date one is there; returns true when one loads. */
export function buildNative() {
  if (process.env.SER_SKIP_NATIVE_BUILD === '1') {
    say('SER_SKIP_NATIVE_BUILD=1: native kernels not built (the engine uses tf ops)');
    return false;
  }
  const include = nodeInclude();
  if (!include) {
    say("native kernels NOT built: Node's headers (include/node/node_api.h) were not found; set npm_config_nodedir. The engine uses tf ops instead (slower).");
    return false;
  }
  const cxx = process.env.CXX ?? 'c++';
  const flags = ['-O3', '-std=c++17', '-shared', '-fPIC', '-pthread', '-DNODE_GYP_MODULE_NAME=ser_native', ...cpuFlags()];
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
  const stamp = nativeStamp(flags);
  const addon = path.join(outDir, 'ser_native.node');
  const stampFile = path.join(outDir, 'ser_native.stamp');
  if (fs.existsSync(addon) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === stamp && probe(addon)) {
    say(`native kernels up to date (${path.relative(root, addon)})`);
    return true;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = `${addon}.${process.pid}.tmp`;
  const t0 = Date.now();
  const r = spawnSync(cxx, [...flags, `-I${include}`, `-I${srcDir}`, ...sources.filter((s) => s.endsWith('.cc')).map((s) => path.join(srcDir, s)), '-o', tmp], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    const why = r.error ? `${cxx} not found (${r.error.code})` : (r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n');
    say(`native kernels NOT built, the engine uses tf ops instead (slower, same results). Reason: ${why}`);
    say('to fix: install a C++17 compiler (g++ or clang++, or set CXX) and run `npm run setup`.');
    return false;
  }
  fs.renameSync(tmp, addon); // atomic: a running process never sees half a file
  fs.writeFileSync(stampFile, `${stamp}\n`);
  if (!probe(addon)) {
    say(`native kernels built but do not load (${path.relative(root, addon)}); the engine uses tf ops instead`);
    return false;
  }
  say(
    `native kernels built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${flags.filter((f) => f.startsWith('-m')).join(' ') || 'generic'}): ${path.relative(root, addon)}`,
  );
  return true;
}

function probe(addon) {
  const r = spawnSync(process.execPath, [
    '-e',
    `const m=require(${JSON.stringify(addon)});if(typeof m.convPoolForward!=='function'||typeof m.lstmForward!=='function'||typeof m.spectrogramFrames!=='function')process.exit(1)`,
  ]);
  return r.status === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) buildNative();
