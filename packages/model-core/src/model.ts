import type { JsonSchema, Logger, PluginDefinition, StateDict } from '@ser/core';
import type { tf } from '@ser/engine';

export interface ModelOutput {
  /** The d-dimensional feature z that center loss acts on: [batch, embeddingDim]. */
  embeddings: tf.Tensor2D;
  /** Unnormalised class scores: [batch, numClasses]. */
  logits: tf.Tensor2D;
}

export interface ModelContext {
  /** Feature bins per frame (Mel bands or STFT bins). */
  inputBins: number;
  numClasses: number;
  seed: number;
  logger: Logger;
}

/**
 * A model. apply() maps a padded batch to embeddings and logits; padded frames are excluded by
 * the mask, never by cutting. State (weights and non-trainable statistics such as batch-norm
 * moving averages) round-trips through getState/setState for checkpoints.
 */
export interface Model {
  readonly id: string;
  readonly embeddingDim: number;
  /**
   * @param batch [batch, frames, bins] features, zero-padded at the end
   * @param mask [batch, frames], 1 for real frames and 0 for padding
   * @param training dropout and batch-norm statistics update only when true
   */
  apply(batch: tf.Tensor3D, mask: tf.Tensor2D, training: boolean): ModelOutput;
  /** Variables the optimiser updates (not batch-norm moving statistics, which are state only). */
  readonly trainableVariables: tf.Variable[];
  /**
   * Every weight and non-trainable statistic (batch-norm moving mean/variance, the dropout seed
   * counter) as plain arrays. Saving to disk is the trainer's job: its checkpoint holds getState().
   */
  getState(): StateDict;
  /** Restores getState()'s output (of an instance with the same config and context). */
  setState(state: StateDict): void;
  /** Frees every variable. */
  dispose(): void;
}

export type ModelDefinition<TConfig = any> = PluginDefinition<TConfig, ModelContext, Model>;

/** Declares a model plugin; `schema` describes its config keys (not `id`). */
export function defineModel<TConfig>(def: {
  id: string;
  description: string;
  schema: JsonSchema;
  create(config: TConfig, context: ModelContext): Model;
}): ModelDefinition<TConfig> {
  return def;
}
