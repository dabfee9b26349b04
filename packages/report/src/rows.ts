// The result store's row types, exactly as docs/architecture.md defines them. The report takes
// these rows (never Arrow), so it can be tested with rows written by hand.

/** A sweep parameter value as it appears in CellRow.params. */
export type ParamValue = number | string | boolean | null;

/** One trained (or failed) cell: a sweep point on one fold with one seed. */
export interface CellRow {
  cellId: string;
  experiment: string;
  sweepIndex: number;
  /** The sweep point, e.g. { 'loss.lambda': 0.01, 'loss.alpha': 0.5 }. */
  params: Record<string, ParamValue>;
  fold: string;
  seed: number;
  status: 'ok' | 'diverged' | 'failed';
  errorCode: string | null;
  errorMessage: string | null;
  /** Test fold, selected checkpoint; fractions in [0, 1]. */
  ua: number | null;
  wa: number | null;
  macroF1: number | null;
  valUa: number | null;
  perClassRecall: number[];
  classes: string[];
  /** [true class][predicted class] counts, in `classes` order. */
  confusion: number[][];
  epochs: number;
  bestEpoch: number;
  seconds: number;
  lossId: string;
  modelId: string;
  dataset: string;
  classMap: string;
  protocol: string;
  backend: string;
  versions: string;
  configHash: string;
  splitHash: string;
  codeVersion: string;
  gitCommit: string;
  finishedAt: string;
}

/** One epoch of one cell. */
export interface EpochRow {
  cellId: string;
  epoch: number;
  lr: number;
  trainLoss: number;
  valLoss: number;
  valUa: number;
  valWa: number;
  valMacroF1: number;
  intraClassDistance: number;
  interCenterDistance: number;
  distanceRatio: number;
  centerDrift: number;
  seconds: number;
  terms: Record<string, number>;
}

/** One utterance's prediction (class names, not indices). */
export interface PredictionRow {
  cellId: string;
  utteranceId: string;
  split: 'validation' | 'test';
  label: string;
  prediction: string;
  probabilities: number[];
}

/** One utterance's embedding, or a class center (split 'center', utteranceId 'center:<class>'). */
export interface EmbeddingRow {
  cellId: string;
  utteranceId: string;
  split: 'validation' | 'test' | 'center';
  label: string;
  embedding: number[];
}

/** Everything the report reads from a result store. */
export interface ResultRows {
  cells: CellRow[];
  epochs?: EpochRow[];
  predictions?: PredictionRow[];
  embeddings?: EmbeddingRow[];
}
