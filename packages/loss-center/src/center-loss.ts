import { tf } from '@ser/engine';
import { centerOptionsSchema, createCenterFamilyLoss, defineLoss, softmaxOptionsSchema } from '@ser/loss-core';
import type { CenterOptions, SoftmaxOptions } from '@ser/loss-core';

export type CenterLossConfig = CenterOptions & SoftmaxOptions;

/**
 * Center loss (Wen et al., "A discriminative feature learning approach for deep face recognition",
 * ECCV 2016): L = L_softmax + lambda * L_c, L_c = 1/2 * mean_i ||z_i - c_{y_i}||^2, centers
 * c [numClasses, embeddingDim] start at zero and move after each step by
 * c_j <- c_j - alpha * sum_{i: y_i=j} (c_j - z_i) / (1 + n_j) (centerUpdate 'alpha-rule'), or are
 * learnt by the optimiser (centerUpdate 'gradient'). Terms: { softmax, center }.
 */
export const centerLoss = defineLoss<CenterLossConfig>({
  id: 'center',
  description: 'Softmax cross-entropy plus lambda times the center loss of Wen et al. (ECCV 2016), centers moved by the alpha rule or learnt by gradient.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { ...centerOptionsSchema({ lambda: 0.01, alpha: 0.5 }), ...softmaxOptionsSchema },
  },
  create(config, context) {
    return createCenterFamilyLoss('center', config, context, (inputs, bank) => {
      const center = tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(inputs.embeddings, bank.centersOf(inputs.labels))), 1))) as tf.Scalar;
      return { value: center, terms: { center } };
    });
  },
});
