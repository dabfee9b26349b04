import { tf } from '@ser/engine';
import { checkLossInputs, defineLoss, softmaxCrossEntropy } from '@ser/loss-core';

export interface RingLossConfig {
  /** lambda: weight of the ring term in the total. */
  lambda: number;
  /** R: the target embedding norm (fixed here; the paper learns it). */
  radius: number;
}

/**
 * Ring loss: L = L_softmax + lambda * L_ring, L_ring = 1/2 * mean_i (||z_i||_2 - R)^2 over the batch,
 * z_i = embeddings[i] (Zheng, Pal, Savvides, "Ring loss: Convex feature normalization for face
 * recognition", CVPR 2018). The paper learns R jointly; this variant fixes R = `radius`.
 * Terms: { softmax, ring }.
 */
export const ringLoss = defineLoss<RingLossConfig>({
  id: 'ring',
  description: 'Ring loss (Zheng et al., CVPR 2018): softmax plus a penalty pulling each embedding norm to a radius R.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lambda: { description: 'lambda: weight of the ring term; total = softmax + lambda * term. 0 reduces it to softmax.', type: 'number', minimum: 0, default: 0.01 },
      radius: { description: 'R: the target L2 norm of each embedding (fixed here; Zheng et al. learn R jointly with the network).', type: 'number', exclusiveMinimum: 0, default: 1 },
    },
  },
  create(config, context) {
    return {
      id: 'ring',
      trainableVariables: [],
      compute(inputs) {
        checkLossInputs('ring', inputs, context);
        return tf.tidy(() => {
          const softmax = softmaxCrossEntropy(inputs.logits, inputs.labels);
          // inputs.embeddings [batch, embeddingDim], inputs.logits [batch, numClasses], inputs.labels int32 [batch]
          const term = tf.mul(0.5, tf.mean(tf.square(tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(inputs.embeddings), 1), 1e-12)), config.radius)))) as tf.Scalar; // 1/2 mean (||z|| - R)^2; the 1e-12 keeps the gradient finite at z = 0
          const total = tf.add(softmax, tf.mul(config.lambda, term)) as tf.Scalar;
          return { total, terms: { softmax, ring: term } };
        });
      },
      getState: () => ({}),
      setState: () => {},
      dispose: () => {},
    };
  },
});
