import { describe, expect, it } from 'vitest';
import { SerError } from '@ser/core';
import type { Corpus } from './corpus.js';
import { checkLeakage } from './check-leakage.js';

const corpus: Corpus = {
  dataset: 'toy',
  classes: ['a', 'b'],
  classMap: '2-class',
  utterances: [
    { id: 'u1', path: '/1.wav', speaker: 'A', label: 'a' },
    { id: 'u2', path: '/2.wav', speaker: 'A', label: 'b' },
    { id: 'u3', path: '/3.wav', speaker: 'B', label: 'a' },
    { id: 'u4', path: '/4.wav', speaker: 'C', label: 'b' },
  ],
};

function thrown(fn: () => void): SerError {
  try {
    fn();
  } catch (err) {
    return err as SerError;
  }
  throw new Error('expected a throw');
}

describe('checkLeakage', () => {
  it('accepts a speaker-independent split', () => {
    expect(() => checkLeakage(corpus, { name: 'ok', train: ['u1', 'u2'], validation: ['u3'], test: ['u4'] })).not.toThrow();
  });

  it('names the speaker found in train and test', () => {
    const e = thrown(() => checkLeakage(corpus, { name: 'bad', train: ['u1', 'u3'], validation: [], test: ['u2', 'u4'] }));
    expect(e.code).toBe('SPLIT_LEAKAGE');
    expect(e.message).toBe(
      "fold 'bad': speaker 'A' is in both train ('u1') and test ('u2'); a speaker-independent split keeps each speaker in one part: fix the split file or the speaker labels",
    );
    expect(e.details).toMatchObject({ speaker: 'A', parts: ['train', 'test'] });
  });

  it('catches a speaker in train and validation', () => {
    const e = thrown(() => checkLeakage(corpus, { name: 'v', train: ['u1'], validation: ['u2'], test: ['u4'] }));
    expect(e.code).toBe('SPLIT_LEAKAGE');
    expect(e.message).toMatch(/speaker 'A' is in both train .* and validation/);
  });

  it('names an utterance listed twice, within a part or across parts', () => {
    const across = thrown(() => checkLeakage(corpus, { name: 'd', train: ['u3'], validation: [], test: ['u3'] }));
    expect(across.code).toBe('SPLIT_LEAKAGE');
    expect(across.message).toMatch(/utterance 'u3' is listed twice \(train and test\)/);
    const within = thrown(() => checkLeakage(corpus, { name: 'd', train: ['u4', 'u4'], validation: [], test: ['u3'] }));
    expect(within.message).toMatch(/utterance 'u4' is listed twice \(train and train\)/);
  });

  it('rejects ids the corpus does not have', () => {
    const e = thrown(() => checkLeakage(corpus, { name: 'x', train: ['u1'], validation: [], test: ['zz'] }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(/'zz' \(test\) is not in corpus 'toy'/);
  });
});
