import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSerError } from '@ser/core';
import { compileConfigValidator } from '@ser/core/config-schema';
import type { Corpus, Utterance } from './corpus.js';
import { makeFolds, protocolSchema, type Fold } from './protocol.js';
import { splitHash } from './split-hash.js';

const LABELS = ['angry', 'happy', 'neutral', 'sad'];

/** An IEMOCAP-shaped corpus: `sessions` sessions of one female and one male speaker, uneven sizes. */
function sessionCorpus(sessions = 5): Corpus {
  const utterances: Utterance[] = [];
  for (let s = 1; s <= sessions; s++) {
    for (const g of ['F', 'M'] as const) {
      const n = 6 + ((s * 3 + (g === 'F' ? 1 : 2)) % 5);
      for (let i = 0; i < n; i++) {
        utterances.push({
          id: `Ses0${s}${g}_u${String(i).padStart(3, '0')}`,
          path: `/x/${s}${g}/${i}.wav`,
          speaker: `${s}${g}`,
          session: `Session${s}`,
          gender: g === 'F' ? 'female' : 'male',
          label: LABELS[i % 4],
          durationS: 1 + i / 10,
        });
      }
    }
  }
  return { dataset: 'test', classes: LABELS, utterances, classMap: '4-class' };
}

/** A corpus of `n` speakers (alternating gender) with sizes 3..(3+n). */
function speakerCorpus(n = 10): Corpus {
  const utterances: Utterance[] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < 3 + s; i++) {
      utterances.push({
        id: `spk${s}_${i}`,
        path: `/x/${s}_${i}.wav`,
        speaker: `spk${s}`,
        gender: s % 2 === 0 ? 'female' : 'male',
        label: LABELS[(i + s) % 4],
      });
    }
  }
  return { dataset: 'test', classes: LABELS, utterances, classMap: '4-class' };
}

const speakerOf = (c: Corpus) => new Map(c.utterances.map((u) => [u.id, u]));

function expectPartition(c: Corpus, f: Fold) {
  const all = [...f.train, ...f.validation, ...f.test].sort();
  expect(all).toEqual(c.utterances.map((u) => u.id).sort());
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-protocol-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('leave-one-speaker-out', () => {
  it('makes one fold per speaker, named after it, validation from the training speakers', () => {
    const c = speakerCorpus(6);
    const folds = makeFolds(c, { id: 'leave-one-speaker-out', validationSpeakers: 1 }, 0);
    expect(folds.map((f) => f.name)).toEqual(['spk0', 'spk1', 'spk2', 'spk3', 'spk4', 'spk5']);
    const by = speakerOf(c);
    for (const f of folds) {
      expectPartition(c, f);
      expect(new Set(f.test.map((id) => by.get(id)!.speaker))).toEqual(new Set([f.name]));
      const valSpk = new Set(f.validation.map((id) => by.get(id)!.speaker));
      expect(valSpk.size).toBe(1);
      expect(valSpk.has(f.name)).toBe(false);
      const trainSpk = new Set(f.train.map((id) => by.get(id)!.speaker));
      for (const s of valSpk) expect(trainSpk.has(s)).toBe(false);
      expect(trainSpk.size).toBe(4);
    }
  });

  it('validationSpeakers 0 leaves validation empty; too many is an error naming the field', () => {
    const c = speakerCorpus(3);
    for (const f of makeFolds(c, { id: 'leave-one-speaker-out', validationSpeakers: 0 }, 0)) expect(f.validation).toEqual([]);
    expect(() => makeFolds(c, { id: 'leave-one-speaker-out', validationSpeakers: 2 }, 0)).toThrow(/validationSpeakers is 2.*only 2 speaker/);
  });

  it('two validation speakers are one female and one male', () => {
    const c = speakerCorpus(8);
    const by = speakerOf(c);
    for (const seed of [0, 1, 2]) {
      for (const f of makeFolds(c, { id: 'leave-one-speaker-out', validationSpeakers: 2 }, seed)) {
        const genders = new Set(f.validation.map((id) => by.get(id)!.gender));
        expect(genders).toEqual(new Set(['female', 'male']));
      }
    }
  });
});

describe('leave-one-session-out', () => {
  it("makes 'Session1'..'Session5' with validation speakers from the training sessions", () => {
    const c = sessionCorpus(5);
    const by = speakerOf(c);
    for (const seed of [0, 1, 7]) {
      const folds = makeFolds(c, { id: 'leave-one-session-out', validationSpeakers: 2 }, seed);
      expect(folds.map((f) => f.name)).toEqual(['Session1', 'Session2', 'Session3', 'Session4', 'Session5']);
      for (const f of folds) {
        expectPartition(c, f);
        expect(new Set(f.test.map((id) => by.get(id)!.session))).toEqual(new Set([f.name]));
        const val = f.validation.map((id) => by.get(id)!);
        expect(val.some((u) => u.session === f.name)).toBe(false);
        // balance: one female and one male, from two different sessions
        expect(new Set(val.map((u) => u.gender))).toEqual(new Set(['female', 'male']));
        expect(new Set(val.map((u) => u.session)).size).toBe(2);
      }
    }
  });

  it('sorts sessions naturally (Session10 after Session9)', () => {
    const c = sessionCorpus(10);
    const names = makeFolds(c, { id: 'leave-one-session-out', validationSpeakers: 1 }, 0).map((f) => f.name);
    expect(names.slice(-2)).toEqual(['Session9', 'Session10']);
  });

  it('fails clearly on a corpus without sessions', () => {
    expect(() => makeFolds(speakerCorpus(4), { id: 'leave-one-session-out', validationSpeakers: 1 }, 0)).toThrow(
      /needs a session on every utterance.*'spk0_0'/,
    );
  });
});

describe('speaker-k-fold', () => {
  it('puts every speaker in exactly one test fold, sizes balanced by utterance count', () => {
    const c = speakerCorpus(10); // sizes 3..12, 75 utterances
    const by = speakerOf(c);
    const folds = makeFolds(c, { id: 'speaker-k-fold', k: 3, validationSpeakers: 1 }, 5);
    expect(folds.map((f) => f.name)).toEqual(['fold1', 'fold2', 'fold3']);
    const seen = new Map<string, number>();
    for (const f of folds) {
      expectPartition(c, f);
      for (const s of new Set(f.test.map((id) => by.get(id)!.speaker))) seen.set(s, (seen.get(s) ?? 0) + 1);
    }
    expect(seen.size).toBe(10);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const sizes = folds.map((f) => f.test.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(75);
    // greedy largest-first keeps the spread below the smallest speaker's size
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(3);
  });

  it('depends on the seed, and only on the seed', () => {
    const c = speakerCorpus(12);
    const p = { id: 'speaker-k-fold' as const, k: 4, validationSpeakers: 1 };
    const a = makeFolds(c, p, 1);
    expect(makeFolds(c, p, 1)).toEqual(a);
    const shuffled = { ...c, utterances: [...c.utterances].reverse() };
    expect(makeFolds(shuffled, p, 1)).toEqual(a);
    const others = [2, 3, 4, 5].map((s) => makeFolds(c, p, s).map(splitHash).join());
    expect(others.some((h) => h !== a.map(splitHash).join())).toBe(true);
  });

  it('rejects k above the number of speakers', () => {
    expect(() => makeFolds(speakerCorpus(3), { id: 'speaker-k-fold', k: 4, validationSpeakers: 1 }, 0)).toThrow(/k is 4 .* 3 speakers/);
  });
});

describe('split-file', () => {
  it('reads JSON; the fold is named after the file; unlisted utterances are left out', () => {
    const c = speakerCorpus(4);
    const split: Record<string, string> = {};
    for (const u of c.utterances) {
      if (u.speaker === 'spk3') continue;
      split[u.id] = u.speaker === 'spk0' ? 'test' : u.speaker === 'spk1' ? 'validation' : 'train';
    }
    const file = path.join(tmp, 'my-split.json');
    fs.writeFileSync(file, JSON.stringify(split));
    const [f] = makeFolds(c, { id: 'split-file', file, validationSpeakers: 1 }, 0);
    expect(f.name).toBe('my-split');
    expect(f.test).toEqual(
      c.utterances
        .filter((u) => u.speaker === 'spk0')
        .map((u) => u.id)
        .sort(),
    );
    expect(f.validation).toEqual(
      c.utterances
        .filter((u) => u.speaker === 'spk1')
        .map((u) => u.id)
        .sort(),
    );
    expect(f.train.length + f.validation.length + f.test.length).toBe(Object.keys(split).length);
  });

  it('reads CSV with a header; without validation rows takes validation speakers from train', () => {
    const c = speakerCorpus(5);
    const rows = c.utterances.map((u) => `${u.id},${u.speaker === 'spk4' ? 'test' : 'train'}`);
    const file = path.join(tmp, 'official.csv');
    fs.writeFileSync(file, ['id,split', ...rows].join('\n') + '\n');
    const [f] = makeFolds(c, { id: 'split-file', file, validationSpeakers: 2 }, 3);
    expect(f.name).toBe('official');
    const by = speakerOf(c);
    const val = new Set(f.validation.map((id) => by.get(id)!.speaker));
    expect(val.size).toBe(2);
    expect(val.has('spk4')).toBe(false);
    expectPartition(c, f);
  });

  it('names unknown ids and bad split values', () => {
    const c = speakerCorpus(3);
    const f1 = path.join(tmp, 'unknown.json');
    fs.writeFileSync(f1, JSON.stringify({ spk0_0: 'test', nope_1: 'train', spk1_0: 'train' }));
    expect(() => makeFolds(c, { id: 'split-file', file: f1, validationSpeakers: 0 }, 0)).toThrow(/1 id\(s\) not in corpus 'test' \(nope_1\)/);
    const f2 = path.join(tmp, 'bad.csv');
    fs.writeFileSync(f2, 'spk0_0,test\nspk1_0,holdout\n');
    expect(() => makeFolds(c, { id: 'split-file', file: f2, validationSpeakers: 0 }, 0)).toThrow(
      /line 2: split of 'spk1_0' is "holdout"; allowed: train, validation, test/,
    );
  });

  it('a leaky split file fails with SPLIT_LEAKAGE naming the speaker', () => {
    const c = speakerCorpus(3);
    const file = path.join(tmp, 'leaky.csv');
    fs.writeFileSync(file, 'spk0_0,test\nspk0_1,train\nspk1_0,train\n');
    try {
      makeFolds(c, { id: 'split-file', file, validationSpeakers: 0 }, 0);
      expect.unreachable();
    } catch (err) {
      expect(isSerError(err, 'SPLIT_LEAKAGE')).toBe(true);
      expect((err as Error).message).toMatch(/speaker 'spk0' is in both/);
    }
  });
});

describe('determinism and splitHash', () => {
  it('same seed, same folds; another seed moves validation speakers', () => {
    const c = sessionCorpus(5);
    const p = { id: 'leave-one-session-out' as const, validationSpeakers: 1 };
    const a = makeFolds(c, p, 0);
    expect(makeFolds(c, p, 0)).toEqual(a);
    const vals = new Set(
      [0, 1, 2, 3, 4, 5].map((s) =>
        makeFolds(c, p, s)
          .map((f) => f.validation.join())
          .join('|'),
      ),
    );
    expect(vals.size).toBeGreaterThan(1);
  });

  it('splitHash ignores order and the fold name, and changes when an utterance moves', () => {
    const f: Fold = { name: 'a', train: ['x', 'y'], validation: ['v'], test: ['t'] };
    const h = splitHash(f);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(splitHash({ name: 'b', train: ['y', 'x'], validation: ['v'], test: ['t'] })).toBe(h);
    expect(splitHash({ name: 'a', train: ['x'], validation: ['v'], test: ['t', 'y'] })).not.toBe(h);
    expect(splitHash({ name: 'a', train: ['x', 'y'], validation: [], test: ['t', 'v'] })).not.toBe(h);
  });
});

describe('protocolSchema', () => {
  const validate = compileConfigValidator(protocolSchema);
  it("fills the picked variant's defaults", () => {
    const cfg: Record<string, unknown> = { id: 'speaker-k-fold' };
    expect(validate(cfg)).toEqual([]);
    expect(cfg).toEqual({ id: 'speaker-k-fold', k: 5, validationSpeakers: 1 });
  });
  it('rejects a key of another variant, unknown ids and a split-file without file', () => {
    expect(validate({ id: 'leave-one-speaker-out', k: 3 })).not.toEqual([]);
    expect(validate({ id: 'split-file' })).not.toEqual([]);
    expect(validate({ id: 'split-file', file: 'x.csv' })).toEqual([]);
    expect(validate({ id: 'leave-one-utterance-out' })).not.toEqual([]);
  });
  it('makeFolds, called without the config loader, gets the same checks', () => {
    expect(() => makeFolds(speakerCorpus(3), { id: 'split-file' } as never, 0)).toThrow(/dataset\.protocol\.file: .*split-file needs `file`/);
    expect(() => makeFolds(speakerCorpus(3), { id: 'speaker-k-fold', k: 1, validationSpeakers: 0 }, 0)).toThrow(/dataset\.protocol\.k: must be >= 2, got 1/);
  });
});
