#!/usr/bin/env node
// Makes sure the native TensorFlow.js backend (tfjs-node) is installed and loads.
//
// Runs as the workspace's postinstall step and as `npm run setup`. Order of attempts:
//   1. tfjs-node already loads (the ordinary npm install worked: its install script
//      downloaded libtensorflow) -> nothing to do.
//   2. A build of ours is in the cache (~/.cache/ser/engine) -> copy it in.
//   3. Build it from source: tfjs-node's own sources (npm pack) compiled by node-gyp
//      against the TensorFlow C API shipped in the tensorflow-cpu wheel that pip can
//      fetch (on these machines from its local wheel index), then cache the result.
// If all fail, it says so plainly and exits 0: the engine then falls back to wasm.
// Environment: SER_SKIP_ENGINE_SETUP=1 skips it; SER_TF_WHEEL=path uses that wheel;
// SER_ENGINE_CACHE=dir moves the cache; SER_TF_WHEEL_VERSION picks the wheel version.
// Then, where nvidia-smi finds an NVIDIA GPU, it installs the GPU engine (@tensorflow/tfjs-node-gpu:
// npm pack + its own install script, which downloads libtensorflow-gpu) when the driver and the CUDA
// 11 / cuDNN 8 libraries it needs are there, or says exactly why not (packages/engine/gpu-probe.mjs
// decides); SER_SKIP_GPU_SETUP=1 skips that. Last, it builds the engine's native kernels
// (tools/build-native.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './build-native.mjs';
import { GPU_LIBRARIES, TFJS_NODE_GPU_VERSION, findLibraries, gpuEngineDecision, probeGpus } from '../packages/engine/gpu-probe.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TFJS_NODE_VERSION = '4.22.0';
const WHEEL_VERSION = process.env.SER_TF_WHEEL_VERSION ?? '2.21.0';
const pkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
const cacheRoot = process.env.SER_ENGINE_CACHE ?? path.join(os.homedir(), '.cache', 'ser', 'engine');
const buildId = `tfjs-node-${TFJS_NODE_VERSION}-tf${WHEEL_VERSION}-napi${process.versions.napi}-${process.platform}-${process.arch}`;
const cacheDir = path.join(cacheRoot, buildId);

const say = (msg) => console.log(`[ser setup] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

/** Loads tfjs-node in a child process (a failed native load can abort the process). */
function probe() {
  const code =
    `const tf=require('@tensorflow/tfjs-node');` +
    `const s=tf.matMul(tf.ones([64,64]),tf.ones([64,64])).dataSync()[0];` +
    `if(s!==64)throw new Error('matMul gave '+s);` +
    `console.log('SER_PROBE backend '+tf.getBackend()+', tfjs '+tf.version.tfjs+', libtensorflow '+tf.backend().binding.TF_Version)`;
  const r = run(process.execPath, ['-e', code], { cwd: root, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  if (r.ok) return { ok: true, info: (r.out.split('\n').find((l) => l.startsWith('SER_PROBE')) ?? '').slice(10) };
  const lines = r.out.trim().split('\n');
  const firstError = lines.find((l) => /Error/.test(l)) ?? lines[lines.length - 1];
  return { ok: false, info: firstError.trim() };
}

function copyDir(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

/** The prefix holding include/node/node_api.h, so node-gyp needs no header download. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function fetchWheel(workDir) {
  if (process.env.SER_TF_WHEEL) return process.env.SER_TF_WHEEL;
  const wheelDir = path.join(cacheRoot, 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });
  const have = fs.readdirSync(wheelDir).find((f) => f.startsWith(`tensorflow_cpu-${WHEEL_VERSION}-`));
  if (have) return path.join(wheelDir, have);
  say(`fetching the tensorflow-cpu ${WHEEL_VERSION} wheel with pip (for its TensorFlow C API)`);
  for (const py of ['python3', 'python']) {
    const r = run(
      py,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--retries', '1', '--timeout', '15', `tensorflow-cpu==${WHEEL_VERSION}`, '-d', wheelDir],
      { cwd: workDir },
    );
    if (r.ok) {
      const got = fs.readdirSync(wheelDir).find((f) => f.startsWith(`tensorflow_cpu-${WHEEL_VERSION}-`));
      if (got) return path.join(wheelDir, got);
    }
    if (!r.error) throw new Error(`pip could not fetch tensorflow-cpu==${WHEEL_VERSION}: ${r.out.trim().split('\n').slice(-2).join(' ')}`);
  }
  throw new Error('python3 with pip is needed to fetch the tensorflow-cpu wheel');
}

/** Unpacks the C API libraries and headers from the wheel into tfjs-node's deps/ layout. */
function stageLibtensorflow(wheel, depsDir) {
  const script = `
import sys, zipfile, os, shutil
wheel, deps = sys.argv[1], sys.argv[2]
lib, inc = os.path.join(deps, 'lib'), os.path.join(deps, 'include')
os.makedirs(lib, exist_ok=True); os.makedirs(inc, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for m in z.infolist():
        n = m.filename
        if n in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'):
            with z.open(m) as src, open(os.path.join(lib, os.path.basename(n)), 'wb') as dst:
                shutil.copyfileobj(src, dst, 1 << 24)
        elif n.startswith('tensorflow/include/') and not n.endswith('/'):
            rel = n[len('tensorflow/include/'):]
            if rel.startswith(('tensorflow/c/', 'tensorflow/core/platform/', 'tsl/', 'xla/tsl/')):
                z.extract(m, deps)
src = os.path.join(deps, 'tensorflow', 'include')
for entry in os.listdir(src):
    shutil.move(os.path.join(src, entry), os.path.join(inc, entry))
shutil.rmtree(os.path.join(deps, 'tensorflow'))
`;
  const r = run('python3', ['-c', script, wheel, depsDir]);
  if (!r.ok) throw new Error(`unpacking ${wheel} failed: ${r.out.trim()}`);
  const lib = path.join(depsDir, 'lib');
  for (const [link, target] of [
    ['libtensorflow.so', 'libtensorflow_cc.so.2'],
    ['libtensorflow_framework.so', 'libtensorflow_framework.so.2'],
  ]) {
    if (!fs.existsSync(path.join(lib, target))) throw new Error(`${target} is not in ${wheel}`);
    fs.rmSync(path.join(lib, link), { force: true });
    fs.symlinkSync(target, path.join(lib, link));
  }
}

function buildFromSource() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-tfjs-node-'));
  try {
    say(`building tfjs-node ${TFJS_NODE_VERSION} from source against the TensorFlow ${WHEEL_VERSION} C API`);
    const packed = run('npm', ['pack', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`, '--silent', '--pack-destination', work], { cwd: work });
    if (!packed.ok) throw new Error(`npm pack @tensorflow/tfjs-node failed: ${packed.out.trim()}`);
    const tgz = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    const untar = run('tar', ['xzf', path.join(work, tgz), '-C', work]);
    if (!untar.ok) throw new Error(`tar failed: ${untar.out}`);
    // Build in place under node_modules so the package's own requires resolve from the workspace.
    fs.rmSync(pkgDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(pkgDir), { recursive: true });
    fs.renameSync(path.join(work, 'package'), pkgDir);
    stageLibtensorflow(fetchWheel(work), path.join(pkgDir, 'deps'));
    const preGyp = path.join(root, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
    const env = { ...process.env };
    const nd = nodeDir();
    if (nd) env.npm_config_nodedir = nd;
    const npmGyp = process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (!env.npm_config_node_gyp && npmGyp && fs.existsSync(npmGyp)) env.npm_config_node_gyp = npmGyp;
    const t0 = Date.now();
    const built = run(process.execPath, [preGyp, 'rebuild', '--build-from-source', `--jobs=${os.cpus().length}`], { cwd: pkgDir, env });
    if (!built.ok) throw new Error(`node-gyp build failed:\n${built.out.trim().split('\n').slice(-15).join('\n')}`);
    fs.rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true }); // objects only; the addon is in lib/
    say(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function setupTfjsNode() {
  if (process.env.SER_SKIP_ENGINE_SETUP === '1') return say('SER_SKIP_ENGINE_SETUP=1: engine set-up skipped');
  if (!fs.existsSync(path.join(root, 'node_modules', '@tensorflow', 'tfjs'))) {
    return say('@tensorflow/tfjs is not installed yet; run `npm install` first');
  }
  let p = probe();
  if (p.ok) return say(`tfjs-node ready: ${p.info}`);
  if (fs.existsSync(pkgDir)) say(`tfjs-node is present but does not load (${p.info})`);
  else say('tfjs-node is not installed (its install script downloads libtensorflow, which needs the internet)');

  if (fs.existsSync(path.join(cacheDir, 'lib'))) {
    copyDir(cacheDir, pkgDir);
    p = probe();
    if (p.ok) return say(`tfjs-node restored from ${cacheDir}: ${p.info}`);
    say(`the cached build in ${cacheDir} does not load (${p.info}); rebuilding`);
  }
  try {
    buildFromSource();
    p = probe();
    if (!p.ok) throw new Error(`the build does not load: ${p.info}`);
    copyDir(pkgDir, cacheDir);
    say(`tfjs-node ready: ${p.info} (cached in ${cacheDir})`);
  } catch (err) {
    if (process.env.SER_KEEP_FAILED_BUILD !== '1') fs.rmSync(pkgDir, { recursive: true, force: true });
    say('tfjs-node could NOT be installed, so the engine will fall back to the wasm backend (about 3x slower).');
    say(`reason: ${err.message}`);
    say('to fix: give this machine internet access and run `npm run setup`, or point SER_TF_WHEEL at a tensorflow-cpu wheel.');
  }
}

const gpuPkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
const gpuCacheDir = path.join(cacheRoot, `tfjs-node-gpu-${TFJS_NODE_GPU_VERSION}-napi${process.versions.napi}-${process.platform}-${process.arch}`);
/** Marks a tfjs-node-gpu this script installed (one it may remove again); a user's own install is left alone. */
const GPU_STAMP = '.ser-setup';

/**
 * Loads tfjs-node-gpu in a child process and asks TensorFlow for a GPU device: a tfjs-node-gpu that
 * loads but opens no GPU (a CUDA library missing) would run on the CPU without the engine's kernels.
 */
function probeGpuBuild() {
  const code =
    `const tf=require('@tensorflow/tfjs-node-gpu');` +
    `const s=tf.matMul(tf.ones([64,64]),tf.ones([64,64])).dataSync()[0];` +
    `if(s!==64)throw new Error('matMul gave '+s);` +
    `console.log('SER_PROBE tfjs '+tf.version.tfjs+', libtensorflow '+tf.backend().binding.TF_Version)`;
  // INFO logs on: TensorFlow says "Created device .../device:GPU:0" or why it could not
  const r = run(process.execPath, ['-e', code], { cwd: root, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0' } });
  const lines = r.out.trim().split('\n');
  if (!r.ok) return { ok: false, info: (lines.find((l) => /Error/.test(l)) ?? lines[lines.length - 1]).trim() };
  const device = lines.find((l) => /Created device .*device:GPU:0/.test(l));
  if (!device) {
    const why = lines
      .filter((l) => /Could not load dynamic library|Cannot dlopen|CUDA_ERROR|failed call to cuInit/.test(l))
      .map((l) => l.replace(/^.*\] /, ''));
    return { ok: false, info: `it loads but TensorFlow opened no GPU${why.length ? ` (${why.slice(0, 3).join('; ')})` : ''}` };
  }
  const info = (lines.find((l) => l.startsWith('SER_PROBE')) ?? '').slice(10);
  return { ok: true, info: `${info}, ${device.replace(/^.*Created device /, '')}` };
}

function dropOurGpuBuild() {
  if (fs.existsSync(path.join(gpuPkgDir, GPU_STAMP))) fs.rmSync(gpuPkgDir, { recursive: true, force: true });
}

/** npm pack of tfjs-node-gpu into node_modules, then its own install script (libtensorflow-gpu and the addon, downloaded). */
function installGpuBuild() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-tfjs-node-gpu-'));
  try {
    const packed = run('npm', ['pack', `@tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION}`, '--silent', '--pack-destination', work], { cwd: work });
    if (!packed.ok)
      throw new Error(
        `npm pack @tensorflow/tfjs-node-gpu@${TFJS_NODE_GPU_VERSION} failed (network or registry): ${packed.out.trim().split('\n').slice(-2).join(' ')}`,
      );
    const tgz = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    const untar = run('tar', ['xzf', path.join(work, tgz), '-C', work]);
    if (!untar.ok) throw new Error(`tar failed: ${untar.out}`);
    fs.rmSync(gpuPkgDir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(gpuPkgDir), { recursive: true });
    fs.renameSync(path.join(work, 'package'), gpuPkgDir);
    fs.writeFileSync(path.join(gpuPkgDir, GPU_STAMP), `installed by tools/setup-engine.mjs at ${new Date().toISOString()}\n`);
    const script = JSON.parse(fs.readFileSync(path.join(gpuPkgDir, 'package.json'), 'utf8')).scripts?.install;
    if (!script) throw new Error('@tensorflow/tfjs-node-gpu has no install script');
    // as npm runs it: in the package, with the workspace's node_modules/.bin (node-pre-gyp) on PATH
    const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}` };
    say(`running its install script (${script}): downloads libtensorflow-gpu, a few hundred MB`);
    const installed = run('sh', ['-c', script], { cwd: gpuPkgDir, env });
    if (!installed.ok) {
      const lines = installed.out.trim().split('\n');
      const url = lines.find((l) => /^https?:\/\//.test(l.trim()));
      const error = lines.find((l) => /^\s*\w*Error\b|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|HTTP|status code/.test(l)) ?? lines[lines.length - 1];
      throw new Error(`its install script (${script}) failed${url ? ` downloading ${url.trim()}` : ''}: ${error.trim()}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function setupTfjsNodeGpu() {
  if (process.env.SER_SKIP_GPU_SETUP === '1') return say('SER_SKIP_GPU_SETUP=1: GPU engine set-up skipped');
  const gpu = probeGpus();
  if (!gpu.found) return say(`GPU engine: not needed here (no GPU: ${gpu.reason})`);
  const decision = gpuEngineDecision({ gpu, libraries: findLibraries(GPU_LIBRARIES) });
  if (fs.existsSync(gpuPkgDir)) {
    const p = probeGpuBuild();
    if (p.ok) return say(`tfjs-node-gpu ready: ${p.info}`);
    say(`tfjs-node-gpu is present but does not use the GPU (${p.info})`);
  }
  if (!decision.install) {
    dropOurGpuBuild();
    say(`tfjs-node-gpu could NOT be installed: ${decision.reason}. The engine runs on the CPU (tfjs-node).`);
    return;
  }
  say(`GPU found: ${decision.reason}; installing @tensorflow/tfjs-node-gpu ${TFJS_NODE_GPU_VERSION}`);
  if (fs.existsSync(path.join(gpuCacheDir, 'lib'))) {
    copyDir(gpuCacheDir, gpuPkgDir);
    const p = probeGpuBuild();
    if (p.ok) return say(`tfjs-node-gpu restored from ${gpuCacheDir}: ${p.info}`);
    say(`the cached tfjs-node-gpu in ${gpuCacheDir} does not use the GPU (${p.info}); installing afresh`);
  }
  try {
    installGpuBuild();
    const p = probeGpuBuild();
    if (!p.ok) throw new Error(`the installed tfjs-node-gpu does not use the GPU: ${p.info}`);
    copyDir(gpuPkgDir, gpuCacheDir);
    say(`tfjs-node-gpu ready: ${p.info} (cached in ${gpuCacheDir}); engine.backend auto picks it`);
  } catch (err) {
    dropOurGpuBuild();
    say(`tfjs-node-gpu could NOT be installed: ${err.message}`);
    say('the engine runs on the CPU (tfjs-node); fix the above and run `npm run setup`.');
  }
}

function main() {
  setupTfjsNode();
  if (process.env.SER_SKIP_ENGINE_SETUP !== '1') setupTfjsNodeGpu();
  // the engine's own fused kernels for the CPU engine (tools/build-native.mjs)
  if (process.env.SER_SKIP_ENGINE_SETUP !== '1') buildNative();
}

main();
