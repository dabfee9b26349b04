import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts, makeFolds } from '@ser/dataset-core';
import { iemocap } from './iemocap.js';
import { caught, makeTmpDir, testContext, writeTinyWav } from './test-wav.js';

const tmp = makeTmpDir('iemocap');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// per dialog: [utterance suffix, code]
const DIALOGS: Record<string, [string, string][]> = {
  impro01: [
    ['F000', 'neu'],
    ['M000', 'exc'],
    ['F001', 'ang'],
    ['M001', 'xxx'],
    ['F002', 'fru'],
  ],
  script01_1: [
    ['F000', 'hap'],
    ['M000', 'sad'],
    ['F001', 'sur'],
    ['M001', 'neu'],
  ],
};

/** The release layout for `sessions`: dialog/EmoEvaluation/<dialog>.txt and sentences/wav/<dialog>/<utt>.wav. */
function fixture(name: string, sessions = [1, 2, 3, 4, 5], edit?: (dialog: string, lines: string[]) => void, skipWav?: string): string {
  const root = path.join(tmp, name);
  for (const s of sessions) {
    const sesDir = path.join(root, `Session${s}`);
    for (const [kind, utts] of Object.entries(DIALOGS)) {
      const dialog = `Ses0${s}${kind === 'impro01' ? 'F' : 'M'}_${kind}`;
      const lines = ['% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]', ''];
      utts.forEach(([suffix, code], i) => {
        const id = `${dialog}_${suffix}`;
        lines.push(`[${(i * 3).toFixed(4)} - ${(i * 3 + 2.5).toFixed(4)}]\t${id}\t${code}\t[2.5000, 2.5000, 2.5000]`);
        lines.push(`C-E1:\tNeutral state;\t()`, `A-E2:\tval 3; act 2; dom  3;\t()`, '');
        if (id !== skipWav) writeTinyWav(path.join(sesDir, 'sentences', 'wav', dialog, `${id}.wav`), 0.1);
      });
      edit?.(dialog, lines);
      fs.mkdirSync(path.join(sesDir, 'dialog', 'EmoEvaluation', 'Categorical'), { recursive: true });
      fs.writeFileSync(path.join(sesDir, 'dialog', 'EmoEvaluation', `${dialog}.txt`), lines.join('\n'));
      // macOS resource forks ship in some copies of the release
      fs.writeFileSync(path.join(sesDir, 'dialog', 'EmoEvaluation', `._${dialog}.txt`), 'junk');
    }
  }
  return root;
}

const full = fixture('full');

describe('iemocap', () => {
  it('fails when the whole release differs from the documented facts, naming both numbers', async () => {
    const err = await caught(() => iemocap.load({ path: full } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_COUNT_MISMATCH');
    expect(err.message).toContain('found 30 utterances of ang, exc, hap, neu, sad where the IEMOCAP release');
    expect(err.message).toContain('documents 5531');
    expect(err.message).toContain('neu: found 10, documented 1708');
    expect(err.details).toMatchObject({ expected: 5531, found: 30 });
  });

  it('loads with subset: true: the 4-class map, speakers per session and gender, durations from the headers', async () => {
    const corpus = await iemocap.load({ path: full, subset: true } as any, testContext(tmp));
    expect(corpus.classes).toEqual(['angry', 'happy', 'neutral', 'sad']);
    expect(corpus.classMap).toBe('4-class: angry=ang; happy=exc+hap; neutral=neu; sad=sad');
    expect(corpus.utterances).toHaveLength(30);
    expect(classCounts(corpus)).toEqual({ angry: 5, happy: 10, neutral: 10, sad: 5 });
    expect([...new Set(corpus.utterances.map((u) => u.speaker))].sort()).toEqual(['1F', '1M', '2F', '2M', '3F', '3M', '4F', '4M', '5F', '5M']);
    const u = corpus.utterances.find((x) => x.id === 'Ses01F_impro01_M000')!;
    expect(u).toMatchObject({ speaker: '1M', gender: 'male', session: 'Session1', label: 'happy', originalLabel: 'exc' });
    expect(u.path).toBe(path.join(full, 'Session1', 'sentences', 'wav', 'Ses01F_impro01', 'Ses01F_impro01_M000.wav'));
    expect(u.durationS).toBeCloseTo(0.1, 6);
    const v = corpus.utterances.find((x) => x.id === 'Ses03M_script01_1_F000')!;
    expect(v).toMatchObject({ speaker: '3F', gender: 'female', session: 'Session3', label: 'happy', originalLabel: 'hap' });
  });

  it('selects improvised or scripted dialogs', async () => {
    const impro = await iemocap.load({ path: full, speechType: 'improvised' } as any, testContext(tmp));
    expect(impro.utterances.every((u) => u.id.includes('_impro'))).toBe(true);
    expect(classCounts(impro)).toEqual({ angry: 5, happy: 5, neutral: 5, sad: 0 });
    const scripted = await iemocap.load({ path: full, speechType: 'scripted' } as any, testContext(tmp));
    expect(scripted.utterances.every((u) => u.id.includes('_script'))).toBe(true);
    expect(scripted.utterances).toHaveLength(15);
  });

  it('takes other class maps', async () => {
    const corpus = await iemocap.load({ path: full, subset: true, classMap: { fru: 'frustrated', neu: 'neutral', sur: 'surprised' } } as any, testContext(tmp));
    expect(corpus.classes).toEqual(['frustrated', 'neutral', 'surprised']);
    expect(classCounts(corpus)).toEqual({ frustrated: 5, neutral: 10, surprised: 5 });
  });

  it('leave-one-session-out: Session1..Session5, validation speakers from training sessions', async () => {
    const corpus = await iemocap.load({ path: full, subset: true } as any, testContext(tmp));
    const byId = new Map(corpus.utterances.map((u) => [u.id, u]));
    const folds = makeFolds(corpus, { id: 'leave-one-session-out', validationSpeakers: 2 }, 0);
    expect(folds.map((f) => f.name)).toEqual(['Session1', 'Session2', 'Session3', 'Session4', 'Session5']);
    for (const f of folds) {
      expect(f.test.every((id) => byId.get(id)!.session === f.name)).toBe(true);
      expect(f.validation.some((id) => byId.get(id)!.session === f.name)).toBe(false);
      expect(new Set(f.validation.map((id) => byId.get(id)!.gender))).toEqual(new Set(['female', 'male']));
    }
  });

  it('names missing audio files', async () => {
    const root = fixture('missing-wav', [1], undefined, 'Ses01F_impro01_F001');
    const err = await caught(() => iemocap.load({ path: root, subset: true } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_MISSING_FILES');
    expect(err.message).toContain(`1 audio file(s) missing: ${path.join(root, 'Session1', 'sentences', 'wav', 'Ses01F_impro01', 'Ses01F_impro01_F001.wav')}`);
  });

  it('names an unknown label code with the file, line and allowed codes', async () => {
    const root = fixture('bad-code', [1], (dialog, lines) => {
      if (dialog === 'Ses01F_impro01') lines[2] = lines[2].replace('\tneu\t', '\tnue\t');
    });
    const err = await caught(() => iemocap.load({ path: root, subset: true } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toContain(
      `${path.join(root, 'Session1', 'dialog', 'EmoEvaluation', 'Ses01F_impro01.txt')}, line 3: label 'nue' of Ses01F_impro01_F000 is not an IEMOCAP code; allowed: neu, hap, exc`,
    );
  });

  it('names absent sessions unless subset: true, and a folder without sessions', async () => {
    const root = fixture('two-sessions', [1, 2]);
    const err = await caught(() => iemocap.load({ path: root } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_MISSING_FILES');
    expect(err.message).toContain('Session3, Session4, Session5 not found (found Session1, Session2)');
    const part = await iemocap.load({ path: root, subset: true } as any, testContext(tmp));
    expect(part.utterances).toHaveLength(12);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const nf = await caught(() => iemocap.load({ path: empty } as any, testContext(tmp)));
    expect(nf.code).toBe('DATASET_NOT_FOUND');
    expect(nf.message).toMatch(
      /^IEMOCAP folder holds no Session1..Session5: .* \(dataset.path in the experiment config\): point dataset.path at the folder holding Session1..Session5/,
    );
  });
});
