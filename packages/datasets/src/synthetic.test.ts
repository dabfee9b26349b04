import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts, makeFolds, type Corpus } from '@ser/dataset-core';
import { manifest } from './manifest.js';
import { synthetic, writeSyntheticCorpus, type SyntheticConfig } from './synthetic.js';
import { readWavInfo } from './wav-info.js';
import { caught, makeTmpDir, testContext } from './test-wav.js';

const tmp = makeTmpDir('synthetic');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SMALL: Partial<SyntheticConfig> = { speakers: 2, utterancesPerSpeakerPerClass: 3, durationS: [0.6, 0.9], seed: 3 };

function readSamples(file: string): Float32Array {
  const wav = new wavefile.WaveFile(fs.readFileSync(file));
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array;
  return Float32Array.from(raw, (v) => v / 32768);
}

/** Median F0 (Hz) over the louder 30 ms frames (energy above a tenth of the loudest): autocorrelation peak in 70..450 Hz above 0.5. */
function medianF0(x: Float32Array, sr: number): number {
  const win = Math.round(0.03 * sr);
  const minLag = Math.floor(sr / 450);
  const maxLag = Math.ceil(sr / 70);
  const starts: number[] = [];
  const energies: number[] = [];
  for (let start = 0; start + win + maxLag < x.length; start += Math.round(0.03 * sr)) {
    let e0 = 0;
    for (let i = 0; i < win; i++) e0 += x[start + i] * x[start + i];
    starts.push(start);
    energies.push(e0);
  }
  const loudest = Math.max(...energies);
  const f0s: number[] = [];
  starts.forEach((start, k) => {
    const e0 = energies[k];
    if (e0 < 0.1 * loudest) return;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let num = 0;
      let e1 = 0;
      for (let i = 0; i < win; i++) {
        num += x[start + i] * x[start + i + lag];
        e1 += x[start + i + lag] * x[start + i + lag];
      }
      const r = num / Math.sqrt(e0 * e1 + 1e-12);
      if (r > best) {
        best = r;
        bestLag = lag;
      }
    }
    if (best > 0.5) f0s.push(sr / bestLag);
  });
  f0s.sort((a, b) => a - b);
  return f0s.length ? f0s[f0s.length >> 1] : NaN;
}

function rmsDb(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return 10 * Math.log10(s / x.length);
}

/** Per class: mean log2 F0 (octaves) and mean RMS (dB) over the corpus' utterances. */
function perClass(corpus: Corpus): Record<string, { logF0: number; db: number }> {
  const out: Record<string, { logF0: number; db: number }> = {};
  for (const c of corpus.classes) {
    const us = corpus.utterances.filter((u) => u.label === c);
    let lf = 0;
    let db = 0;
    let voiced = 0;
    for (const u of us) {
      const x = readSamples(u.path);
      const f0 = medianF0(x, 16000);
      if (Number.isFinite(f0)) {
        lf += Math.log2(f0);
        voiced++;
      }
      db += rmsDb(x);
    }
    // nearly every utterance must show a pitch, or the estimate (and the voice) is broken
    expect(voiced).toBeGreaterThanOrEqual(us.length - 1);
    out[c] = { logF0: lf / voiced, db: db / us.length };
  }
  return out;
}

describe('synthetic', () => {
  it('is deterministic: the same seed writes byte-identical files, another seed different ones', async () => {
    const a = await writeSyntheticCorpus(path.join(tmp, 'a'), SMALL);
    const b = await writeSyntheticCorpus(path.join(tmp, 'b'), SMALL);
    const c = await writeSyntheticCorpus(path.join(tmp, 'c'), { ...SMALL, seed: 4 });
    expect(a.utterances.map((u) => u.id)).toEqual(b.utterances.map((u) => u.id));
    for (let i = 0; i < a.utterances.length; i++) {
      expect(fs.readFileSync(a.utterances[i].path).equals(fs.readFileSync(b.utterances[i].path))).toBe(true);
    }
    expect(fs.readFileSync(path.join(tmp, 'a', 'manifest.csv'), 'utf8')).toBe(fs.readFileSync(path.join(tmp, 'b', 'manifest.csv'), 'utf8'));
    const differs = a.utterances.filter((u, i) => !fs.readFileSync(u.path).equals(fs.readFileSync(c.utterances[i].path)));
    expect(differs).toHaveLength(a.utterances.length);
  });

  it('writes speakers half female, 16-bit WAVs whose header matches the manifest, and a manifest the manifest loader reads', async () => {
    const dir = path.join(tmp, 'm');
    const corpus = await writeSyntheticCorpus(dir, SMALL);
    expect(corpus.utterances).toHaveLength(2 * 4 * 3);
    expect(corpus.classes).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(classCounts(corpus)).toEqual({ angry: 6, happy: 6, neutral: 6, sad: 6 });
    expect(corpus.utterances[0]).toMatchObject({ id: 'S01_angry_000', speaker: 'S01', gender: 'female', label: 'angry' });
    expect(corpus.utterances.find((u) => u.speaker === 'S02')!.gender).toBe('male');
    for (const u of corpus.utterances) {
      const info = readWavInfo(u.path)!;
      expect(info).toMatchObject({ sampleRateHz: 16000, channels: 1, bitsPerSample: 16 });
      expect(info.durationS).toBeCloseTo(u.durationS!, 9);
      expect(u.durationS).toBeGreaterThanOrEqual(0.6);
      expect(u.durationS).toBeLessThanOrEqual(0.9);
    }
    const again = await manifest.load({ path: path.join(dir, 'manifest.csv') } as any, testContext(tmp));
    expect(again.classes).toEqual(corpus.classes);
    expect(again.utterances.map(({ id, path: p, speaker, gender, label, durationS }) => ({ id, path: p, speaker, gender, label, durationS }))).toEqual(
      corpus.utterances.map(({ id, path: p, speaker, gender, label, durationS }) => ({ id, path: p, speaker, gender, label, durationS })),
    );
  });

  describe('load(): the render in cacheDir/synthetic-<hash>', () => {
    // each case renders into its own cache, so none depends on another's state
    const fresh = async (name: string) => {
      const cache = path.join(tmp, `cache-${name}`);
      const ctx = testContext(cache);
      const first = await synthetic.load(SMALL as SyntheticConfig, ctx);
      const renders = () => ctx.messages.filter((m) => m.includes('rendering')).length;
      return { cache, ctx, first, dir: path.dirname(path.dirname(first.utterances[0].path)), renders };
    };

    it('renders into cacheDir/synthetic-<hash>, says so once and leaves no temporary folder', async () => {
      const { cache, dir, renders } = await fresh('new');
      expect(path.dirname(dir)).toBe(cache);
      expect(path.basename(dir)).toMatch(/^synthetic-[0-9a-f]{16}$/);
      expect(fs.readdirSync(cache)).toEqual([path.basename(dir)]);
      expect(renders()).toBe(1);
    });

    it('reuses a complete render: the same corpus, no second rendering, the files untouched', async () => {
      const { ctx, first, renders } = await fresh('reuse');
      const mtime = fs.statSync(first.utterances[5].path).mtimeMs;
      expect(await synthetic.load(SMALL as SyntheticConfig, ctx)).toEqual(first);
      expect(renders()).toBe(1);
      expect(fs.statSync(first.utterances[5].path).mtimeMs).toBe(mtime);
    });

    it('re-renders a damaged render (a file missing), to the same bytes', async () => {
      const { ctx, first, renders } = await fresh('damaged');
      const bytes = fs.readFileSync(first.utterances[5].path);
      fs.rmSync(first.utterances[5].path);
      await synthetic.load(SMALL as SyntheticConfig, ctx);
      expect(renders()).toBe(2);
      expect(fs.readFileSync(first.utterances[5].path).equals(bytes)).toBe(true);
    });

    it("keys of the dataset block that are not the corpus' own (id, protocol) leave the folder alone", async () => {
      const { ctx, first, renders } = await fresh('block');
      const withBlock = await synthetic.load({ ...SMALL, id: 'synthetic', protocol: { id: 'leave-one-speaker-out' } } as any, ctx);
      expect(withBlock).toEqual(first);
      expect(renders()).toBe(1);
    });

    it('another config is another folder, and protocols work on the corpus', async () => {
      const { ctx, dir } = await fresh('other');
      const other = await synthetic.load({ ...SMALL, difficulty: 0.9 } as SyntheticConfig, ctx);
      expect(path.dirname(path.dirname(other.utterances[0].path))).not.toBe(dir);
      expect(makeFolds(other, { id: 'leave-one-speaker-out', validationSpeakers: 0 }, 0).map((f) => f.name)).toEqual(['S01', 'S02']);
    });
  });

  it('renders the emotion prosody: F0 and loudness ordered angry/happy > neutral > sad, and difficulty shrinks the gaps', async () => {
    const base = { speakers: 2, utterancesPerSpeakerPerClass: 4, durationS: [0.8, 1] as [number, number], seed: 11 };
    const easy = perClass(await writeSyntheticCorpus(path.join(tmp, 'easy'), { ...base, difficulty: 0.2 }));
    expect(easy.angry.logF0).toBeGreaterThan(easy.neutral.logF0);
    expect(easy.happy.logF0).toBeGreaterThan(easy.neutral.logF0);
    expect(easy.neutral.logF0).toBeGreaterThan(easy.sad.logF0);
    expect(easy.angry.db).toBeGreaterThan(easy.happy.db);
    expect(easy.happy.db).toBeGreaterThan(easy.neutral.db);
    expect(easy.neutral.db).toBeGreaterThan(easy.sad.db);
    // the prosody gaps are large at low difficulty: > 3 semitones and > 6 dB between anger and sadness
    expect(12 * (easy.angry.logF0 - easy.sad.logF0)).toBeGreaterThan(3);
    expect(easy.angry.db - easy.sad.db).toBeGreaterThan(6);

    const hard = perClass(await writeSyntheticCorpus(path.join(tmp, 'hard'), { ...base, difficulty: 1 }));
    expect(hard.angry.logF0 - hard.sad.logF0).toBeLessThan(easy.angry.logF0 - easy.sad.logF0);
    expect(hard.angry.db - hard.sad.db).toBeLessThan(easy.angry.db - easy.sad.db);
  });

  it('rejects unknown emotions and out-of-range settings, naming the field', async () => {
    const e1 = await caught(() => writeSyntheticCorpus(path.join(tmp, 'x'), { classes: ['angry', 'furious'] }));
    expect(e1.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(e1.message).toMatch(/'furious', which has no prosody profile; allowed: neutral, angry, happy, sad, fearful/);
    const e2 = await caught(() => synthetic.load({ difficulty: 2 } as any, testContext(tmp)));
    expect(e2.code).toBe('CONFIG_INVALID');
    expect(e2.message).toBe('synthetic: dataset.difficulty must be in [0, 1], got 2');
    const e3 = await caught(() => synthetic.load({ durationS: [2, 1] } as any, testContext(tmp)));
    expect(e3.message).toMatch(/dataset.durationS must be \[min, max\]/);
  });
});
