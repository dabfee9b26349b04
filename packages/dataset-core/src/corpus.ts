import type { JsonSchema, Logger } from '@ser/core';

/** One utterance of a corpus manifest. */
export interface Utterance {
  /** Unique within the corpus, stable across runs (e.g. the file stem). */
  id: string;
  /** Absolute path of the audio file. */
  path: string;
  speaker: string;
  /** Recording session where the corpus has them (IEMOCAP); otherwise absent. */
  session?: string;
  gender?: 'female' | 'male';
  /** The class after the class map (e.g. 'happy' for IEMOCAP's excited). */
  label: string;
  /** The corpus' own label before mapping. */
  originalLabel?: string;
  durationS?: number;
}

/** What a dataset plugin returns: the manifest and the class order used for label indices. */
export interface Corpus {
  /** The dataset plugin id ('emodb', 'iemocap', 'synthetic', ...). */
  dataset: string;
  /** Class names in index order. */
  classes: string[];
  utterances: Utterance[];
  /** Short description of the class map, for labelling results ('4-class: neutral,happy+excited,angry,sad'). */
  classMap: string;
}

export interface DatasetContext {
  logger: Logger;
  /** A folder the dataset may write to (the synthetic corpus renders its WAV files there). */
  cacheDir: string;
  /** The config file the dataset keys came from, named in error messages ('dataset.path in <configFile>'). */
  configFile?: string;
}

export interface DatasetDefinition<TConfig = any> {
  readonly id: string;
  readonly description: string;
  /** The JSON Schema of the dataset's own config keys (not `id` and not `protocol`). */
  readonly schema: JsonSchema;
  load(config: TConfig, context: DatasetContext): Promise<Corpus>;
}

export function defineDataset<TConfig>(def: DatasetDefinition<TConfig>): DatasetDefinition<TConfig> {
  return def;
}
