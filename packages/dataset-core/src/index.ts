export { defineDataset } from './corpus.js';
export type { Corpus, DatasetContext, DatasetDefinition, Utterance } from './corpus.js';
export { makeFolds, protocolSchema, PROTOCOL_IDS } from './protocol.js';
export type { Fold, ProtocolConfig } from './protocol.js';
export { checkLeakage } from './check-leakage.js';
export { splitHash } from './split-hash.js';
export { classCounts, describeCorpus } from './describe-corpus.js';
export { naturalCompare } from './natural-compare.js';
