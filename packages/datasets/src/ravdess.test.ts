import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts } from '@ser/dataset-core';
import { ravdess } from './ravdess.js';
import { caught, makeTmpDir, testContext, writeTinyWav } from './test-wav.js';

const tmp = makeTmpDir('ravdess');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Actor_01 (male) and Actor_02 (female): speech files of several emotions, plus song and video files to ignore. */
function fixture(name: string, extra: string[] = []): string {
  const root = path.join(tmp, name);
  for (const actor of ['01', '02']) {
    for (const emotion of ['01', '02', '03', '04', '05', '06']) {
      writeTinyWav(path.join(root, `Actor_${actor}`, `03-01-${emotion}-01-01-01-${actor}.wav`), 0.08);
    }
    writeTinyWav(path.join(root, `Actor_${actor}`, `03-01-05-02-02-01-${actor}.wav`), 0.08);
    writeTinyWav(path.join(root, `Actor_${actor}`, `03-02-05-01-01-01-${actor}.wav`)); // song
    writeTinyWav(path.join(root, `Actor_${actor}`, `01-01-05-01-01-01-${actor}.wav`)); // audio-video
  }
  for (const f of extra) writeTinyWav(path.join(root, f));
  return root;
}

describe('ravdess', () => {
  it('fails on counts that differ from the 1,440-file release, naming both numbers', async () => {
    const root = fixture('partial');
    const err = await caught(() => ravdess.load({ path: root } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_COUNT_MISMATCH');
    expect(err.message).toContain(
      'found 10 utterances of angry, happy, neutral, sad where the RAVDESS audio-only speech release (1,440 files, 24 actors) documents 672',
    );
    expect(err.message).toContain('speakers: found 2, documented 24');
  });

  it('reads audio-only speech files with subset: true; odd actors male', async () => {
    const root = fixture('subset');
    const corpus = await ravdess.load({ path: root, subset: true } as any, testContext(tmp));
    expect(corpus.utterances).toHaveLength(10);
    expect(classCounts(corpus)).toEqual({ angry: 4, happy: 2, neutral: 2, sad: 2 });
    expect(corpus.utterances.every((u) => u.id.startsWith('03-01-'))).toBe(true);
    const u = corpus.utterances.find((x) => x.id === '03-01-05-02-02-01-01')!;
    expect(u).toMatchObject({ speaker: '01', gender: 'male', label: 'angry', originalLabel: 'angry' });
    expect(u.path).toBe(path.join(root, 'Actor_01', '03-01-05-02-02-01-01.wav'));
    expect(u.durationS).toBeCloseTo(0.08, 6);
    expect(corpus.utterances.find((x) => x.speaker === '02')!.gender).toBe('female');
  });

  it('maps calm and fearful by name or code', async () => {
    const root = fixture('map');
    const corpus = await ravdess.load({ path: root, subset: true, classMap: { '02': 'calm', fearful: 'fear', neutral: 'calm' } } as any, testContext(tmp));
    expect(classCounts(corpus)).toEqual({ calm: 4, fear: 2 });
  });

  it('names an unknown emotion code, and a folder without RAVDESS files', async () => {
    const root = fixture('unknown', ['Actor_01/03-01-09-01-01-01-01.wav']);
    const err = await caught(() => ravdess.load({ path: root, subset: true } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toMatch(/03-01-09-01-01-01-01\.wav: emotion code '09' is not a RAVDESS emotion; allowed: 01 neutral, 02 calm/);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const nf = await caught(() => ravdess.load({ path: empty } as any, testContext(tmp)));
    expect(nf.code).toBe('DATASET_NOT_FOUND');
    expect(nf.message).toContain('point dataset.path at the folder holding Actor_01..Actor_24');
  });
});
