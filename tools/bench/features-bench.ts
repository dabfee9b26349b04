// Log-Mel throughput of @ser/features on EMO-DB: decode + features, no cache, a warm-up pass then the median of 3.
// Settings: 16 kHz, 25 ms Hann window, 10 ms hop, 512-point FFT, 128 Mel bins (Slaney), power, dB.
// Run: npx tsx tools/bench/features-bench.ts [--threads N] [wav-dir]
//   (compare: tools/.venv/bin/python tools/bench/features-librosa.py; see README.md "Features")
// --threads N (default 1) splits the files over N worker_threads (contiguous shares, each worker decodes and
// extracts its own); the figure counts the whole pass, worker start-up included. Printed: audio-seconds per wall
// second, and per CPU second of this process (process.cpuUsage, all threads) -- the second is steadier on a
// loaded machine.
// --corpus times the product's own path instead: extractCorpus into a fresh FeatureCache (decode,
// features, cache write), with --threads N worker threads filling the cache as `ser` does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  decodeAudioBytes,
  extractCorpus,
  extractFeatures,
  defaultFeatureConfig,
  FeatureCache,
  parseNativeFeaturesSwitch,
  setNativeFeatures,
  type FeatureConfig,
} from '@ser/features';

// a tool reads its switches itself, as the CLI does (in the main thread and in each worker, which runs this file too)
setNativeFeatures(parseNativeFeaturesSwitch(process.env.SER_NATIVE_FEATURES));

const config: FeatureConfig = {
  ...defaultFeatureConfig,
  windowMs: 25,
  hopMs: 10,
  nFft: 512,
  window: 'hann',
  nMels: 128,
  normalisation: 'none',
};

async function work(files: readonly string[]): Promise<{ audioS: number; frames: number }> {
  let audioS = 0;
  let frames = 0;
  for (const f of files) {
    const audio = await decodeAudioBytes(fs.readFileSync(f), f);
    audioS += audio.durationS;
    frames += extractFeatures(audio.samples, audio.sampleRateHz, config).frames;
  }
  return { audioS, frames };
}

if (!isMainThread) {
  // a worker: warm up on its share once, then one timed share per message
  const files = workerData as string[];
  parentPort!.on('message', async () => parentPort!.postMessage(await work(files)));
} else {
  const args = process.argv.slice(2);
  const ti = args.indexOf('--threads');
  const threads = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 1;
  const ci = args.indexOf('--corpus');
  const corpusMode = ci >= 0;
  if (corpusMode) args.splice(ci, 1);
  const dir = args[0] ?? path.resolve(import.meta.dirname, '../../../shared/data/emodb/wav');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.wav'))
    .sort()
    .map((f) => path.join(dir, f));

  // Node 20 workers do not inherit tsx's loader: register it in the worker, then import this file
  const bootstrap = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  let workers: Worker[] = [];
  if (threads > 1 && !corpusMode) {
    const per = Math.ceil(files.length / threads);
    workers = Array.from({ length: threads }, (_, i) => new Worker(bootstrap, { eval: true, workerData: files.slice(i * per, (i + 1) * per) }));
  }
  const ask = (w: Worker) =>
    new Promise<{ audioS: number; frames: number }>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
      w.postMessage('go');
    });

  async function pass(): Promise<{ seconds: number; cpu: number; audioS: number; frames: number }> {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (corpusMode) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-cache-'));
      const { features } = await extractCorpus(files, config, { cache: new FeatureCache(dir), threads });
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      fs.rmSync(dir, { recursive: true, force: true });
      const frames = [...features.values()].reduce((a, m) => a + m.frames, 0);
      return { seconds, cpu: (c.user + c.system) / 1e6, audioS: totalAudioS, frames };
    }
    const parts = workers.length > 0 ? await Promise.all(workers.map(ask)) : [await work(files)];
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { seconds, cpu: (c.user + c.system) / 1e6, audioS: parts.reduce((a, p) => a + p.audioS, 0), frames: parts.reduce((a, p) => a + p.frames, 0) };
  }

  const totalAudioS = (await work(files)).audioS; // durations, once
  await pass(); // warm-up: JIT, plans (librosa's script warms up too)
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await pass());
  for (const w of workers) await w.terminate();
  runs.sort((a, b) => a.seconds - b.seconds);
  const med = runs[1];
  const cpu = runs.map((r) => r.cpu).sort((a, b) => a - b)[1];
  console.log(`files ${files.length}, audio ${med.audioS.toFixed(1)} s, frames ${med.frames}, threads ${threads}`);
  console.log(`passes (s): ${runs.map((r) => r.seconds.toFixed(3)).join(', ')}; cpu (s): ${runs.map((r) => r.cpu.toFixed(3)).join(', ')}`);
  console.log(
    `@ser/features log-Mel${corpusMode ? ' (extractCorpus + cache)' : ''}: ${(med.audioS / med.seconds).toFixed(0)} audio-s/s (median of 3), ${(med.audioS / cpu).toFixed(0)} per cpu-s; ` +
      `threads ${threads}; load ${os.loadavg()[0].toFixed(2)}`,
  );
}
