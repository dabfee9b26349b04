import { tf } from '@ser/engine';
import { checkClassWeights, checkLossInputs, CosineClassifier, defineLoss, softmaxCrossEntropy, softmaxOptionsSchema } from '@ser/loss-core';
import type { SoftmaxOptions } from '@ser/loss-core';

export interface ArcfaceLossConfig extends SoftmaxOptions {
  /** s: the scale of the cosine logits. */
  scale: number;
  /** m: the additive angular margin in radians. */
  margin: number;
  /** Apply the margin only where cos theta > 0 (else the threshold rule). */
  easyMargin: boolean;
}

// Keeps sin theta = sqrt(1 - cos^2) away from sqrt(0), whose gradient is infinite.
const COS_LIMIT = 1 - 1e-6;

/**
 * The target logit of ArcFace: cos(theta + m) = cos theta cos m - sin theta sin m where theta + m
 * stays in [0, pi]; beyond (cos theta <= cos(pi - m)) the monotonic fallback cos theta - m sin m
 * (the paper's implementation), or with easyMargin the margin only where cos theta > 0.
 * cos [batch, K] -> [batch, K] (applied elementwise; the caller picks the target column).
 */
export function arcMargin(cos: tf.Tensor2D, margin: number, easyMargin: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const c = tf.clipByValue(cos, -COS_LIMIT, COS_LIMIT);
    const sin = tf.sqrt(tf.sub(1, tf.square(c)));
    const shifted = tf.sub(tf.mul(c, Math.cos(margin)), tf.mul(sin, Math.sin(margin)));
    // step() rather than where(greater()): tfjs has no gradient for Greater, and step's is zero
    const threshold = easyMargin ? 0 : Math.cos(Math.PI - margin);
    const fallback = easyMargin ? c : tf.sub(c, Math.sin(Math.PI - margin) * margin);
    const inside = tf.step(tf.sub(c, threshold));
    return tf.add(tf.mul(inside, shifted), tf.mul(tf.sub(1, inside), fallback)) as tf.Tensor2D;
  });
}

/**
 * ArcFace / additive angular margin (Deng et al., "ArcFace: additive angular margin loss for deep
 * face recognition", CVPR 2019): L = -1/N sum_i log( e^{s cos(theta_{y_i} + m)} / (e^{s cos(theta_{y_i} + m)} + sum_{j != y_i} e^{s cos theta_j}) ),
 * theta_j the angle between z and the loss' own class weight W_j (W [embeddingDim, numClasses],
 * trainable); see arcMargin for the threshold / easy-margin handling. The model's logits are not
 * used. scores() = s * cos theta. Terms: { arcface }.
 */
export const arcfaceLoss = defineLoss<ArcfaceLossConfig>({
  id: 'arcface',
  description: 'Additive angular margin softmax on a normalised classifier owned by the loss (ArcFace, Deng et al., CVPR 2019).',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      scale: { description: 's: scale of the cosine logits (the paper used 64).', type: 'number', exclusiveMinimum: 0, default: 64 },
      margin: {
        description: 'm: angular margin in radians added to the target angle, s * cos(theta_y + m) (the paper used 0.5).',
        type: 'number',
        minimum: 0,
        exclusiveMaximum: 1.5707963267948966,
        default: 0.5,
      },
      easyMargin: {
        description: "true: the margin only where cos theta > 0; false: where theta + m <= pi, else cos theta - m sin m (the paper's implementation).",
        type: 'boolean',
        default: false,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    checkClassWeights('arcface', 'classWeights', config.classWeights, context.numClasses);
    const classifier = new CosineClassifier({ ...context, label: 'arcface' });
    return {
      id: 'arcface',
      trainableVariables: [classifier.weights],
      compute(inputs) {
        checkLossInputs('arcface', inputs, context);
        return tf.tidy(() => {
          const cos = classifier.cosine(inputs.embeddings);
          const target = tf.oneHot(inputs.labels, context.numClasses).toFloat();
          const withMargin = arcMargin(cos, config.margin, config.easyMargin);
          const logits = tf.mul(config.scale, tf.add(tf.mul(target, withMargin), tf.mul(tf.sub(1, target), cos))) as tf.Tensor2D;
          const arcface = softmaxCrossEntropy(logits, inputs.labels, config);
          return { total: arcface, terms: { arcface } };
        });
      },
      scores: (embeddings) => tf.tidy(() => tf.mul(config.scale, classifier.cosine(embeddings)) as tf.Tensor2D),
      getState: () => classifier.getState(),
      setState: (state) => classifier.setState(state, "loss 'arcface'"),
      dispose: () => classifier.dispose(),
    };
  },
});
