import { tf } from '@ser/engine';
import { checkClassWeights, checkLossInputs, CosineClassifier, defineLoss, softmaxCrossEntropy, softmaxOptionsSchema } from '@ser/loss-core';
import type { SoftmaxOptions } from '@ser/loss-core';

export interface CosfaceLossConfig extends SoftmaxOptions {
  /** s: the scale of the cosine logits. */
  scale: number;
  /** m: the additive cosine margin subtracted from the target class. */
  margin: number;
}

/**
 * CosFace / additive margin softmax (Wang et al., "CosFace: large margin cosine loss for deep face
 * recognition", CVPR 2018): L = -1/N sum_i log( e^{s (cos theta_{y_i} - m)} / (e^{s (cos theta_{y_i} - m)} + sum_{j != y_i} e^{s cos theta_j}) ),
 * cos theta_j = z . W_j / (||z|| ||W_j||) with the loss' own W [embeddingDim, numClasses] (a
 * trainable variable); the model's logits are not used. scores() = s * cos theta. Terms: { cosface }.
 */
export const cosfaceLoss = defineLoss<CosfaceLossConfig>({
  id: 'cosface',
  description: 'Additive (cosine) margin softmax on a normalised classifier owned by the loss (CosFace, Wang et al., CVPR 2018).',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      scale: { description: 's: scale of the cosine logits (the paper used 64).', type: 'number', exclusiveMinimum: 0, default: 64 },
      margin: {
        description: 'm: cosine margin subtracted from the target class, s * (cos theta_y - m) (the paper used 0.35).',
        type: 'number',
        minimum: 0,
        default: 0.35,
      },
      ...softmaxOptionsSchema,
    },
  },
  create(config, context) {
    checkClassWeights('cosface', 'classWeights', config.classWeights, context.numClasses);
    const classifier = new CosineClassifier({ ...context, label: 'cosface' });
    return {
      id: 'cosface',
      trainableVariables: [classifier.weights],
      compute(inputs) {
        checkLossInputs('cosface', inputs, context);
        return tf.tidy(() => {
          const cos = classifier.cosine(inputs.embeddings);
          const target = tf.oneHot(inputs.labels, context.numClasses).toFloat();
          const logits = tf.mul(config.scale, tf.sub(cos, tf.mul(target, config.margin))) as tf.Tensor2D;
          const cosface = softmaxCrossEntropy(logits, inputs.labels, config);
          return { total: cosface, terms: { cosface } };
        });
      },
      scores: (embeddings) => tf.tidy(() => tf.mul(config.scale, classifier.cosine(embeddings)) as tf.Tensor2D),
      getState: () => classifier.getState(),
      setState: (state) => classifier.setState(state, "loss 'cosface'"),
      dispose: () => classifier.dispose(),
    };
  },
});
