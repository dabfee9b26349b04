export { loadExperiment, validateFile, expandSweepPoints } from './load-experiment.js';
export type { LoadOptions, ValidationReport, SweepPoint } from './load-experiment.js';
export { buildSchema } from './build-schema.js';
export type { BuildSchemaOptions } from './build-schema.js';
export { sweepSchema, DEFAULTS_GROUPS } from './core-schema.js';
export { deepFreeze } from '@ser/core';
export type {
  AdamConfig,
  ConfigProblem,
  DatasetConfig,
  EngineBackend,
  ExperimentConfig,
  FeatureConfig,
  LoadedExperiment,
  PluginConfig,
  PluginSchemaEntry,
  PluginSchemas,
  ProtocolConfig,
  ScheduleConfig,
  SgdConfig,
  SourceLocation,
  SweepSpec,
  TrainerConfig,
} from './types.js';
export { formatLocation } from './internal/source-map.js';
