import { describe, expect, it } from 'vitest';
import type { Corpus } from './corpus.js';
import { classCounts, describeCorpus } from './describe-corpus.js';
import { makeFolds } from './protocol.js';
import { splitHash } from './split-hash.js';

const corpus: Corpus = {
  dataset: 'toy',
  classes: ['angry', 'neutral', 'sad'],
  classMap: '3-class: angry,neutral,sad',
  utterances: [
    { id: 'a1', path: '/a1.wav', speaker: 'S1', gender: 'female', label: 'angry', durationS: 2 },
    { id: 'a2', path: '/a2.wav', speaker: 'S1', gender: 'female', label: 'neutral', durationS: 3 },
    { id: 'b1', path: '/b1.wav', speaker: 'S2', gender: 'male', label: 'angry', durationS: 1.5 },
    { id: 'c1', path: '/c1.wav', speaker: 'S3', gender: 'male', label: 'neutral', durationS: 4 },
    { id: 'c2', path: '/c2.wav', speaker: 'S3', gender: 'male', label: 'angry' },
  ],
};

describe('classCounts', () => {
  it('counts every class, zero included, in class order', () => {
    const counts = classCounts(corpus);
    expect(counts).toEqual({ angry: 3, neutral: 2, sad: 0 });
    expect(Object.keys(counts)).toEqual(corpus.classes);
  });
});

describe('describeCorpus', () => {
  it('reports labels, speakers with gender, duration, and each fold with its sizes and split hash', () => {
    const folds = makeFolds(corpus, { id: 'leave-one-speaker-out', validationSpeakers: 1 }, 0);
    const text = describeCorpus(corpus, folds);
    expect(text).toContain('utterances: 5   speakers: 3   classes: 3');
    expect(text).toContain('total duration: 10.5 s');
    expect(text).toContain('(unknown for 1 utterance(s))');
    expect(text).toMatch(/^angry\s+3\s+60\.0%\s+3\.5 s$/m);
    expect(text).toMatch(/^sad\s+0\s+0\.0%\s+0\.0 s$/m);
    expect(text).toMatch(/^S1\s+female\s+-\s+2\s+1\s+1\s+0$/m);
    expect(text).toMatch(/^S3\s+male\s+-\s+2\s+1\s+1\s+0$/m);
    for (const f of folds) {
      const row = new RegExp(
        `^${f.name}\\s+${f.train.length}\\s+${f.validation.length}\\s+${f.test.length}\\s+${f.name}\\s+${splitHash(f).slice(0, 16)}$`,
        'm',
      );
      expect(text).toMatch(row);
    }
  });
});
