import { tf } from '@ser/engine';
import { centerOptionsSchema, createCenterFamilyLoss, defineLoss, softmaxOptionsSchema } from '@ser/loss-core';
import type { CenterOptions, SoftmaxOptions } from '@ser/loss-core';

export interface IslandLossConfig extends CenterOptions, SoftmaxOptions {
  /** lambda1: weight of the pairwise center term inside the island loss. */
  lambda1: number;
}

// Smooths ||c|| at zero so the (zero-initialised) centers have a finite cosine and gradient.
const NORM_EPSILON = 1e-12;

/** sum over ordered pairs j != k of (cos(c_j, c_k) + 1). centers [K, d] -> scalar. */
export function islandPairTerm(centers: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const k = centers.shape[0];
    const unit = tf.div(centers, tf.sqrt(tf.add(tf.sum(tf.square(centers), 1, true), NORM_EPSILON)));
    const cos = tf.matMul(unit, unit, false, true);
    const offDiagonal = tf.sub(1, tf.eye(k));
    return tf.sum(tf.mul(tf.add(cos, 1), offDiagonal)) as tf.Scalar;
  });
}

/**
 * Island loss (Cai et al., "Island loss for learning discriminative features in facial expression
 * recognition", FG 2018): L = L_softmax + lambda * (L_c + lambda1 * sum_{j} sum_{k != j} (cos(c_j, c_k) + 1)),
 * L_c = 1/2 * mean_i ||z_i - c_{y_i}||^2 (center loss). Under the alpha rule the centers move by
 * c_j <- c_j - alpha * (delta_j + lambda1 / (K - 1) * sum_{k != j} d cos(c_k, c_j) / d c_j) as in the paper.
 * Terms: { softmax, center, island } (island = the pair sum, unweighted).
 */
export const islandLoss = defineLoss<IslandLossConfig>({
  id: 'island',
  description: 'Center loss plus a term pushing class centers apart by their pairwise cosine (Cai et al., FG 2018).',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...centerOptionsSchema({ lambda: 0.01, alpha: 0.5 }),
      lambda1: {
        description: 'lambda1: weight of the pair term sum_{j != k} (cos(c_j, c_k) + 1) inside the island loss (Cai et al. used 10).',
        type: 'number',
        minimum: 0,
        default: 10,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    const numClasses = context.numClasses;
    return createCenterFamilyLoss(
      'island',
      config,
      context,
      (inputs, bank) => {
        const center = tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(inputs.embeddings, bank.centersOf(inputs.labels))), 1))) as tf.Scalar;
        const island = islandPairTerm(bank.variable);
        return { value: tf.add(center, tf.mul(config.lambda1, island)) as tf.Scalar, terms: { center, island } };
      },
      // the ordered-pair sum counts each pair twice: half its gradient is sum_{k != j} d cos(c_k, c_j) / d c_j
      (bank) =>
        numClasses > 1
          ? (tf.mul(tf.grad((c: tf.Tensor) => islandPairTerm(c as tf.Tensor2D))(bank.variable), (0.5 * config.lambda1) / (numClasses - 1)) as tf.Tensor2D)
          : undefined,
    );
  },
});
