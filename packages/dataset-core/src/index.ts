export { defineDataset } from './corpus.js';
export type { Corpus, DatasetContext, DatasetDefinition, Utterance } from './corpus.js';
