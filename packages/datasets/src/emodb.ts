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

/** Config keys of the 'emodb' dataset. */
export interface EmodbConfig {
  /** The folder holding wav/ (or the wav files themselves). */
  path: string;
  /** EMO-DB emotion (anger, boredom, disgust, fear, happiness, neutral, sadness, or its letter W L E A F N T) -> class. */
  classMap: Record<string, string>;
  classes?: string[];
  subset: boolean;
}

/** EMO-DB's emotions and their file-name letters (Burkhardt et al., Interspeech 2005). */
const EMOTIONS: readonly LabelEntry[] = [
  { label: 'anger', aliases: ['W'] },
  { label: 'boredom', aliases: ['L'] },
  { label: 'disgust', aliases: ['E'] },
  { label: 'fear', aliases: ['A'] },
  { label: 'happiness', aliases: ['F'] },
  { label: 'neutral', aliases: ['N'] },
  { label: 'sadness', aliases: ['T'] },
];
const BY_LETTER = new Map(EMOTIONS.map((e) => [e.aliases[0], e.label]));
const FEMALE = new Set(['08', '09', '13', '14', '16']);

/** The whole release: 535 utterances, 10 speakers. */
export const EMODB_FACTS = {
  perLabel: { anger: 127, boredom: 81, disgust: 46, fear: 69, happiness: 71, neutral: 79, sadness: 62 },
  speakers: 10,
  source: 'the EMO-DB release (535 utterances, 10 speakers)',
};

const HOLDING = 'wav/ (the EMO-DB files named SSTTTEV.wav, e.g. 03a01Wa.wav)';
// SS speaker, TTT text, E emotion letter, V version
const NAME = /^(\d{2})([a-z]\d{2})([A-Za-z])([a-z]?)$/;

const schema = {
  type: 'object',
  properties: {
    path: pathSchema(HOLDING),
    classMap: classMapSchema(
      { anger: 'angry', happiness: 'happy', neutral: 'neutral', sadness: 'sad' },
      'EMO-DB emotions (anger, boredom, disgust, fear, happiness, neutral, sadness, or the letters W L E A F N T)',
    ),
    classes: classesSchema,
    subset: subsetSchema,
  },
  required: ['path'],
  additionalProperties: false,
};

/** EMO-DB: labels and speakers from the file names; 10 speakers, gender from the speaker number. */
export const emodb = defineDataset<EmodbConfig>({
  id: 'emodb',
  description: 'Berlin Database of Emotional Speech (EMO-DB): 535 German utterances, 10 actors, 7 emotions; labels in the file names.',
  schema,
  async load(raw, context): Promise<Corpus> {
    const config = withDefaults<EmodbConfig>(schema, raw);
    const root = requirePath('EMO-DB', config.path, context, HOLDING);
    if (!isDir(root)) throw folderNotFound('EMO-DB', root, context, HOLDING);
    const wavDir = isDir(path.join(root, 'wav')) ? path.join(root, 'wav') : root;
    const files = listWavs(wavDir);
    if (files.length === 0) throw folderNotFound('EMO-DB', root, context, HOLDING, 'folder holds no .wav files');
    const cm = resolveClassMap('emodb', EMOTIONS, config.classMap, config.classes);

    const utterances: Utterance[] = [];
    let skipped = 0;
    for (const file of files) {
      const stem = file.slice(0, -4);
      const m = NAME.exec(stem);
      if (!m) {
        skipped++;
        continue;
      }
      const [, speaker, , letter] = m;
      const emotion = BY_LETTER.get(letter);
      if (!emotion) {
        throw new SerError(
          'DATASET_UNKNOWN_LABEL',
          `EMO-DB: ${path.join(wavDir, file)}: emotion letter '${letter}' is not an EMO-DB emotion; allowed: ${EMOTIONS.map((e) => `${e.aliases[0]} ${e.label}`).join(', ')}`,
          { details: { file: path.join(wavDir, file), letter } },
        );
      }
      const label = cm.map.get(emotion);
      if (label === undefined) continue;
      utterances.push({
        id: stem,
        path: path.join(wavDir, file),
        speaker,
        gender: FEMALE.has(speaker) ? 'female' : 'male',
        label,
        originalLabel: emotion,
      });
    }
    if (skipped > 0) context.logger.warn(`EMO-DB: ${skipped} .wav file(s) in ${wavDir} are not named SSTTTEV.wav and were skipped`);
    utterances.sort((a, b) => naturalCompare(a.id, b.id));
    checkFacts('EMO-DB', root, EMODB_FACTS, cm.map.keys(), utterances, config.subset, context.logger);
    fillDurations('EMO-DB', utterances, context.logger);
    return { dataset: 'emodb', classes: cm.classes, utterances, classMap: cm.description };
  },
});
