// The result store's row types come from @ser/store (the report takes these rows, never Arrow,
// so it can be tested with rows written by hand).
import type { CellRow, EmbeddingRow, EpochRow, PredictionRow } from '@ser/store';

export type { CellRow, EmbeddingRow, EpochRow, ParamValue, PredictionRow } from '@ser/store';

/** Everything the report reads from a result store; epochs, predictions and embeddings are optional. */
export interface ResultRows {
  cells: CellRow[];
  epochs?: EpochRow[];
  predictions?: PredictionRow[];
  embeddings?: EmbeddingRow[];
  /** Config keys separateConfigVariants added to params (the report says so); none by default. */
  configVariantKeys?: string[];
}
