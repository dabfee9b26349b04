import type { JsonSchema, StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import { assignFromState, tensorToState } from './state.js';

/** How class centers move: Wen et al.'s alpha rule after each step, or the optimiser by gradient. */
export type CenterUpdate = 'alpha-rule' | 'gradient';

/** Options shared by the center-based losses (center, island, contrastive-center, triplet-center). */
export interface CenterOptions {
  /** Weight of the center-based term in the total loss. */
  lambda: number;
  /** Center learning rate of the alpha rule, in [0, 1]; unused when centerUpdate is 'gradient'. */
  alpha: number;
  centerUpdate: CenterUpdate;
}

/** JSON Schema properties for CenterOptions, with the given default lambda. */
export function centerOptionsSchema(defaults: { lambda: number; alpha?: number; centerUpdate?: CenterUpdate }): Record<string, JsonSchema> {
  return {
    lambda: {
      description: 'lambda: weight of the center-based term; total = softmax + lambda * term. 0 reduces the loss to softmax cross-entropy.',
      type: 'number',
      minimum: 0,
      default: defaults.lambda,
    },
    alpha: {
      description:
        "alpha: center learning rate of Wen et al.'s rule c_j <- c_j - alpha * sum_{i: y_i=j} (c_j - z_i) / (1 + n_j), applied after each step. 0 freezes the centers. Unused when centerUpdate is 'gradient'.",
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: defaults.alpha ?? 0.5,
    },
    centerUpdate: {
      description:
        "'alpha-rule': centers are state, moved after each step by the alpha rule (outside the gradient). 'gradient': centers are trainable variables learnt by the optimiser with the model (alpha unused).",
      enum: ['alpha-rule', 'gradient'],
      default: defaults.centerUpdate ?? 'alpha-rule',
    },
  };
}

/**
 * The class centers c [numClasses, embeddingDim], initialised to zeros (Wen et al.), either a
 * trainable variable ('gradient') or state moved by the alpha rule ('alpha-rule').
 */
export class CenterBank {
  readonly variable: tf.Variable<tf.Rank.R2>;
  readonly learnedByGradient: boolean;

  constructor(options: { numClasses: number; embeddingDim: number; update: CenterUpdate }) {
    this.learnedByGradient = options.update === 'gradient';
    const zeros = tf.zeros([options.numClasses, options.embeddingDim]);
    this.variable = tf.variable(zeros, this.learnedByGradient) as tf.Variable<tf.Rank.R2>;
    zeros.dispose(); // the variable holds its own reference to the data
  }

  /** The trainable variables this bank contributes ([] under the alpha rule). */
  get trainableVariables(): tf.Variable[] {
    return this.learnedByGradient ? [this.variable] : [];
  }

  /** c_{y_i} for each example: [batch, embeddingDim]. */
  centersOf(labels: tf.Tensor1D): tf.Tensor2D {
    return tf.gather(this.variable, labels);
  }

  /** Squared distances ||z_i - c_j||^2 to every center: [batch, numClasses]. */
  squaredDistances(embeddings: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      // explicit differences rather than |z|^2 - 2 z.c + |c|^2: exact zeros when z = c, no negative round-off
      const diff = tf.sub(tf.expandDims(embeddings, 1), tf.expandDims(this.variable, 0));
      return tf.sum(tf.square(diff), 2) as tf.Tensor2D;
    });
  }

  /**
   * Wen et al.'s alpha rule: c_j <- c_j - alpha * (delta_j + extra_j) with
   * delta_j = sum_{i: y_i=j} (c_j - z_i) / (1 + n_j), n_j the count of class j in the batch.
   * Runs outside the gradient; embeddings are the step's (detached) values.
   * @param extraDelta [numClasses, embeddingDim] added to delta (the island term's part), optional
   */
  applyAlphaRule(embeddings: tf.Tensor2D, labels: tf.Tensor1D, alpha: number, extraDelta?: tf.Tensor2D): void {
    tf.tidy(() => {
      const numClasses = this.variable.shape[0];
      const onehot = tf.oneHot(labels, numClasses).toFloat(); // [batch, K]
      const counts = tf.sum(onehot, 0); // [K]
      const diff = tf.sub(tf.gather(this.variable, labels), embeddings); // [batch, d]: c_{y_i} - z_i
      const summed = tf.matMul(onehot, diff, true, false); // [K, d]
      let delta: tf.Tensor = tf.div(summed, tf.expandDims(tf.add(counts, 1), 1));
      if (extraDelta) delta = tf.add(delta, extraDelta);
      this.variable.assign(tf.sub(this.variable, tf.mul(delta, alpha)) as tf.Tensor2D);
    });
  }

  /** A copy of the centers, owned by the caller. */
  snapshot(): tf.Tensor2D {
    return this.variable.clone();
  }

  getState(): StateDict {
    return { centers: tensorToState(this.variable) };
  }

  setState(state: StateDict, owner: string): void {
    assignFromState(this.variable, state, 'centers', owner);
  }

  dispose(): void {
    this.variable.dispose();
  }
}
