// Log-Mel throughput of @ser/features on EMO-DB: decode + features, no cache, median of 3 passes.
// Settings: 16 kHz, 25 ms Hann window, 10 ms hop, 512-point FFT, 128 Mel bins (Slaney), power, dB.
// Run: npx tsx tools/bench/features-bench.ts [wav-dir]   (compare: tools/.venv/bin/python tools/bench/features-librosa.py)
import fs from 'node:fs';
import path from 'node:path';
import { decodeAudioBytes, extractFeatures, defaultFeatureConfig, type FeatureConfig } from '@ser/features';

const dir = process.argv[2] ?? path.resolve(import.meta.dirname, '../../../shared/data/emodb/wav');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.wav')).sort().map((f) => path.join(dir, f));
const config: FeatureConfig = {
  ...defaultFeatureConfig,
  windowMs: 25,
  hopMs: 10,
  nFft: 512,
  window: 'hann',
  nMels: 128,
  normalisation: 'none',
};

async function pass(): Promise<{ seconds: number; audioS: number; frames: number }> {
  const t0 = performance.now();
  let audioS = 0;
  let frames = 0;
  for (const f of files) {
    const audio = await decodeAudioBytes(fs.readFileSync(f), f);
    audioS += audio.durationS;
    frames += extractFeatures(audio.samples, audio.sampleRateHz, config).frames;
  }
  return { seconds: (performance.now() - t0) / 1000, audioS, frames };
}

const runs = [];
for (let i = 0; i < 3; i++) runs.push(await pass());
runs.sort((a, b) => a.seconds - b.seconds);
const med = runs[1];
console.log(`files ${files.length}, audio ${med.audioS.toFixed(1)} s, frames ${med.frames}`);
console.log(`passes (s): ${runs.map((r) => r.seconds.toFixed(3)).join(', ')}`);
console.log(`@ser/features log-Mel: ${(med.audioS / med.seconds).toFixed(0)} audio-s/s (median of 3)`);
