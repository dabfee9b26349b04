export { SerError, isSerError } from './ser-error.js';
export type { SerErrorCode } from './ser-error.js';
export { canonicalJson, stableHash, bytesHash } from './stable-hash.js';
export { Rng } from './rng.js';
export { writeFileAtomic, writeFileAtomicAsync, TEMP_HOST } from './atomic-file.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export type { JsonSchema, PluginDefinition, StateDict, StateTensor } from './plugin.js';
export { shellQuote } from './shell-quote.js';
