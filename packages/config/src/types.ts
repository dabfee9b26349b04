// The resolved experiment config: every default filled in, frozen after validation. Each block's
// type comes from the package that owns its schema (features, dataset protocol, trainer), derived
// from that schema, so config composes them rather than declaring the shapes again.
import type { JsonSchema } from '@ser/core';
import type { ProtocolConfig } from '@ser/dataset-core/protocol';
import type { FeatureConfig } from '@ser/features/config';
import type { TrainerConfig } from '@ser/trainer/config';
import type { SweepPoint } from './internal/sweep-expand.js';

export type { FeatureConfig, ProtocolConfig, TrainerConfig };
export type { AdamConfig, SgdConfig, ScheduleConfig } from '@ser/trainer/config';

/** A plugin block: the plugin id plus that plugin's own (validated) keys. */
export interface PluginConfig {
  id: string;
  [key: string]: unknown;
}

/** The `dataset` key: the dataset plugin's keys plus the core protocol and bad-audio policy. */
export interface DatasetConfig extends PluginConfig {
  protocol: ProtocolConfig;
  /** skip: drop unreadable/empty/silent files with a warning; stop: fail the cell (as @ser/features' extractCorpus). */
  onBadAudio: 'skip' | 'stop';
}

export type EngineBackend = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** What to run: sweep points (grid x zip, then points) crossed by the runner with folds and seeds. */
export interface SweepSpec {
  /** Dotted key path -> values; cartesian product in key order (first key varies slowest). */
  grid: Record<string, unknown[]>;
  /** Explicit points (dotted key path -> value), appended after the grid points. */
  points: Array<Record<string, unknown>>;
  /** Dotted key path -> values, varied together (equal lengths); crossed with the grid. */
  zip: Record<string, unknown[]>;
  /** 'all', a list of fold names, or the first N folds. */
  folds: 'all' | string[] | number;
  /** Defaults to [seed]. */
  seeds: number[];
  /** Retries of infrastructure failures only. */
  retries: number;
}

/** A resolved experiment (docs/architecture.md "Experiment config"). */
export interface ExperimentConfig {
  name: string;
  description: string;
  seed: number;
  engine: { backend: EngineBackend };
  dataset: DatasetConfig;
  features: FeatureConfig;
  model: PluginConfig;
  loss: PluginConfig;
  trainer: TrainerConfig;
  sweep: SweepSpec;
  /** dir defaults to results/<name>, relative to the working directory. */
  output: { dir: string };
}

/** What config needs to know of a plugin: its id, one-line description and config JSON Schema (without `id`). */
export interface PluginSchemaEntry {
  readonly id: string;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** The plugins' schemas (those the CLI discovered, reduced to what config needs). */
export interface PluginSchemas {
  readonly datasets: readonly PluginSchemaEntry[];
  readonly models: readonly PluginSchemaEntry[];
  readonly losses: readonly PluginSchemaEntry[];
}

/** Where a value was written: a YAML file position (1-based), a command-line override, or nowhere known. */
export type SourceLocation = { kind: 'file'; file: string; line: number; column: number } | { kind: 'override'; text: string } | { kind: 'unknown' };

/** One problem found in a config, with its position and the formatted one-line text. */
export interface ConfigProblem {
  code: 'CONFIG_INVALID' | 'CONFIG_NOT_FOUND' | 'CONFIG_YAML_SYNTAX';
  /** Dotted key path ('loss.lambda'), '' for the whole file. */
  path: string;
  /** What was expected and what was found. */
  message: string;
  source: SourceLocation;
  /** `file:line:column path: message`, as printed. */
  text: string;
}

/** The result of loadExperiment. */
export interface LoadedExperiment {
  /** Deep-frozen, every default filled in. */
  readonly config: ExperimentConfig;
  /** stableHash (sha256 hex) of the canonical JSON of config. */
  readonly hash: string;
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Dotted key path -> where its value was written (values filled by defaults have no entry). */
  readonly sources: Readonly<Record<string, SourceLocation>>;
  /** Key paths dropped because a later layer switched their block's plugin id (e.g. loss.alpha when loss.id became softmax). */
  readonly dropped: readonly string[];
  /** The sweep's points (after de-duplication), expanded and validated at load time; expandSweepPoints returns them. */
  readonly points: readonly SweepPoint[];
}
