import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@ser/core/testing';
import { FeatureCache, featureCacheKey } from './feature-cache.js';
import { extractCorpus } from './extract-corpus.js';
import { decodeAudioFile } from './decode-audio.js';
import { extractFeatures } from './extract-features.js';
import { defaultFeatureConfig, type FeatureConfig } from './feature-config-schema.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cache-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const config: FeatureConfig = { ...defaultFeatureConfig, nMels: 32 };
const voice = (seed: number, sr = 16000) =>
  encodeWav({
    channels: [Float64Array.from({ length: sr / 2 }, (_, i) => 0.5 * Math.sin(i * (0.05 + seed * 0.01)) * Math.sin(i * 0.001))],
    sampleRateHz: sr,
    bits: 16,
  });
const writeAudio = (name: string, bytes: Uint8Array | string) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
};

describe('FeatureCache', () => {
  it('computes once, then reads the same matrix from <dir>/<key[0:2]>/<key>.f32', async () => {
    const dir = path.join(tmp, 'c1');
    const audio = writeAudio('a.wav', voice(1));
    const cache = new FeatureCache(dir);
    const first = await cache.get(audio, config);
    const again = await new FeatureCache(dir).get(audio, config);
    expect(cache.stats).toEqual({ hits: 0, misses: 1, corrupt: 0 });
    expect(again.frames).toBe(first.frames);
    expect(Array.from(again.data)).toEqual(Array.from(first.data));
    const decoded = await decodeAudioFile(audio);
    expect(Array.from(extractFeatures(decoded.samples, decoded.sampleRateHz, config).data)).toEqual(Array.from(first.data));
    const key = featureCacheKey(await sha256(audio), config);
    expect(fs.statSync(path.join(dir, key.slice(0, 2), `${key}.f32`)).size).toBe(16 + first.frames * first.bins * 4);
  });

  it('never reuses an entry after any feature parameter changes', async () => {
    const dir = path.join(tmp, 'c2');
    const audio = writeAudio('b.wav', voice(2));
    const cache = new FeatureCache(dir);
    await cache.get(audio, config);
    const variants: Partial<FeatureConfig>[] = [
      { nMels: 40 },
      { hopMs: 20 },
      { windowMs: 25 },
      { window: 'hann' },
      { preEmphasis: 0.97 },
      { compression: { type: 'db', floor: 1e-8, topDb: null } },
      { compression: { type: 'db', floor: 1e-10, topDb: 80 } },
      { melScale: 'htk' },
      { normalisation: 'none' },
      { center: true },
    ];
    for (const v of variants) {
      const before = cache.stats.misses;
      const mat = await cache.get(audio, { ...config, ...v });
      expect(cache.stats.misses, JSON.stringify(v)).toBe(before + 1);
      const decoded = await decodeAudioFile(audio);
      expect(Array.from(mat.data)).toEqual(Array.from(extractFeatures(decoded.samples, decoded.sampleRateHz, { ...config, ...v }).data));
    }
    // spelling out the default nFft / fMaxHz is the same setting
    await cache.get(audio, { ...config, nFft: 1024, fMaxHz: 8000 });
    expect(cache.stats.hits).toBe(1);
  });

  it('misses when the audio content changes under the same path', async () => {
    const dir = path.join(tmp, 'c3');
    const audio = writeAudio('c.wav', voice(3));
    const cache = new FeatureCache(dir);
    const a = await cache.get(audio, config);
    fs.writeFileSync(audio, voice(4));
    fs.utimesSync(audio, new Date(), new Date(Date.now() + 5000));
    const b = await cache.get(audio, config);
    expect(cache.stats.misses).toBe(2);
    expect(Array.from(b.data)).not.toEqual(Array.from(a.data));
  });

  it('detects a truncated or foreign entry and recomputes it', async () => {
    const dir = path.join(tmp, 'c4');
    const audio = writeAudio('d.wav', voice(5));
    const cache = new FeatureCache(dir);
    const good = await cache.get(audio, config);
    const key = featureCacheKey(await sha256(audio), config);
    const entry = cache.entryPath(key);
    fs.truncateSync(entry, 100);
    const fixed = await cache.get(audio, config);
    expect(Array.from(fixed.data)).toEqual(Array.from(good.data));
    fs.writeFileSync(entry, Buffer.alloc(16 + good.data.byteLength, 7));
    await cache.get(audio, config);
    expect(cache.stats.corrupt).toBe(2);
    expect(fs.statSync(entry).size).toBe(16 + good.data.byteLength);
    await cache.get(audio, config);
    expect(cache.stats.hits).toBe(1);
  });

  it('serves concurrent gets of one file consistently', async () => {
    const dir = path.join(tmp, 'c5');
    const audio = writeAudio('e.wav', voice(6));
    const results = await Promise.all([0, 1, 2, 3].map(() => new FeatureCache(dir).get(audio, config)));
    for (const r of results) expect(Array.from(r.data)).toEqual(Array.from(results[0].data));
    expect(
      fs.readdirSync(path.dirname(new FeatureCache(dir).entryPath(featureCacheKey(await sha256(audio), config)))).filter((f) => f.endsWith('.tmp')),
    ).toEqual([]);
  });
});

describe('extractCorpus', () => {
  it("skips bad files with reasons when onBadAudio = 'skip', and stops on them by default", async () => {
    const good = writeAudio('good.wav', voice(7));
    const resampled = writeAudio('good48k.wav', voice(7, 48000));
    const silent = writeAudio('silent.wav', encodeWav({ channels: [new Float64Array(800)], sampleRateHz: 16000, bits: 16 }));
    const text = writeAudio('text.wav', 'hello');
    const progress: number[] = [];
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const res = await extractCorpus([good, silent, resampled, text], config, {
      cache: new FeatureCache(path.join(tmp, 'c6')),
      onBadAudio: 'skip',
      logger,
      onProgress: (p) => progress.push(p.done),
    });
    expect([...res.features.keys()]).toEqual([good, resampled]);
    expect(res.skipped.map((s) => [s.path, s.code])).toEqual([
      [silent, 'AUDIO_SILENT'],
      [text, 'AUDIO_UNREADABLE'],
    ]);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(warnings.some((w) => w.includes(silent))).toBe(true);
    expect(Math.abs(res.features.get(resampled)!.frames - res.features.get(good)!.frames)).toBeLessThanOrEqual(1);
    await expect(extractCorpus([good, silent], config)).rejects.toMatchObject({ code: 'AUDIO_SILENT' });
  });

  it('names the file of a clip shorter than one analysis frame and skips it as AUDIO_TOO_SHORT', async () => {
    const short = writeAudio('short.wav', encodeWav({ channels: [Float64Array.from({ length: 80 }, (_, i) => Math.sin(i))], sampleRateHz: 16000, bits: 16 }));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const res = await extractCorpus([short], { ...config, center: false }, { cache: new FeatureCache(path.join(tmp, 'c8')), onBadAudio: 'skip', logger });
    expect(res.skipped.map((s) => s.code)).toEqual(['AUDIO_TOO_SHORT']);
    expect(res.skipped[0].message).toContain(short);
    expect(res.skipped[0].message).toMatch(/80 samples are shorter than one frame/);
    expect(warnings.some((w) => w.includes(short))).toBe(true);
  });

  it('fills the cache from worker threads with the same features as the serial pass, bad files still reported', async () => {
    const files = Array.from({ length: 18 }, (_, i) => writeAudio(`w${i}.wav`, voice(20 + i)));
    const silent = writeAudio('w-silent.wav', encodeWav({ channels: [new Float64Array(800)], sampleRateHz: 16000, bits: 16 }));
    const dir = path.join(tmp, 'c-threads');
    const cache = new FeatureCache(dir);
    const threaded = await extractCorpus([...files, silent], config, { cache, threads: 2, minFilesPerWorker: 8, onBadAudio: 'skip' });
    // the workers computed every good file: this thread's pass only read them back
    expect(cache.stats).toMatchObject({ hits: files.length, misses: 0 });
    const serial = await extractCorpus(files, config);
    for (const f of files) expect(threaded.features.get(f)!.data).toEqual(serial.features.get(f)!.data);
    expect(threaded.skipped.map((s) => s.code)).toEqual(['AUDIO_SILENT']);
  });
});

async function sha256(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
