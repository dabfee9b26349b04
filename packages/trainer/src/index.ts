export { trainCell, CHECKPOINT_FILE } from './train-cell.js';
export type { Example, FeatureSource, EvalResult, EpochRecord, PredictionRecord, TrainOutcome, TrainProgress, TrainCellOptions } from './types.js';
export { defaultTrainerConfig, trainerConfigSchema, resolveTrainerConfig, validateTrainerConfig } from './config.js';
export type {
  TrainerConfig,
  OptimizerConfig,
  AdamConfig,
  SgdConfig,
  ScheduleConfig,
  EarlyStoppingConfig,
  AugmentationConfig,
  SamplingMode,
  DivergenceConfig,
} from './config.js';
export {
  confusionMatrix,
  perClassRecall,
  unweightedAccuracy,
  weightedAccuracy,
  macroF1,
  embeddingStats,
  centerDrift,
  meanPairwiseDistance,
  argmaxRows,
} from './metrics.js';
export type { EmbeddingStats } from './metrics.js';
export { planBatches, planEvalBatches, paddingFraction, readBatch, batchTensors } from './batches.js';
export type { BatchPlan, HostBatch } from './batches.js';
export { createOptimizer, clipByGlobalNorm } from './optimizers.js';
export type { TrainOptimizer } from './optimizers.js';
export { LrSchedule } from './schedules.js';
export type { ScheduleState } from './schedules.js';
export { writeCheckpoint, readCheckpoint } from './checkpoint.js';
export type { CheckpointData } from './checkpoint.js';
export { createProgressPrinter } from './progress-printer.js';
export type { ProgressPrinterOptions } from './progress-printer.js';
export { epochExamples, readTrainingBatch, croppedLengths } from './augment.js';
export type { PlannedExample } from './augment.js';
