import { Rng } from '@ser/core';
import type { StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import { assignFromState, tensorToState } from './state.js';

// Smooths the norms at zero, so cos stays finite for a zero embedding.
const NORM_EPSILON = 1e-12;

/**
 * The loss-owned classifier of the margin softmaxes (CosFace, ArcFace): W [embeddingDim, numClasses],
 * a trainable variable, glorot-uniform from the seed; cos(theta_ij) = z_i . W_j / (||z_i|| ||W_j||).
 */
export class CosineClassifier {
  readonly weights: tf.Variable<tf.Rank.R2>;

  constructor(options: { embeddingDim: number; numClasses: number; seed: number; label: string }) {
    const { embeddingDim: d, numClasses: k } = options;
    const rng = new Rng(options.seed).fork(options.label);
    const limit = Math.sqrt(6 / (d + k));
    const initial = tf.tensor2d(
      Array.from({ length: d * k }, () => (2 * rng.next() - 1) * limit),
      [d, k],
    );
    this.weights = tf.variable(initial, true) as tf.Variable<tf.Rank.R2>;
    initial.dispose(); // the variable holds its own reference
  }

  /** cos(theta) [batch, numClasses] between each embedding [batch, d] and each class weight column. */
  cosine(embeddings: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const z = tf.div(embeddings, tf.sqrt(tf.add(tf.sum(tf.square(embeddings), 1, true), NORM_EPSILON)));
      const w = tf.div(this.weights, tf.sqrt(tf.add(tf.sum(tf.square(this.weights), 0, true), NORM_EPSILON)));
      return tf.matMul(z, w) as tf.Tensor2D;
    });
  }

  getState(): StateDict {
    return { weights: tensorToState(this.weights) };
  }

  setState(state: StateDict, owner: string): void {
    assignFromState(this.weights, state, 'weights', owner);
  }

  dispose(): void {
    this.weights.dispose();
  }
}
