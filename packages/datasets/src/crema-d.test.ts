import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts } from '@ser/dataset-core';
import { cremaD } from './crema-d.js';
import { caught, makeTmpDir, testContext, writeTinyWav } from './test-wav.js';

const tmp = makeTmpDir('cremad');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fixture(name: string, demographics: boolean, extra: string[] = []): string {
  const root = path.join(tmp, name);
  for (const actor of ['1001', '1002', '1003']) {
    for (const [sentence, emotion, level] of [
      ['DFA', 'ANG', 'XX'],
      ['IEO', 'HAP', 'HI'],
      ['IEO', 'NEU', 'XX'],
      ['TIE', 'SAD', 'LO'],
      ['ITS', 'DIS', 'XX'],
    ]) {
      writeTinyWav(path.join(root, 'AudioWAV', `${actor}_${sentence}_${emotion}_${level}.wav`), 0.06);
    }
  }
  for (const f of extra) writeTinyWav(path.join(root, 'AudioWAV', f));
  if (demographics) {
    fs.writeFileSync(
      path.join(root, 'VideoDemographics.csv'),
      'ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n',
    );
  }
  return root;
}

describe('crema-d', () => {
  it('fails on counts that differ from the 7,442-clip release, naming both numbers', async () => {
    const root = fixture('partial', true);
    const err = await caught(() => cremaD.load({ path: root } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_COUNT_MISMATCH');
    expect(err.message).toContain('found 12 utterances of ANG, HAP, NEU, SAD where the CREMA-D release (7,442 clips, 91 actors) documents 4900');
    expect(err.message).toContain('NEU: found 3, documented 1087');
  });

  it('reads actor and emotion from the names, gender from VideoDemographics.csv', async () => {
    const root = fixture('subset', true);
    const corpus = await cremaD.load({ path: root, subset: true } as any, testContext(tmp));
    expect(corpus.classes).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(classCounts(corpus)).toEqual({ angry: 3, happy: 3, neutral: 3, sad: 3 });
    const u = corpus.utterances.find((x) => x.id === '1002_DFA_ANG_XX')!;
    expect(u).toMatchObject({ speaker: '1002', gender: 'female', label: 'angry', originalLabel: 'ANG' });
    expect(u.path).toBe(path.join(root, 'AudioWAV', '1002_DFA_ANG_XX.wav'));
    expect(u.durationS).toBeCloseTo(0.06, 6);
    expect(corpus.utterances.find((x) => x.speaker === '1001')!.gender).toBe('male');
    // actor 1003 is not in the demographics file
    expect(corpus.utterances.find((x) => x.speaker === '1003')!.gender).toBeUndefined();
  });

  it('leaves gender unknown without the demographics file', async () => {
    const root = fixture('nodemo', false);
    const ctx = testContext(tmp);
    const corpus = await cremaD.load({ path: root, subset: true, classMap: { disgust: 'disgust', ANG: 'angry' } } as any, ctx);
    expect(corpus.utterances.every((u) => u.gender === undefined)).toBe(true);
    expect(classCounts(corpus)).toEqual({ angry: 3, disgust: 3 });
    expect(ctx.messages.some((m) => m.includes('no VideoDemographics.csv'))).toBe(true);
  });

  it('names an unknown emotion and a missing folder', async () => {
    const root = fixture('unknown', false, ['1001_DFA_XYZ_XX.wav']);
    const err = await caught(() => cremaD.load({ path: root, subset: true } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toMatch(/1001_DFA_XYZ_XX\.wav: emotion 'XYZ' is not a CREMA-D emotion; allowed: ANG, DIS, FEA, HAP, NEU, SAD/);
    const nf = await caught(() => cremaD.load({ path: path.join(tmp, 'nope') } as any, testContext(tmp)));
    expect(nf.code).toBe('DATASET_NOT_FOUND');
    expect(nf.message).toMatch(
      /^CREMA-D folder not found: .*nope \(dataset.path in the experiment config\): point dataset.path at the folder holding AudioWAV\//,
    );
  });
});
