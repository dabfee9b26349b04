import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from './decode-audio.js';
import { extractFeatures } from './extract-features.js';
import { defaultFeatureConfig, type FeatureConfig } from './feature-config-schema.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const meta = JSON.parse(fs.readFileSync(path.join(fixtures, 'reference.json'), 'utf8')) as {
  configs: Record<string, FeatureConfig>;
  cases: { signal: string; file: string; config: string; frames: number; bins: number; offset: number }[];
};
const blob = fs.readFileSync(path.join(fixtures, 'reference.f32'));
const reference = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));

describe('extractFeatures matches librosa (tools/features/make-reference.py)', () => {
  it.each(meta.cases.map((c) => [`${c.signal} / ${c.config}`, c] as const))('%s within 1e-3', async (_name, c) => {
    const audio = await decodeAudioFile(path.join(fixtures, c.file));
    const mat = extractFeatures(audio.samples, audio.sampleRateHz, meta.configs[c.config]);
    expect([mat.frames, mat.bins]).toEqual([c.frames, c.bins]);
    const ref = reference.subarray(c.offset, c.offset + c.frames * c.bins);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - mat.data[i]));
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('would notice a wrong setting (control: Hann instead of Hamming is far outside the tolerance)', async () => {
    const c = meta.cases.find((k) => k.config === 'paper-logmel')!;
    const audio = await decodeAudioFile(path.join(fixtures, c.file));
    const mat = extractFeatures(audio.samples, audio.sampleRateHz, { ...meta.configs[c.config], window: 'hann' });
    const ref = reference.subarray(c.offset, c.offset + c.frames * c.bins);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - mat.data[i]));
    expect(maxDiff).toBeGreaterThan(0.1);
  });
});

describe('extractFeatures', () => {
  const tone = (hz: number, n: number, sr = 16000) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sr));
  const base: FeatureConfig = { ...defaultFeatureConfig, normalisation: 'none' };

  it('puts a tone in the STFT bin of its frequency', () => {
    const mat = extractFeatures(tone(1000, 8000), 16000, { ...base, kind: 'stft' });
    expect(mat.bins).toBe(513);
    const row = mat.data.subarray(20 * mat.bins, 21 * mat.bins);
    expect(row.indexOf(Math.max(...row))).toBe(64); // 1000 Hz * 1024 / 16000
  });

  it("'log' is 'db' divided by 10 / ln 10 (power)", () => {
    const x = tone(440, 4000);
    const db = extractFeatures(x, 16000, base);
    const ln = extractFeatures(x, 16000, { ...base, compression: { type: 'log', floor: 1e-10, topDb: null } });
    for (let i = 0; i < db.data.length; i += 97) expect(db.data[i]).toBeCloseTo((ln.data[i] * 10) / Math.LN10, 3);
  });

  it('clips at max - topDb', () => {
    const mat = extractFeatures(tone(440, 4000), 16000, { ...base, compression: { type: 'db', floor: 1e-10, topDb: 30 } });
    const max = Math.max(...mat.data);
    expect(Math.min(...mat.data)).toBeCloseTo(max - 30, 4);
  });

  it("normalisation 'utterance' gives zero mean, unit std per bin", () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i * 0.05) * Math.sin(i * 0.0007) + 0.01 * Math.cos(i * 1.3));
    const mat = extractFeatures(x, 16000, { ...base, normalisation: 'utterance', nMels: 16 });
    for (const b of [0, 7, 15]) {
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < mat.frames; t++) {
        s += mat.data[t * 16 + b];
        s2 += mat.data[t * 16 + b] ** 2;
      }
      expect(s / mat.frames).toBeCloseTo(0, 4);
      expect(s2 / mat.frames).toBeCloseTo(1, 3);
    }
  });

  it('trimSilenceDb drops the silent frames before and after the sound, leaving the frames between unchanged', () => {
    // 0.5 s of faint noise (-80 dB), 1 s of tone, 0.5 s of faint noise; 10 ms hop, no centring
    const quiet = (n: number) => Float32Array.from({ length: n }, (_, i) => 5e-5 * Math.sin(i * 2.1));
    const x = new Float32Array(32000);
    x.set(quiet(8000), 0);
    x.set(tone(440, 16000), 8000);
    x.set(quiet(8000), 24000);
    const config = { ...base, center: false };
    const whole = extractFeatures(x, 16000, config);
    const trimmed = extractFeatures(x, 16000, { ...config, trimSilenceDb: 40 });
    // frames overlapping the tone start at t * 160 + 640 > 8000, i.e. t = 47; the last starts before 24000, t = 149
    expect(trimmed.frames).toBeGreaterThanOrEqual(149 - 47);
    expect(trimmed.frames).toBeLessThanOrEqual(149 - 47 + 8);
    // the kept frames are a contiguous run of the untrimmed ones, bit for bit
    const rows = (m: typeof whole) => Array.from({ length: m.frames }, (_, t) => Array.from(m.data.subarray(t * m.bins, (t + 1) * m.bins)));
    const all = rows(whole);
    const first = all.findIndex((r) => r.every((v, i) => v === trimmed.data[i]));
    expect(first).toBeGreaterThan(40);
    expect(rows(trimmed)).toEqual(all.slice(first, first + trimmed.frames));
    // both ends of what is kept are the tone, far above the faint noise
    const energyOf = (m: typeof whole, t: number) => Math.max(...m.data.subarray(t * m.bins, (t + 1) * m.bins));
    expect(energyOf(trimmed, 0)).toBeGreaterThan(energyOf(whole, 0) + 40);
    expect(energyOf(trimmed, trimmed.frames - 1)).toBeGreaterThan(energyOf(whole, whole.frames - 1) + 40);
  });

  it('trimSilenceDb keeps every frame of a silent or a steady signal', () => {
    expect(extractFeatures(new Float32Array(8000), 16000, { ...base, trimSilenceDb: 30 }).frames).toBe(
      extractFeatures(new Float32Array(8000), 16000, base).frames,
    );
    expect(extractFeatures(tone(300, 8000), 16000, { ...base, trimSilenceDb: 30 }).frames).toBe(extractFeatures(tone(300, 8000), 16000, base).frames);
  });

  it('rejects a bad config naming the field', () => {
    expect(() => extractFeatures(tone(440, 1000), 16000, { ...base, trimSilenceDb: -3 })).toThrow(/features\.trimSilenceDb/);
    expect(() => extractFeatures(tone(440, 1000), 16000, { ...base, nFft: 1000 })).toThrow(/features\.nFft/);
    expect(() => extractFeatures(tone(440, 1000), 16000, { ...base, nFft: 256 })).toThrow(/window length \(640/);
  });

  it('is AUDIO_TOO_SHORT when shorter than one frame without centring', () => {
    expect(() => extractFeatures(tone(440, 100), 16000, { ...base, center: false })).toThrow(expect.objectContaining({ code: 'AUDIO_TOO_SHORT' }));
  });
});
