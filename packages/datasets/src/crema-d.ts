import fs from 'node:fs';
import path from 'node:path';
import { SerError } from '@ser/core';
import { defineDataset, naturalCompare, type Corpus, type Utterance } from '@ser/dataset-core';
import { parseCsv } from './internal/csv.js';
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

/** Config keys of the 'crema-d' dataset. */
export interface CremaDConfig {
  /** The folder holding AudioWAV/ (and VideoDemographics.csv). */
  path: string;
  /** CREMA-D emotion code (ANG, DIS, FEA, HAP, NEU, SAD, or anger, disgust, ...) -> class. */
  classMap: Record<string, string>;
  classes?: string[];
  subset: boolean;
}

/** CREMA-D emotion codes (Cao et al., IEEE T-AFFC 2014). */
const EMOTIONS: readonly LabelEntry[] = [
  { label: 'ANG', aliases: ['anger', 'angry'] },
  { label: 'DIS', aliases: ['disgust'] },
  { label: 'FEA', aliases: ['fear'] },
  { label: 'HAP', aliases: ['happy', 'happiness'] },
  { label: 'NEU', aliases: ['neutral'] },
  { label: 'SAD', aliases: ['sadness'] },
];
const KNOWN = new Set(EMOTIONS.map((e) => e.label));

/** The release: 7,442 clips from 91 actors (12 sentences x 6 emotions; the neutral ones at one level only). */
export const CREMA_D_FACTS = {
  perLabel: { ANG: 1271, DIS: 1271, FEA: 1271, HAP: 1271, NEU: 1087, SAD: 1271 },
  speakers: 91,
  source: 'the CREMA-D release (7,442 clips, 91 actors)',
};

const HOLDING = 'AudioWAV/ (files ActorID_Sentence_Emotion_Level.wav, e.g. 1001_DFA_ANG_XX.wav) and VideoDemographics.csv';
const NAME = /^(\d+)_([A-Z]{3})_([A-Za-z]{3})_([A-Za-z]{1,2})$/;

const schema = {
  type: 'object',
  properties: {
    path: pathSchema(HOLDING),
    classMap: classMapSchema({ ANG: 'angry', HAP: 'happy', NEU: 'neutral', SAD: 'sad' }, 'CREMA-D emotion codes (ANG, DIS, FEA, HAP, NEU, SAD)'),
    classes: classesSchema,
    subset: subsetSchema,
  },
  required: ['path'],
  additionalProperties: false,
};

/** Actor id -> gender from the published VideoDemographics.csv (columns ActorID, ..., Sex). */
function readDemographics(file: string): Map<string, 'female' | 'male'> {
  const out = new Map<string, 'female' | 'male'>();
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const idCol = header.indexOf('actorid');
  const sexCol = header.indexOf('sex');
  if (idCol < 0 || sexCol < 0) {
    throw new SerError(
      'DATASET_MISSING_FILES',
      `CREMA-D: ${file} has no ActorID and Sex columns (header: ${rows[0]?.join(',')}); use the published VideoDemographics.csv`,
      {
        details: { file },
      },
    );
  }
  for (const r of rows.slice(1)) {
    const sex = (r[sexCol] ?? '').trim().toLowerCase();
    if (sex === 'female' || sex === 'male') out.set((r[idCol] ?? '').trim(), sex);
  }
  return out;
}

/** CREMA-D: actor and emotion from the file names; gender from VideoDemographics.csv when present. */
export const cremaD = defineDataset<CremaDConfig>({
  id: 'crema-d',
  description: 'CREMA-D (Cao et al., 2014): 7,442 clips from 91 actors, 6 emotions; labels in the file names, gender from VideoDemographics.csv.',
  schema,
  async load(raw, context): Promise<Corpus> {
    const config = withDefaults<CremaDConfig>(schema, raw);
    const root = requirePath('CREMA-D', config.path, context, HOLDING);
    if (!isDir(root)) throw folderNotFound('CREMA-D', root, context, HOLDING);
    const wavDir = isDir(path.join(root, 'AudioWAV')) ? path.join(root, 'AudioWAV') : root;
    const files = listWavs(wavDir);
    if (files.length === 0) throw folderNotFound('CREMA-D', root, context, HOLDING, 'folder holds no .wav files');
    const cm = resolveClassMap('crema-d', EMOTIONS, config.classMap, config.classes);
    const demoFile = [path.join(root, 'VideoDemographics.csv'), path.join(wavDir, 'VideoDemographics.csv')].find((f) => fs.existsSync(f));
    const genders = demoFile ? readDemographics(demoFile) : new Map<string, 'female' | 'male'>();
    if (!demoFile) context.logger.info(`CREMA-D: no VideoDemographics.csv in ${root}; speaker gender is unknown`);

    const utterances: Utterance[] = [];
    let skipped = 0;
    for (const file of files) {
      const stem = file.slice(0, -4);
      const m = NAME.exec(stem);
      if (!m) {
        skipped++;
        continue;
      }
      const [, actor, , code] = m;
      if (!KNOWN.has(code)) {
        throw new SerError(
          'DATASET_UNKNOWN_LABEL',
          `CREMA-D: ${path.join(wavDir, file)}: emotion '${code}' is not a CREMA-D emotion; allowed: ${[...KNOWN].join(', ')}`,
          { details: { file: path.join(wavDir, file), code } },
        );
      }
      const label = cm.map.get(code);
      if (label === undefined) continue;
      const gender = genders.get(actor);
      utterances.push({ id: stem, path: path.join(wavDir, file), speaker: actor, ...(gender ? { gender } : {}), label, originalLabel: code });
    }
    if (skipped > 0) context.logger.warn(`CREMA-D: ${skipped} .wav file(s) in ${wavDir} are not named ActorID_Sentence_Emotion_Level.wav and were skipped`);
    utterances.sort((a, b) => naturalCompare(a.id, b.id));
    checkFacts('CREMA-D', root, CREMA_D_FACTS, cm.map.keys(), utterances, config.subset, context.logger);
    fillDurations('CREMA-D', utterances, context.logger);
    return { dataset: 'crema-d', classes: cm.classes, utterances, classMap: cm.description };
  },
});
