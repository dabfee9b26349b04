import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLeakage, classCounts, makeFolds } from '@ser/dataset-core';
import { emodb } from './emodb.js';
import { caught, makeTmpDir, testContext, writeTinyWav } from './test-wav.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SHARED = path.resolve(repoRoot, '../shared/data/emodb');
const tmp = makeTmpDir('emodb');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fixture(name: string, files: string[]): string {
  const root = path.join(tmp, name);
  for (const f of files) writeTinyWav(path.join(root, 'wav', f), 0.1);
  return root;
}

describe('emodb on the shared 4-class copy', () => {
  it.skipIf(!fs.existsSync(SHARED))('loads 339 utterances of 10 speakers with the documented per-class counts', async () => {
    const ctx = testContext(tmp);
    const corpus = await emodb.load({ path: SHARED } as any, ctx);
    expect(corpus.dataset).toBe('emodb');
    expect(corpus.classes).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(corpus.utterances).toHaveLength(339);
    expect(classCounts(corpus)).toEqual({ angry: 127, happy: 71, neutral: 79, sad: 62 });
    const speakers = [...new Set(corpus.utterances.map((u) => u.speaker))].sort();
    expect(speakers).toEqual(['03', '08', '09', '10', '11', '12', '13', '14', '15', '16']);
    const female = [...new Set(corpus.utterances.filter((u) => u.gender === 'female').map((u) => u.speaker))].sort();
    expect(female).toEqual(['08', '09', '13', '14', '16']);
    // durations from the headers: 0.26 h in all per the folder's README
    const hours = corpus.utterances.reduce((s, u) => s + u.durationS!, 0) / 3600;
    expect(hours).toBeGreaterThan(0.25);
    expect(hours).toBeLessThan(0.27);
    const u = corpus.utterances.find((x) => x.id === '03a01Wa')!;
    expect(u).toMatchObject({ speaker: '03', gender: 'male', label: 'angry', originalLabel: 'anger' });
    expect(fs.existsSync(u.path)).toBe(true);
    expect(ctx.messages).toEqual([]);
  });

  it.skipIf(!fs.existsSync(SHARED))('leave-one-speaker-out gives 10 leak-free folds', async () => {
    const corpus = await emodb.load({ path: SHARED } as any, testContext(tmp));
    const folds = makeFolds(corpus, { id: 'leave-one-speaker-out', validationSpeakers: 1 }, 0);
    expect(folds).toHaveLength(10);
    expect(folds.map((f) => f.name)).toEqual(['03', '08', '09', '10', '11', '12', '13', '14', '15', '16']);
    for (const f of folds) {
      checkLeakage(corpus, f);
      expect(f.train.length + f.validation.length + f.test.length).toBe(339);
      expect(f.validation.length).toBeGreaterThan(0);
    }
  });
});

describe('emodb on fixtures', () => {
  const files = ['03a01Wa.wav', '03a02Fb.wav', '03a04Nc.wav', '03a05Ta.wav', '08a01Wa.wav', '08b02Nb.wav', '08a02Lc.wav'];

  it('fails on counts that differ from the documented corpus, naming both numbers', async () => {
    const root = fixture('partial', files);
    const err = await caught(() => emodb.load({ path: root } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_COUNT_MISMATCH');
    expect(err.message).toContain(
      'found 6 utterances of anger, happiness, neutral, sadness where the EMO-DB release (535 utterances, 10 speakers) documents 339',
    );
    expect(err.message).toContain('anger: found 2, documented 127');
    expect(err.message).toContain('speakers: found 2, documented 10');
    expect(err.message).toContain('dataset.subset: true');
  });

  it('loads the part with subset: true, maps labels, leaves out unmapped emotions', async () => {
    const root = fixture('subset', [...files, 'notes.wav']);
    const ctx = testContext(tmp);
    const corpus = await emodb.load({ path: root, subset: true } as any, ctx);
    expect(corpus.utterances.map((u) => `${u.id}:${u.label}:${u.gender}`)).toEqual([
      '03a01Wa:angry:male',
      '03a02Fb:happy:male',
      '03a04Nc:neutral:male',
      '03a05Ta:sad:male',
      '08a01Wa:angry:female',
      '08b02Nb:neutral:female',
    ]);
    expect(corpus.utterances[0].durationS).toBeCloseTo(0.1, 6);
    expect(corpus.classMap).toBe('4-class: angry=anger; happy=happiness; neutral=neutral; sad=sadness');
    expect(ctx.messages.some((m) => m.includes('1 .wav file(s)') && m.includes('SSTTTEV'))).toBe(true);
    expect(ctx.messages.some((m) => m.includes('subset: found 6'))).toBe(true);
  });

  it('takes a class map by emotion or letter, with a class order', async () => {
    const root = fixture('classmap', files);
    const corpus = await emodb.load(
      { path: root, subset: true, classMap: { W: 'high', F: 'high', L: 'low', sadness: 'low' }, classes: ['low', 'high'] } as any,
      testContext(tmp),
    );
    expect(corpus.classes).toEqual(['low', 'high']);
    expect(corpus.utterances.map((u) => u.label)).toEqual(['high', 'high', 'low', 'high', 'low']);
    expect(corpus.classMap).toBe('2-class: low=boredom+sadness; high=anger+happiness');
  });

  it('names an unknown emotion letter and the allowed ones', async () => {
    const root = fixture('unknown', ['03a01Xa.wav']);
    const err = await caught(() => emodb.load({ path: root, subset: true } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toMatch(
      /03a01Xa\.wav: emotion letter 'X' is not an EMO-DB emotion; allowed: W anger, L boredom, E disgust, A fear, F happiness, N neutral, T sadness/,
    );
  });

  it('names an unknown class-map key and the allowed ones', async () => {
    const root = fixture('badmap', files);
    const err = await caught(() => emodb.load({ path: root, classMap: { angry: 'angry' } } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toMatch(/dataset.classMap key 'angry' is not a label of the corpus; allowed: anger \(W\), boredom \(L\)/);
  });

  it('says where to point dataset.path when the folder is missing', async () => {
    const missing = path.join(tmp, 'nope');
    const err = await caught(() => emodb.load({ path: missing } as any, testContext(tmp, 'experiments/demo.yaml')));
    expect(err.code).toBe('DATASET_NOT_FOUND');
    expect(err.message).toBe(
      `EMO-DB folder not found: ${missing} (dataset.path in experiments/demo.yaml): point dataset.path at the folder holding wav/ (the EMO-DB files named SSTTTEV.wav, e.g. 03a01Wa.wav)`,
    );
  });
});
