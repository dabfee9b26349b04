import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@ser/core';
import { writeWav } from '@ser/core/testing';
import type { Corpus, Fold } from '@ser/dataset-core';
import { defaultFeatureConfig, type FeatureConfig } from './feature-config-schema.js';
import { prepareFoldFeatures } from './fold-features.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-fold-features-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 3 speakers x 2 utterances of tones; speaker s is louder by s, utterance u lasts 0.3 + 0.1 u s. */
function corpus(): Corpus {
  const utterances = [];
  for (let s = 0; s < 3; s++) {
    for (let u = 0; u < 2; u++) {
      const id = `s${s}_u${u}`;
      const file = path.join(dir, `${id}.wav`);
      const n = Math.round(8000 * (0.3 + 0.1 * u));
      writeWav(
        file,
        Float32Array.from({ length: n }, (_, i) => 0.1 * (s + 1) * Math.sin((2 * Math.PI * (200 + 100 * u) * i) / 8000)),
        8000,
      );
      utterances.push({ id, path: file, speaker: `s${s}`, label: u === 0 ? 'low' : 'high' });
    }
  }
  return { dataset: 'tones', classMap: '2-class', classes: ['low', 'high'], utterances } as unknown as Corpus;
}

const fold: Fold = { name: 'f', train: ['s0_u0', 's0_u1', 's1_u0', 's1_u1'], validation: [], test: ['s2_u0', 's2_u1'] };
const features: FeatureConfig = { ...defaultFeatureConfig, sampleRateHz: 8000, nMels: 16, windowMs: 32, hopMs: 16 };
const options = { cacheDir: path.join(dir, 'cache'), onBadAudio: 'stop' as const, logger: silentLogger, threads: 1 };

describe('prepareFoldFeatures', () => {
  it('global normalisation: statistics of the training utterances only, applied on read', async () => {
    const c = corpus();
    const progress: number[] = [];
    const f = await prepareFoldFeatures(c, fold, {
      ...options,
      features: { ...features, normalisation: 'global' },
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(progress.at(-1)).toBe(1);
    expect(f.normStats).toMatchObject({ fold: 'f', utterances: 4 });
    expect(f.examples.train.map((e) => [e.id, e.label])).toEqual([
      ['s0_u0', 0],
      ['s0_u1', 1],
      ['s1_u0', 0],
      ['s1_u1', 1],
    ]);
    // over the training frames each normalised bin has mean ~0
    const train = f.examples.train.map((e) => f.source.read(e.id));
    const frames = train.reduce((k, m) => k + m.length / f.source.bins, 0);
    for (let b = 0; b < f.source.bins; b++) {
      let sum = 0;
      for (const m of train) for (let t = b; t < m.length; t += f.source.bins) sum += m[t];
      expect(Math.abs(sum / frames)).toBeLessThan(1e-4);
    }
  });

  it('speaker normalisation keeps each speaker’s statistics, the test speaker’s included', async () => {
    const f = await prepareFoldFeatures(corpus(), fold, { ...options, features: { ...features, normalisation: 'speaker' } });
    expect(Object.keys(f.normStats!.perSpeaker!).sort()).toEqual(['s0', 's1', 's2']);
    expect(f.normStats!.utterances).toBe(6);
  });

  it('segments are cut on read and name their utterance', async () => {
    const f = await prepareFoldFeatures(corpus(), fold, { ...options, features: { ...features, segment: { frames: 8, hopFrames: 8 } } });
    const whole = await prepareFoldFeatures(corpus(), fold, { ...options, features });
    const long = whole.examples.test.find((e) => e.id === 's2_u1')!;
    const segs = f.examples.test.filter((e) => e.utteranceId === 's2_u1');
    expect(segs.length).toBe(Math.ceil(long.frames / 8));
    expect(segs.reduce((k, e) => k + e.frames, 0)).toBe(long.frames);
    expect(f.source.read(segs[1].id)).toEqual(whole.source.read('s2_u1').subarray(8 * whole.source.bins, 16 * whole.source.bins));
  });
});
