import { tf } from '@ser/engine';
import { centerOptionsSchema, createCenterFamilyLoss, defineLoss, softmaxOptionsSchema } from '@ser/loss-core';
import type { CenterOptions, SoftmaxOptions } from '@ser/loss-core';

export interface ContrastiveCenterLossConfig extends CenterOptions, SoftmaxOptions {
  /** delta: keeps the denominator away from 0. */
  delta: number;
}

/**
 * Contrastive-center loss (Qi & Su, "Contrastive-center loss for deep neural networks", ICIP 2017):
 * L = L_softmax + lambda * L_ct, L_ct = 1/2 * mean_i ||z_i - c_{y_i}||^2 / (sum_{j != y_i} ||z_i - c_j||^2 + delta)
 * (the paper sums over the batch; the mean keeps lambda independent of the batch size, as for
 * center loss). Centers start at zero; alpha rule or gradient as for center loss.
 * Terms: { softmax, contrastiveCenter }.
 */
export const contrastiveCenterLoss = defineLoss<ContrastiveCenterLossConfig>({
  id: 'contrastive-center',
  description: 'Softmax plus the contrastive-center loss of Qi & Su (ICIP 2017): distance to the own center over the summed distances to the other centers.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...centerOptionsSchema({ lambda: 0.01, alpha: 0.5 }),
      delta: {
        description: 'delta: added to the denominator sum_{j != y} ||z - c_j||^2 so it never reaches 0 (Qi & Su used 1).',
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    return createCenterFamilyLoss('contrastive-center', config, context, (inputs, bank) => {
      const d2 = bank.squaredDistances(inputs.embeddings); // [batch, K]
      const own = tf.oneHot(inputs.labels, context.numClasses).toFloat();
      const intra = tf.sum(tf.mul(d2, own), 1);
      const inter = tf.sum(tf.mul(d2, tf.sub(1, own)), 1);
      const contrastiveCenter = tf.mul(0.5, tf.mean(tf.div(intra, tf.add(inter, config.delta)))) as tf.Scalar;
      return { value: contrastiveCenter, terms: { contrastiveCenter } };
    });
  },
});
