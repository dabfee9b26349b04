import path from 'node:path';
import type { Static } from '@sinclair/typebox';
import { Rng, SerError } from '@ser/core';
import { Type, compileConfigValidator, configObject, oneOfById } from '@ser/core/config-schema';
import type { Corpus, Utterance } from './corpus.js';
import { checkLeakage } from './check-leakage.js';
import { naturalCompare } from './natural-compare.js';
import { readSplitFile } from './internal/split-file.js';
import { pickValidationSpeakers } from './internal/validation-speakers.js';

/** One split of a corpus: utterance ids, each sorted. */
export interface Fold {
  name: string;
  train: string[];
  validation: string[];
  test: string[];
}

export const PROTOCOL_IDS = ['leave-one-session-out', 'leave-one-speaker-out', 'speaker-k-fold', 'split-file'] as const;

const validationSpeakers = Type.Integer({
  minimum: 0,
  default: 1,
  description:
    'Speakers moved from the training side of each fold to its validation set (early stopping, model selection); ' +
    'chosen from the seed, alternating gender and spreading over sessions where possible. 0 leaves validation empty.',
});

/**
 * The `dataset.protocol` key: how a corpus is cut into speaker-independent folds. The validation
 * set is always taken from the training speakers, never from the test fold. ProtocolConfig is
 * derived from this schema; its defaults and descriptions are the docs.
 */
export const protocolSchema = oneOfById(
  [
    configObject(
      { id: Type.Literal('leave-one-session-out'), validationSpeakers },
      { required: ['id'], description: "One fold per recording session (IEMOCAP: 'Session1'..'Session5')." },
    ),
    configObject(
      { id: Type.Literal('leave-one-speaker-out'), validationSpeakers },
      { required: ['id'], description: 'One fold per speaker, named after the speaker.' },
    ),
    configObject(
      {
        id: Type.Literal('speaker-k-fold'),
        k: Type.Integer({ minimum: 2, default: 5, description: 'The number of folds (2 to the number of speakers).' }),
        validationSpeakers,
      },
      { required: ['id'], description: "Speakers dealt to k folds ('fold1'..'foldK') from the seed, balanced by utterance count." },
    ),
    configObject(
      {
        id: Type.Literal('split-file'),
        file: Type.String({
          minLength: 1,
          description:
            'A JSON object {"<utterance id>": "train"|"validation"|"test"} or a CSV of rows `id,split` (header optional). ' +
            'Utterances not listed are left out. Without validation rows, validationSpeakers speakers are moved from train to validation.',
        }),
        validationSpeakers,
      },
      { required: ['id', 'file'], description: 'One fixed split read from `file`, the fold named after the file.' },
    ),
  ],
  {
    description:
      'How the corpus is cut into speaker-independent folds. The validation set is always taken from the training speakers, never from the test fold.',
    default: { id: 'leave-one-speaker-out' },
  },
);

/** How a corpus is cut into speaker-independent folds (the `dataset.protocol` key), defaults filled in. */
export type ProtocolConfig = Static<typeof protocolSchema>;

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
      folds = speakerKFold(corpus, p.k, p.validationSpeakers, seed);
      break;
    case 'split-file':
      folds = [splitFileFold(corpus, p.file, p.validationSpeakers, seed)];
      break;
  }
  for (const f of folds) checkLeakage(corpus, f);
  return folds;
}

let validateProtocol: ((value: unknown) => { instancePath: string; message?: string; params: unknown }[]) | undefined;

/** makeFolds is public API: a protocol written by hand (not through the config loader) gets the schema's checks and defaults here. */
function checkProtocol(protocol: ProtocolConfig): ProtocolConfig {
  const bad = (field: string, msg: string) => new SerError('CONFIG_INVALID', `dataset.protocol.${field}: ${msg}`, { details: { protocol } });
  if (!protocol || !PROTOCOL_IDS.includes(protocol.id)) {
    throw bad('id', `unknown protocol ${JSON.stringify(protocol?.id)}; allowed: ${PROTOCOL_IDS.join(', ')}`);
  }
  const filled = structuredClone(protocol);
  validateProtocol ??= compileConfigValidator(protocolSchema);
  const errors = validateProtocol(filled);
  if (errors.length > 0) {
    const e = errors[0];
    const field = e.instancePath.slice(1).replace(/\//g, '.') || String((e.params as { missingProperty?: string }).missingProperty ?? 'id');
    const fix = field === 'file' ? ': split-file needs `file`, a JSON or CSV of id -> train|validation|test' : '';
    throw bad(field, `${e.message}, got ${JSON.stringify((protocol as Record<string, unknown>)[field])}${fix}`);
  }
  return filled;
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
    throw new SerError(
      'CONFIG_INVALID',
      `dataset.protocol.k is ${k} but corpus '${corpus.dataset}' has ${speakers.length} speakers: set k to at most ${speakers.length}`,
      {
        details: { k, speakers: speakers.length },
      },
    );
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
    throw new SerError(
      'CONFIG_INVALID',
      `split file ${path.resolve(file)} lists ${train.length} train and ${test.length} test utterances of this corpus; both must be non-empty`,
      {
        details: { file },
      },
    );
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
