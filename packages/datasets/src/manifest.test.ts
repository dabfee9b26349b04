import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classCounts } from '@ser/dataset-core';
import { manifest } from './manifest.js';
import { caught, makeTmpDir, testContext, writeTinyWav } from './test-wav.js';

const tmp = makeTmpDir('manifest');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const f of ['audio/a1.wav', 'audio/a2.wav', 'audio/b 1.wav', 'other/c1.wav']) writeTinyWav(path.join(tmp, f), 0.07);

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('manifest', () => {
  it('reads CSV: paths relative to the manifest, optional fields, quoted cells, ids from the stem', async () => {
    const file = write(
      'm.csv',
      'path,label,speaker,session,gender,extra\n' +
        'audio/a1.wav,angry,A,s1,female,x\r\n' +
        'audio/a2.wav,sad,A,s1,F,\n' +
        '"audio/b 1.wav",angry,B,s2,m,\n' +
        'other/c1.wav,neutral,C,,,\n',
    );
    const corpus = await manifest.load({ path: file } as any, testContext(tmp));
    expect(corpus.dataset).toBe('manifest');
    expect(corpus.classes).toEqual(['angry', 'neutral', 'sad']);
    expect(corpus.classMap).toBe('3-class (m.csv): angry,neutral,sad');
    expect(corpus.utterances.map((u) => [u.id, u.speaker, u.session, u.gender, u.label])).toEqual([
      ['a1', 'A', 's1', 'female', 'angry'],
      ['a2', 'A', 's1', 'female', 'sad'],
      ['b 1', 'B', 's2', 'male', 'angry'],
      ['c1', 'C', undefined, undefined, 'neutral'],
    ]);
    expect(corpus.utterances[2].path).toBe(path.join(tmp, 'audio', 'b 1.wav'));
    expect(corpus.utterances[0].durationS).toBeCloseTo(0.07, 6);
  });

  it('reads JSONL with ids and durations, and a class map that leaves labels out', async () => {
    const file = write(
      'sub/m.jsonl',
      [
        { path: '../audio/a1.wav', label: 'ang', speaker: 'A', id: 'one', durationS: 1.5 },
        { path: '../audio/a2.wav', label: 'exc', speaker: 'A', id: 'two' },
        { path: '../other/c1.wav', label: 'fru', speaker: 'C', id: 'three' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const ctx = testContext(tmp);
    const corpus = await manifest.load({ path: file, classMap: { ang: 'angry', exc: 'happy' } } as any, ctx);
    expect(corpus.utterances.map((u) => [u.id, u.label, u.originalLabel, u.durationS])).toEqual([
      ['one', 'angry', 'ang', 1.5],
      ['two', 'happy', 'exc', expect.closeTo(0.07, 6)],
    ]);
    expect(classCounts(corpus)).toEqual({ angry: 1, happy: 1 });
    expect(corpus.classMap).toBe('2-class (m.jsonl): angry=ang; happy=exc');
    expect(ctx.messages.some((m) => m.includes('fru (1)'))).toBe(true);
  });

  it('names unknown labels with the allowed classes', async () => {
    const file = write('u.csv', 'path,label,speaker\naudio/a1.wav,angry,A\naudio/a2.wav,furious,A\n');
    const err = await caught(() => manifest.load({ path: file, classes: ['angry', 'sad'] } as any, testContext(tmp)));
    expect(err.code).toBe('DATASET_UNKNOWN_LABEL');
    expect(err.message).toBe(`manifest ${file}, line 3: label 'furious' is not in dataset.classes; allowed: angry, sad (or map labels with dataset.classMap)`);
  });

  it('names missing files, duplicate ids, empty fields and a missing manifest', async () => {
    const missing = write('miss.csv', 'path,label,speaker\naudio/a1.wav,angry,A\naudio/zz.wav,sad,B\n');
    const e1 = await caught(() => manifest.load({ path: missing } as any, testContext(tmp)));
    expect(e1.code).toBe('DATASET_MISSING_FILES');
    expect(e1.message).toContain(`1 audio file(s) missing: ${path.join(tmp, 'audio', 'zz.wav')}`);

    const dup = write('dup.csv', 'path,label,speaker\naudio/a1.wav,angry,A\nother/../audio/a1.wav,sad,B\n');
    const e2 = await caught(() => manifest.load({ path: dup } as any, testContext(tmp)));
    expect(e2.message).toMatch(/line 3: utterance id 'a1' is also on line 2; ids must be unique: add an id column/);

    const empty = write('empty.csv', 'path,label,speaker\naudio/a1.wav,,A\n');
    const e3 = await caught(() => manifest.load({ path: empty } as any, testContext(tmp)));
    expect(e3.message).toMatch(/line 2: 'label' is empty/);

    const e4 = await caught(() => manifest.load({ path: path.join(tmp, 'none.csv') } as any, testContext(tmp, 'exp.yaml')));
    expect(e4.code).toBe('DATASET_NOT_FOUND');
    expect(e4.message).toBe(
      `manifest file not found: ${path.join(tmp, 'none.csv')} (dataset.path in exp.yaml): point dataset.path at a .csv or .jsonl manifest`,
    );
  });
});
