/** A sweep parameter value as it appears in a CellRow (`params`) and in the 'param.<key>' columns. */
export type ParamValue = number | string | boolean | null;

/** One trained (or failed) cell: a sweep point on one fold with one seed. Stored in cells/<cellId>.arrow. */
export interface CellRow {
  cellId: string;
  experiment: string;
  sweepIndex: number;
  /** The sweep point, e.g. { 'loss.lambda': 0.01 }; stored as columns 'param.loss.lambda', ... */
  params: Record<string, ParamValue>;
  fold: string;
  seed: number;
  status: 'ok' | 'diverged' | 'failed';
  errorCode: string | null;
  errorMessage: string | null;
  /** Test fold, selected checkpoint; null for failed cells. */
  ua: number | null;
  wa: number | null;
  macroF1: number | null;
  valUa: number | null;
  perClassRecall: number[];
  classes: string[];
  /** [true class][predicted class] counts; stored as JSON text. */
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
  /** JSON of engine versions. */
  versions: string;
  configHash: string;
  splitHash: string;
  codeVersion: string;
  gitCommit: string;
  /** ISO time. */
  finishedAt: string;
  /**
   * Utterances of this cell's fold left out for bad audio (dataset.onBadAudio: skip), and their ids:
   * the test UA is over the rest. Files written before these columns existed read as 0 and [].
   */
  skippedAudio: number;
  skippedAudioIds: string[];
}

/**
 * A CellRow with no result: metrics null, lists empty, provenance blank, status 'failed' until the
 * caller says otherwise. The one place that lists every field; builders spread what they know over it.
 */
export function blankCellRow(cellId: string): CellRow {
  return {
    cellId,
    experiment: '',
    sweepIndex: 0,
    params: {},
    fold: '',
    seed: 0,
    status: 'failed',
    errorCode: null,
    errorMessage: null,
    ua: null,
    wa: null,
    macroF1: null,
    valUa: null,
    perClassRecall: [],
    classes: [],
    confusion: [],
    epochs: 0,
    bestEpoch: -1,
    seconds: 0,
    lossId: '',
    modelId: '',
    dataset: '',
    classMap: '',
    protocol: '',
    backend: '',
    versions: '{}',
    configHash: '',
    splitHash: '',
    codeVersion: '',
    gitCommit: '',
    finishedAt: new Date().toISOString(),
    skippedAudio: 0,
    skippedAudioIds: [],
  };
}

/** One epoch of one cell; `terms` are stored as columns 'term.<name>'. */
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
  /** Fraction of padded (masked-out) frames in the epoch's training batches; null in results written before it was stored. */
  paddingFraction: number | null;
  seconds: number;
  terms: Record<string, number>;
}

/** One utterance's prediction; probabilities are stored as List<Float32>. */
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
