import { tf } from '@ser/engine';
import { centerOptionsSchema, createCenterFamilyLoss, defineLoss, softmaxOptionsSchema } from '@ser/loss-core';
import type { CenterOptions, SoftmaxOptions } from '@ser/loss-core';

export interface TripletCenterLossConfig extends CenterOptions, SoftmaxOptions {
  /** m: the margin between the own center's distance and the nearest other center's. */
  margin: number;
}

// Inside the square root, so the distance has a finite gradient where z sits on a center.
const DISTANCE_EPSILON = 1e-12;
// Added to the own class' distance before the min over the other classes.
const EXCLUDED = 1e9;

/**
 * Triplet-center loss (He et al., "Triplet-center loss for multi-view 3D object retrieval", CVPR 2018):
 * L = L_softmax + lambda * L_tc, L_tc = mean_i max(0, ||z_i - c_{y_i}|| + m - min_{j != y_i} ||z_i - c_j||)
 * (the paper sums over the batch). Centers start at zero; alpha rule or gradient as for center loss.
 * Terms: { softmax, tripletCenter }.
 */
export const tripletCenterLoss = defineLoss<TripletCenterLossConfig>({
  id: 'triplet-center',
  description: 'Softmax plus the triplet-center loss of He et al. (CVPR 2018): the own center nearer by a margin than the nearest other center.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...centerOptionsSchema({ lambda: 0.01, alpha: 0.5 }),
      margin: {
        description: 'm: required gap between min_{j != y} ||z - c_j|| and ||z - c_y|| (in embedding units; He et al. used 5).',
        type: 'number',
        minimum: 0,
        default: 5,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    return createCenterFamilyLoss('triplet-center', config, context, (inputs, bank) => {
      const distance = tf.sqrt(tf.add(bank.squaredDistances(inputs.embeddings), DISTANCE_EPSILON)); // [batch, K]
      const own = tf.oneHot(inputs.labels, context.numClasses).toFloat();
      const positive = tf.sum(tf.mul(distance, own), 1);
      const nearestOther = tf.min(tf.add(distance, tf.mul(own, EXCLUDED)), 1);
      const tripletCenter = tf.mean(tf.relu(tf.add(tf.sub(positive, nearestOther), config.margin))) as tf.Scalar;
      return { value: tripletCenter, terms: { tripletCenter } };
    });
  },
});
