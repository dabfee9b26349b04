import fs from 'node:fs';
import path from 'node:path';
import { SerError } from '@ser/core';
import { defineDataset, naturalCompare, type Corpus, type Utterance } from '@ser/dataset-core';
import {
  checkFacts,
  classMapSchema,
  classesSchema,
  fillDurations,
  folderNotFound,
  isDir,
  listWavs,
  pathSchema,
  requirePath,
  resolveClassMap,
  subsetSchema,
  withDefaults,
  type LabelEntry,
} from './internal/loader-utils.js';

/** Config keys of the 'ravdess' dataset. */
export interface RavdessConfig {
  /** The folder holding Actor_01..Actor_24. */
  path: string;
  /** RAVDESS emotion (neutral, calm, happy, sad, angry, fearful, disgust, surprised, or its code 01..08) -> class. */
  classMap: Record<string, string>;
  classes?: string[];
  subset: boolean;
}

/** RAVDESS emotion codes (Livingstone & Russo, PLoS ONE 2018). */
const EMOTIONS: readonly LabelEntry[] = [
  { label: 'neutral', aliases: ['01'] },
  { label: 'calm', aliases: ['02'] },
  { label: 'happy', aliases: ['03'] },
  { label: 'sad', aliases: ['04'] },
  { label: 'angry', aliases: ['05'] },
  { label: 'fearful', aliases: ['06'] },
  { label: 'disgust', aliases: ['07'] },
  { label: 'surprised', aliases: ['08'] },
];
const BY_CODE = new Map(EMOTIONS.map((e) => [e.aliases[0], e.label]));

/** The audio-only speech release: 1,440 files, 24 actors (60 per actor; neutral has no strong intensity). */
export const RAVDESS_FACTS = {
  perLabel: { neutral: 96, calm: 192, happy: 192, sad: 192, angry: 192, fearful: 192, disgust: 192, surprised: 192 },
  speakers: 24,
  source: 'the RAVDESS audio-only speech release (1,440 files, 24 actors)',
};

const HOLDING = 'Actor_01..Actor_24 (files MM-CC-EE-II-SS-RR-AA.wav, e.g. 03-01-05-01-02-01-12.wav)';
// modality-channel-emotion-intensity-statement-repetition-actor
const NAME = /^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;

const schema = {
  type: 'object',
  properties: {
    path: pathSchema(HOLDING),
    classMap: classMapSchema(
      { neutral: 'neutral', happy: 'happy', sad: 'sad', angry: 'angry' },
      'RAVDESS emotions (neutral, calm, happy, sad, angry, fearful, disgust, surprised, or the codes 01..08)',
    ),
    classes: classesSchema,
    subset: subsetSchema,
  },
  required: ['path'],
  additionalProperties: false,
};

/** RAVDESS speech: audio-only (modality 03), speech channel (01); actor odd = male, even = female. */
export const ravdess = defineDataset<RavdessConfig>({
  id: 'ravdess',
  description: 'RAVDESS (Livingstone & Russo, 2018): audio-only speech, 1,440 files from 24 actors, 8 emotions; labels in the file names.',
  schema,
  async load(raw, context): Promise<Corpus> {
    const config = withDefaults<RavdessConfig>(schema, raw);
    const root = requirePath('RAVDESS', config.path, context, HOLDING);
    if (!isDir(root)) throw folderNotFound('RAVDESS', root, context, HOLDING);
    const actorDirs = fs
      .readdirSync(root)
      .filter((n) => /^Actor_\d+$/.test(n) && isDir(path.join(root, n)))
      .sort(naturalCompare)
      .map((n) => path.join(root, n));
    // a flat copy (all files in one folder) works too
    const dirs = actorDirs.length > 0 ? actorDirs : [root];
    const cm = resolveClassMap('ravdess', EMOTIONS, config.classMap, config.classes);

    const utterances: Utterance[] = [];
    let found = 0;
    let other = 0;
    for (const dir of dirs) {
      for (const file of listWavs(dir)) {
        const stem = file.slice(0, -4);
        const m = NAME.exec(stem);
        if (!m) {
          other++;
          continue;
        }
        const [, modality, channel, code, , , , actor] = m;
        found++;
        // 01/02 are video files, channel 02 is song: the speech corpus is audio-only speech
        if (modality !== '03' || channel !== '01') continue;
        const emotion = BY_CODE.get(code);
        if (!emotion) {
          throw new SerError(
            'DATASET_UNKNOWN_LABEL',
            `RAVDESS: ${path.join(dir, file)}: emotion code '${code}' is not a RAVDESS emotion; allowed: ${EMOTIONS.map((e) => `${e.aliases[0]} ${e.label}`).join(', ')}`,
            { details: { file: path.join(dir, file), code } },
          );
        }
        const label = cm.map.get(emotion);
        if (label === undefined) continue;
        utterances.push({
          id: stem,
          path: path.join(dir, file),
          speaker: actor,
          gender: Number.parseInt(actor, 10) % 2 === 1 ? 'male' : 'female',
          label,
          originalLabel: emotion,
        });
      }
    }
    if (found === 0) throw folderNotFound('RAVDESS', root, context, HOLDING, 'folder holds no RAVDESS .wav files');
    if (other > 0) context.logger.warn(`RAVDESS: ${other} .wav file(s) under ${root} are not named MM-CC-EE-II-SS-RR-AA.wav and were skipped`);
    utterances.sort((a, b) => naturalCompare(a.id, b.id));
    checkFacts('RAVDESS', root, RAVDESS_FACTS, cm.map.keys(), utterances, config.subset, context.logger);
    fillDurations('RAVDESS', utterances, context.logger);
    return { dataset: 'ravdess', classes: cm.classes, utterances, classMap: cm.description };
  },
});
