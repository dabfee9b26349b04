import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@ser/core/testing';
import { extractCorpus, type ExtractProgress } from './extract-corpus.js';
import { FeatureCache } from './feature-cache.js';
import { defaultFeatureConfig, type FeatureConfig } from './feature-config-schema.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-extract-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const config: FeatureConfig = { ...defaultFeatureConfig, nMels: 32, trimSilenceDb: null };
/** A voiced-like tone of `seconds` at 16 kHz. */
const voice = (seed: number, seconds: number) =>
  encodeWav({
    channels: [Float64Array.from({ length: Math.round(16000 * seconds) }, (_, i) => 0.5 * Math.sin(i * (0.05 + seed * 0.01)) * Math.sin(i * 0.001 + 0.3))],
    sampleRateHz: 16000,
    bits: 16,
  });
/** Within one hop of `seconds`. */
const near = (seconds: number) => expect.toSatisfy((v: number) => Math.abs(v - seconds) <= config.hopMs / 1000 + 1e-9, `within a hop of ${seconds} s`);
const silent = () => encodeWav({ channels: [new Float64Array(800)], sampleRateHz: 16000, bits: 16 });
function write(dir: string, name: string, bytes: Uint8Array): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('extractCorpus: onProgress', () => {
  it('reports every file once, in order, with its audio seconds; cache hits marked cached', async () => {
    const dir = path.join(tmp, 'serial');
    const files = [
      write(dir, 'a.wav', voice(1, 0.5)),
      write(dir, 'b.wav', voice(2, 1.0)),
      write(dir, 'bad.wav', silent()),
      write(dir, 'c.wav', voice(3, 0.25)),
    ];
    const cache = new FeatureCache(path.join(dir, 'cache'));
    const events: ExtractProgress[] = [];
    await extractCorpus(files, config, { cache, onBadAudio: 'skip', onProgress: (p) => events.push(p) });
    expect(events.map((e) => [e.done, e.total, path.basename(e.path), e.cached])).toEqual([
      [1, 4, 'a.wav', false],
      [2, 4, 'b.wav', false],
      [3, 4, 'bad.wav', false],
      [4, 4, 'c.wav', false],
    ]);
    // the clip's length to within one hop, from the frame count alone
    expect(events.map((e) => e.audioSeconds)).toEqual([near(0.5), near(1), 0, near(0.25)]);
    const again: ExtractProgress[] = [];
    await extractCorpus(files, config, { cache, onBadAudio: 'skip', onProgress: (p) => again.push(p) });
    expect(again.map((e) => e.cached)).toEqual([true, true, false, true]);
    expect(again.map((e) => e.audioSeconds)).toEqual(events.map((e) => e.audioSeconds));
  });

  it('reports the files worker threads compute as they finish, each once, and the rest from the serial pass', async () => {
    const dir = path.join(tmp, 'threads');
    const files = Array.from({ length: 12 }, (_, i) => write(dir, `w${i}.wav`, voice(10 + i, 0.3)));
    const bad = write(dir, 'w-silent.wav', silent());
    const cache = new FeatureCache(path.join(dir, 'cache'));
    await cache.get(files[0], config); // one already cached: not a worker's
    const events: ExtractProgress[] = [];
    await extractCorpus([...files, bad], config, { cache, threads: 2, minFilesPerWorker: 4, onBadAudio: 'skip', onProgress: (p) => events.push(p) });
    expect(events.map((e) => e.done)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.path))).toEqual(new Set([...files, bad]));
    const byPath = new Map(events.map((e) => [e.path, e]));
    // the workers did the uncached good files (not cached for them); the serial pass found the first one cached and reported the bad one
    expect(byPath.get(files[0])!.cached).toBe(true);
    for (const f of files.slice(1)) expect(byPath.get(f)).toMatchObject({ cached: false, audioSeconds: near(0.3) });
    expect(byPath.get(bad)).toMatchObject({ cached: false, audioSeconds: 0 });
    // the workers' files come first: they finished before the serial pass began
    expect(events.slice(0, 11).every((e) => e.path !== files[0] && e.path !== bad)).toBe(true);
  });
});
