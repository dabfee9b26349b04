import type { JsonSchema, Logger, PluginDefinition, StateDict } from '@ser/core';
import type { tf } from '@ser/engine';

/** What a loss sees for one batch. */
export interface LossInputs {
  /** The model's feature z: [batch, embeddingDim]. */
  embeddings: tf.Tensor2D;
  /** The model's output layer: [batch, numClasses]. */
  logits: tf.Tensor2D;
  /** Class indices, int32: [batch]. */
  labels: tf.Tensor1D;
}

/** A loss value and its named parts (logged per epoch, e.g. { softmax, center }). */
export interface LossOutput {
  /** The scalar that is minimised. */
  total: tf.Scalar;
  /** Named terms, unweighted as the paper writes them (total = softmax + lambda * center). */
  terms: Record<string, tf.Scalar>;
}

export interface LossContext {
  numClasses: number;
  embeddingDim: number;
  seed: number;
  logger: Logger;
}

/**
 * A loss. compute() runs inside the gradient tape: it must be differentiable in the embeddings,
 * the logits and its own trainableVariables. afterStep() is the non-gradient update applied once
 * after each optimiser step (Wen's alpha rule for the centers). Its state goes into checkpoints.
 */
export interface Loss {
  readonly id: string;
  compute(inputs: LossInputs): LossOutput;
  /** Variables the optimiser updates with the model's (e.g. centers learnt by gradient, a cosine classifier). */
  readonly trainableVariables: tf.Variable[];
  /** Class scores used for prediction; the model's logits unless the loss has its own classifier (CosFace, ArcFace). */
  scores?(embeddings: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor2D;
  /** Non-gradient state update after an optimiser step; runs outside the tape. */
  afterStep?(inputs: { embeddings: tf.Tensor2D; labels: tf.Tensor1D }): void;
  /**
   * Class centers [numClasses, embeddingDim] if the loss keeps them (for drift statistics and plots).
   * The tensor is a copy owned by the caller (dispose it, or call inside tf.tidy).
   */
  centers?(): tf.Tensor2D | undefined;
  /** Plain state for checkpoints (the centers, the classifier weights); the trainer writes it to disk. */
  getState(): StateDict;
  /** Restores getState()'s output (of an instance with the same config and context). */
  setState(state: StateDict): void;
  /** Frees the loss' variables. */
  dispose(): void;
}

export type LossDefinition<TConfig = any> = PluginDefinition<TConfig, LossContext, Loss>;

/** Declares a loss plugin; `schema` describes its config keys (not `id`). */
export function defineLoss<TConfig>(def: {
  id: string;
  description: string;
  schema: JsonSchema;
  create(config: TConfig, context: LossContext): Loss;
}): LossDefinition<TConfig> {
  return def;
}
