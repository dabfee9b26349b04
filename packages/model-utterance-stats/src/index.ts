export { utteranceStatsModel, utteranceStatsSchema, utteranceStatistics } from './utterance-stats-model.js';
export type { UtteranceStatsConfig } from './utterance-stats-model.js';
