import { SerError } from '@ser/core';
import type { JsonSchema } from '@ser/core';
import { tf } from '@ser/engine';

/** Options shared by every loss with a softmax cross-entropy term. */
export interface SoftmaxOptions {
  /** Per-class weights w (length numClasses), or null for equal weights. */
  classWeights: number[] | null;
  /** Label smoothing epsilon in [0, 1): the target is (1 - eps) * onehot + eps / numClasses. */
  labelSmoothing: number;
}

/** JSON Schema properties for SoftmaxOptions; spread them into a loss' schema. */
export const softmaxOptionsSchema: Record<string, JsonSchema> = {
  classWeights: {
    description:
      'Per-class weights of the cross-entropy (one per class, in class order), or null for equal weights. The batch loss is sum_i w_{y_i} * CE_i / sum_i w_{y_i}.',
    anyOf: [{ type: 'array', items: { type: 'number', minimum: 0 }, minItems: 1 }, { type: 'null' }],
    default: null,
  },
  labelSmoothing: {
    description: 'Label smoothing epsilon: the target distribution is (1 - epsilon) * onehot + epsilon / numClasses. 0 = off.',
    type: 'number',
    minimum: 0,
    exclusiveMaximum: 1,
    default: 0,
  },
};

/** Checks classWeights against the number of classes (the schema cannot know it). */
export function checkClassWeights(lossId: string, field: string, weights: number[] | null | undefined, numClasses: number): void {
  if (weights == null) return;
  if (weights.length !== numClasses || weights.some((w) => !Number.isFinite(w) || w < 0) || weights.every((w) => w === 0)) {
    throw new SerError(
      'CONFIG_INVALID',
      `loss '${lossId}': ${field} must hold ${numClasses} finite non-negative weights (one per class, not all 0), got [${weights}]; fix loss.${field} in the experiment`,
      {
        details: { field, weights, numClasses },
      },
    );
  }
}

/**
 * Softmax cross-entropy averaged over the batch: CE_i = -sum_k t_ik log softmax(logits_i)_k, with
 * t the (optionally smoothed) one-hot target; weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i}
 * when classWeights is given.
 * @param logits [batch, numClasses]
 * @param labels int32 [batch]
 * @returns a scalar
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, options: Partial<SoftmaxOptions> = {}): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const eps = options.labelSmoothing ?? 0;
    let target: tf.Tensor = tf.oneHot(labels, numClasses).toFloat();
    if (eps > 0) target = target.mul(1 - eps).add(eps / numClasses);
    const perExample = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1));
    return weightedMean(perExample, labels, options.classWeights ?? null);
  });
}

/** sum_i w_{y_i} x_i / sum_i w_{y_i}, or the plain mean when weights is null. x: [batch]. */
export function weightedMean(perExample: tf.Tensor, labels: tf.Tensor1D, weights: number[] | null): tf.Scalar {
  return tf.tidy(() => {
    if (weights == null) return tf.mean(perExample) as tf.Scalar;
    const w = tf.gather(tf.tensor1d(weights, 'float32'), labels);
    // max(.., tiny): a batch made only of zero-weight classes contributes 0 instead of 0/0
    return tf.div(tf.sum(tf.mul(w, perExample)), tf.maximum(tf.sum(w), 1e-12)) as tf.Scalar;
  });
}
