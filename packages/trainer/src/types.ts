import type { Logger } from '@ser/core';
import type { Loss } from '@ser/loss-core';
import type { Model } from '@ser/model-core';
import type { TrainerConfig } from './config.js';

/** One utterance as the trainer sees it: its id, class index and length in frames. */
export interface Example {
  id: string;
  label: number;
  frames: number;
  /**
   * The utterance this example is a segment of (features.segment): the segments of one utterance
   * are scored together, their class probabilities (and embeddings) averaged into one utterance-level
   * row, so UA/WA count utterances. Absent: the example is a whole utterance.
   */
  utteranceId?: string;
}

/** Where features come from, one utterance at a time (read per batch, never all at once). */
export interface FeatureSource {
  /** Feature bins per frame. */
  bins: number;
  /** Row-major [frames * bins] features of one utterance, already normalised. */
  read(id: string): Float32Array;
}

/** Scores of one split. UA = mean per-class recall over classes present in the split; WA = accuracy. */
export interface EvalResult {
  ua: number;
  wa: number;
  macroF1: number;
  /** Recall per class index; NaN for a class absent from the split. */
  perClassRecall: number[];
  /** [true class][predicted class] counts. */
  confusion: number[][];
  /** Mean loss total per utterance. */
  loss: number;
  /** Mean of each loss term per utterance. */
  terms: Record<string, number>;
}

/** What happened in one epoch (1-based `epoch`); the distance statistics are on the validation embeddings. */
export interface EpochRecord {
  epoch: number;
  lr: number;
  trainLoss: number;
  trainTerms: Record<string, number>;
  valLoss: number;
  valUa: number;
  valWa: number;
  valMacroF1: number;
  /** mean_i ||z_i - mean_{y_i}|| over validation embeddings (Euclidean). */
  intraClassDistance: number;
  /** Mean pairwise Euclidean distance between the validation class means. */
  interCenterDistance: number;
  /** intraClassDistance / interCenterDistance (lower = more compact, better separated). */
  distanceRatio: number;
  /** mean_j ||c_j(end) - c_j(start)|| of the loss's centers over the epoch; 0 without centers. */
  centerDrift: number;
  /** Fraction of padded (masked-out) frames in this epoch's training batches. */
  paddingFraction: number;
  seconds: number;
}

/** One scored utterance with its embedding; validation at the selected epoch, test once at the end. */
export interface PredictionRecord {
  utteranceId: string;
  split: 'validation' | 'test';
  label: number;
  prediction: number;
  /** softmax of the loss's scores() (or of the logits when the loss has none). */
  probabilities: number[];
  embedding: number[];
}

/** The result of trainCell. A diverged run is a result too, not an exception. */
export interface TrainOutcome {
  status: 'ok' | 'diverged';
  /** Why the run stopped: NON_FINITE_LOSS (NaN or Inf), or LOSS_DIVERGED (finite but above divergence.factor x its first value for divergence.steps steps in a row). */
  diverged?: { code: 'NON_FINITE_LOSS' | 'LOSS_DIVERGED'; epoch: number; step: number; message: string };
  /** 1-based epoch whose weights were selected on validation; 0 when none completed. */
  bestEpoch: number;
  epochsRun: number;
  /** Wall seconds, including those of earlier (resumed-from) processes. */
  seconds: number;
  test: EvalResult;
  validation: EvalResult;
  epochs: EpochRecord[];
  predictions: PredictionRecord[];
  /** The loss's centers at the selected epoch, [numClasses][embeddingDim], when it has them. */
  centers?: number[][];
  /** Epoch the run resumed from (the checkpoint's completed epochs); 0 for a fresh run. */
  resumedFromEpoch: number;
}

/** A progress report: per training step, per evaluation batch, and once per epoch with its record. */
export interface TrainProgress {
  phase: 'train' | 'validate' | 'test' | 'epoch';
  /** 1-based epoch (the last epoch for the final test pass). */
  epoch: number;
  epochs: number;
  /** 1-based step (batch) within the phase, and the number of steps. */
  step: number;
  steps: number;
  /** Loss terms of this step (train), or running means (validate/test), or the epoch's train means (epoch). */
  terms: Record<string, number>;
  /** Utterances per second since the phase started. */
  utterancesPerSecond: number;
  /** Present with phase 'epoch'. */
  record?: EpochRecord;
}

/** Arguments of trainCell. */
export interface TrainCellOptions {
  model: Model;
  loss: Loss;
  config: TrainerConfig;
  classes: string[];
  data: { train: Example[]; validation: Example[]; test: Example[] };
  source: FeatureSource;
  seed: number;
  /** A checkpoint is written here after every epoch; if one is there already, the run resumes from it. */
  checkpointDir?: string;
  logger: Logger;
  progress?: (p: TrainProgress) => void;
  /** Stops the run between two steps by throwing signal.reason (the last checkpoint stays as it is). */
  signal?: AbortSignal;
}
