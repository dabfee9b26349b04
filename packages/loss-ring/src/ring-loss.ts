import { tf } from '@ser/engine';
import { checkClassWeights, checkLossInputs, defineLoss, softmaxCrossEntropy, softmaxOptionsSchema } from '@ser/loss-core';
import type { SoftmaxOptions } from '@ser/loss-core';

export interface RingLossConfig extends SoftmaxOptions {
  /** lambda: weight of the ring term in the total. */
  lambda: number;
  /** R: the target embedding norm (fixed here; the paper learns it). */
  radius: number;
}

/**
 * Ring loss (Zheng, Pal, Savvides, "Ring loss: Convex feature normalization for face recognition",
 * CVPR 2018): L = L_softmax + lambda * L_ring, L_ring = 1/2 * mean_i (||z_i||_2 - R)^2 over the
 * batch, z_i = embeddings[i] [embeddingDim]. The paper learns R jointly; this variant fixes
 * R = `radius`. Terms: { softmax, ring }.
 */
export const ringLoss = defineLoss<RingLossConfig>({
  id: 'ring',
  description: 'Ring loss (Zheng et al., CVPR 2018): softmax plus a penalty pulling each embedding norm to a radius R.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lambda: {
        description: 'lambda: weight of the ring term; total = softmax + lambda * term. 0 reduces it to softmax.',
        type: 'number',
        minimum: 0,
        default: 0.01,
      },
      radius: {
        description: 'R: the target L2 norm of each embedding (fixed here; Zheng et al. learn R jointly with the network).',
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    checkClassWeights('ring', 'classWeights', config.classWeights, context.numClasses);
    return {
      id: 'ring',
      trainableVariables: [],
      compute(inputs) {
        checkLossInputs('ring', inputs, context);
        return tf.tidy(() => {
          const softmax = softmaxCrossEntropy(inputs.logits, inputs.labels, config);
          // ||z_i|| smoothed by 1e-12 inside the root, so the gradient stays finite at z = 0
          const norms = tf.sqrt(tf.add(tf.sum(tf.square(inputs.embeddings), 1), 1e-12));
          const ring = tf.mul(0.5, tf.mean(tf.square(tf.sub(norms, config.radius)))) as tf.Scalar;
          const total = tf.add(softmax, tf.mul(config.lambda, ring)) as tf.Scalar;
          return { total, terms: { softmax, ring } };
        });
      },
      getState: () => ({}),
      setState: () => {},
      dispose: () => {},
    };
  },
});
