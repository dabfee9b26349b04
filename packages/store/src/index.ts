export { ResultStore, STORE_FORMAT } from './result-store.js';
export type { CellResult, NormStatsRecord, StoreTable } from './result-store.js';
export { blankCellRow } from './rows.js';
export type { CellRow, EmbeddingRow, EpochRow, ParamValue, PredictionRow } from './rows.js';
