import path from 'node:path';
import { Rng, SerError, type JsonSchema } from '@ser/core';
import type { Corpus, Utterance } from './corpus.js';
import { checkLeakage } from './check-leakage.js';
import { naturalCompare } from './natural-compare.js';
import { readSplitFile } from './internal/split-file.js';
import { pickValidationSpeakers } from './internal/validation-speakers.js';

/** How a corpus is cut into speaker-independent folds (the `dataset.protocol` key). */
export interface ProtocolConfig {
  id: 'leave-one-session-out' | 'leave-one-speaker-out' | 'speaker-k-fold' | 'split-file';
  /** speaker-k-fold: the number of folds. */
  k?: number;
  /** split-file: JSON or CSV of id -> train|validation|test. */
  file?: string;
  /** Speakers moved from the training side to validation (default 1). */
  validationSpeakers: number;
}

/** One split of a corpus: utterance ids, each sorted. */
export interface Fold {
  name: string;
  train: string[];
  validation: string[];
  test: string[];
}

export const PROTOCOL_IDS = ['leave-one-session-out', 'leave-one-speaker-out', 'speaker-k-fold', 'split-file'] as const;

/** The JSON Schema of ProtocolConfig; its defaults and descriptions are the docs. */
export const protocolSchema: JsonSchema = {
  type: 'object',
  description: 'How the corpus is cut into speaker-independent folds. The validation set is always taken from the training speakers, never from the test fold.',
  properties: {
    id: {
      type: 'string',
      enum: [...PROTOCOL_IDS],
      default: 'leave-one-speaker-out',
      description:
        "leave-one-session-out: one fold per recording session (IEMOCAP: 'Session1'..'Session5'); " +
        'leave-one-speaker-out: one fold per speaker, named after the speaker; ' +
        "speaker-k-fold: speakers dealt to k folds ('fold1'..'foldK') from the seed, balanced by utterance count; " +
        'split-file: one fixed split read from `file`, the fold named after the file.',
    },
    k: { type: 'integer', minimum: 2, default: 5, description: 'speaker-k-fold: the number of folds (2 to the number of speakers).' },
    file: {
      type: 'string',
      minLength: 1,
      description:
        'split-file: a JSON object {"<utterance id>": "train"|"validation"|"test"} or a CSV of rows `id,split` (header optional). ' +
        'Utterances not listed are left out. Without validation rows, validationSpeakers speakers are moved from train to validation.',
    },
    validationSpeakers: {
      type: 'integer',
      minimum: 0,
      default: 1,
      description:
        'Speakers moved from the training side of each fold to its validation set (early stopping, model selection); ' +
        'chosen from the seed, alternating gender and spreading over sessions where possible. 0 leaves validation empty.',
    },
  },
  required: ['id'],
  additionalProperties: false,
  allOf: [{ if: { properties: { id: { const: 'split-file' } }, required: ['id'] }, then: { required: ['file'] } }],
};

/**
 * Cuts a corpus into folds by the protocol, deterministically from the seed; every fold passes
 * checkLeakage (no speaker in two of train / validation / test, no utterance twice).
 */
export function makeFolds(corpus: Corpus, protocol: ProtocolConfig, seed: number): Fold[] {
  const p = checkProtocol(protocol);
  const utts = corpus.utterances;
  if (utts.length === 0) {
    throw new SerError('CONFIG_INVALID', `corpus '${corpus.dataset}' has no utterances: check dataset.path and the class map`, {
      details: { dataset: corpus.dataset },
    });
  }
  let folds: Fold[];
  switch (p.id) {
    case 'leave-one-session-out': {
      const missing = utts.find((u) => u.session === undefined || u.session === '');
      if (missing) {
        throw new SerError(
          'CONFIG_INVALID',
          `protocol leave-one-session-out needs a session on every utterance, but '${missing.id}' of corpus '${corpus.dataset}' has none: ` +
            'use leave-one-speaker-out or speaker-k-fold, or give the manifest a session column',
          { details: { dataset: corpus.dataset, utterance: missing.id } },
        );
      }
      folds = heldOutGroups(corpus, (u) => u.session!, 'session', p.validationSpeakers, seed);
      break;
    }
    case 'leave-one-speaker-out':
      folds = heldOutGroups(corpus, (u) => u.speaker, 'speaker', p.validationSpeakers, seed);
      break;
    case 'speaker-k-fold':
      folds = speakerKFold(corpus, p.k!, p.validationSpeakers, seed);
      break;
    case 'split-file':
      folds = [splitFileFold(corpus, p.file!, p.validationSpeakers, seed)];
      break;
  }
  for (const f of folds) checkLeakage(corpus, f);
  return folds;
}

function checkProtocol(protocol: ProtocolConfig): Required<Pick<ProtocolConfig, 'id' | 'validationSpeakers'>> & ProtocolConfig {
  const bad = (field: string, msg: string) =>
    new SerError('CONFIG_INVALID', `dataset.protocol.${field}: ${msg}`, { details: { protocol } });
  if (!protocol || !PROTOCOL_IDS.includes(protocol.id)) {
    throw bad('id', `unknown protocol ${JSON.stringify(protocol?.id)}; allowed: ${PROTOCOL_IDS.join(', ')}`);
  }
  const validationSpeakers = protocol.validationSpeakers ?? 1;
  if (!Number.isInteger(validationSpeakers) || validationSpeakers < 0) {
    throw bad('validationSpeakers', `must be an integer >= 0, got ${JSON.stringify(protocol.validationSpeakers)}`);
  }
  const k = protocol.k ?? 5;
  if (protocol.id === 'speaker-k-fold' && (!Number.isInteger(k) || k < 2)) {
    throw bad('k', `must be an integer >= 2, got ${JSON.stringify(protocol.k)}`);
  }
  if (protocol.id === 'split-file' && (typeof protocol.file !== 'string' || protocol.file === '')) {
    throw bad('file', 'split-file needs `file`: a JSON or CSV of id -> train|validation|test');
  }
  return { ...protocol, validationSpeakers, k };
}

/** One fold per group (session or speaker): the group is the test set; validation speakers come from the rest. */
function heldOutGroups(corpus: Corpus, groupOf: (u: Utterance) => string, what: string, validationSpeakers: number, seed: number): Fold[] {
  const groups = [...new Set(corpus.utterances.map(groupOf))].sort(naturalCompare);
  if (groups.length < 2) {
    throw new SerError('CONFIG_INVALID', `corpus '${corpus.dataset}' has only ${groups.length} ${what}(s): leave-one-${what}-out needs at least 2`, {
      details: { dataset: corpus.dataset, groups },
    });
  }
  return groups.map((g) => {
    const test = corpus.utterances.filter((u) => groupOf(u) === g);
    const rest = corpus.utterances.filter((u) => groupOf(u) !== g);
    return withValidation(g, rest, test, validationSpeakers, seed);
  });
}

/**
 * Speakers dealt to k folds: shuffled by the seed, then taken largest first, each to the fold
 * with the fewest utterances so far (ties: fewer speakers, then lower index), so fold sizes stay
 * close even when speakers differ in size.
 */
function speakerKFold(corpus: Corpus, k: number, validationSpeakers: number, seed: number): Fold[] {
  const counts = new Map<string, number>();
  for (const u of corpus.utterances) counts.set(u.speaker, (counts.get(u.speaker) ?? 0) + 1);
  const speakers = [...counts.keys()].sort(naturalCompare);
  if (k > speakers.length) {
    throw new SerError('CONFIG_INVALID', `dataset.protocol.k is ${k} but corpus '${corpus.dataset}' has ${speakers.length} speakers: set k to at most ${speakers.length}`, {
      details: { k, speakers: speakers.length },
    });
  }
  const order = new Rng(seed).fork('speaker-k-fold').shuffle(speakers);
  // a stable sort keeps the seeded order among speakers of equal size
  order.sort((a, b) => counts.get(b)! - counts.get(a)!);
  const size = new Array<number>(k).fill(0);
  const nSpk = new Array<number>(k).fill(0);
  const foldOf = new Map<string, number>();
  for (const s of order) {
    let best = 0;
    for (let i = 1; i < k; i++) {
      if (size[i] < size[best] || (size[i] === size[best] && nSpk[i] < nSpk[best])) best = i;
    }
    foldOf.set(s, best);
    size[best] += counts.get(s)!;
    nSpk[best] += 1;
  }
  return Array.from({ length: k }, (_, i) => {
    const test = corpus.utterances.filter((u) => foldOf.get(u.speaker) === i);
    const rest = corpus.utterances.filter((u) => foldOf.get(u.speaker) !== i);
    return withValidation(`fold${i + 1}`, rest, test, validationSpeakers, seed);
  });
}

function splitFileFold(corpus: Corpus, file: string, validationSpeakers: number, seed: number): Fold {
  const parts = readSplitFile(file);
  const byId = new Map(corpus.utterances.map((u) => [u.id, u]));
  const unknown = [...parts.keys()].filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new SerError(
      'CONFIG_INVALID',
      `split file ${path.resolve(file)}: ${unknown.length} id(s) not in corpus '${corpus.dataset}' (${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}); ` +
        'the file was made for another corpus or class map: fix the ids or the dataset config',
      { details: { file, unknown: unknown.slice(0, 50), unknownCount: unknown.length } },
    );
  }
  const name = path.basename(file).replace(/\.[^.]*$/, '');
  const pick = (part: string) => corpus.utterances.filter((u) => parts.get(u.id) === part);
  const train = pick('train');
  const test = pick('test');
  const validation = pick('validation');
  if (test.length === 0 || train.length === 0) {
    throw new SerError('CONFIG_INVALID', `split file ${path.resolve(file)} lists ${train.length} train and ${test.length} test utterances of this corpus; both must be non-empty`, {
      details: { file },
    });
  }
  if (validation.length > 0) return sortedFold(name, train, validation, test);
  return withValidation(name, train, test, validationSpeakers, seed);
}

function withValidation(name: string, rest: Utterance[], test: Utterance[], validationSpeakers: number, seed: number): Fold {
  const val = pickValidationSpeakers(rest, validationSpeakers, seed, name);
  return sortedFold(
    name,
    rest.filter((u) => !val.has(u.speaker)),
    rest.filter((u) => val.has(u.speaker)),
    test,
  );
}

function sortedFold(name: string, train: Utterance[], validation: Utterance[], test: Utterance[]): Fold {
  const ids = (us: Utterance[]) => us.map((u) => u.id).sort();
  return { name, train: ids(train), validation: ids(validation), test: ids(test) };
}
