import { tf } from '@ser/engine';
import { checkClassWeights, checkLossInputs, defineLoss, weightedMean } from '@ser/loss-core';

export interface FocalLossConfig {
  /** gamma: the focusing exponent; 0 gives cross-entropy. */
  gamma: number;
  /** Per-class weights alpha_c, or null for none. */
  alpha: number[] | null;
}

// Floor of 1 - p_t inside the power, so gamma < 1 keeps a finite gradient at p_t = 1.
const ONE_MINUS_P_FLOOR = 1e-7;

/**
 * Focal loss (Lin et al., "Focal loss for dense object detection", ICCV 2017), multi-class:
 * FL_i = -alpha_{y_i} (1 - p_t)^gamma log p_t with p_t = softmax(logits_i)_{y_i}; the batch value is
 * sum_i FL_i / sum_i alpha_{y_i} (the mean when alpha is null). Terms: { focal }.
 */
export const focalLoss = defineLoss<FocalLossConfig>({
  id: 'focal',
  description: 'Focal loss on the model logits (Lin et al., ICCV 2017): cross-entropy down-weighted on well-classified examples.',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      gamma: { description: 'gamma: focusing exponent of (1 - p_t)^gamma; 0 gives cross-entropy (the paper used 2).', type: 'number', minimum: 0, default: 2 },
      alpha: {
        description: 'Per-class weights alpha_c (one per class, in class order), or null for none; the batch value is sum_i FL_i / sum_i alpha_{y_i}.',
        anyOf: [{ type: 'array', items: { type: 'number', minimum: 0 }, minItems: 1 }, { type: 'null' }],
        default: null,
      },
    },
  },
  create(config, context) {
    checkClassWeights('focal', 'alpha', config.alpha, context.numClasses);
    return {
      id: 'focal',
      trainableVariables: [],
      compute(inputs) {
        checkLossInputs('focal', inputs, context);
        return tf.tidy(() => {
          const target = tf.oneHot(inputs.labels, context.numClasses).toFloat();
          const logPt = tf.sum(tf.mul(target, tf.logSoftmax(inputs.logits)), 1);
          const modulating = config.gamma === 0 ? tf.onesLike(logPt) : tf.pow(tf.maximum(tf.sub(1, tf.exp(logPt)), ONE_MINUS_P_FLOOR), config.gamma);
          const focal = weightedMean(tf.neg(tf.mul(modulating, logPt)), inputs.labels, config.alpha);
          return { total: focal, terms: { focal } };
        });
      },
      getState: () => ({}),
      setState: () => {},
      dispose: () => {},
    };
  },
});
