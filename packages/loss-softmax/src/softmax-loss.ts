import { tf } from '@ser/engine';
import { checkClassWeights, checkLossInputs, defineLoss, softmaxCrossEntropy, softmaxOptionsSchema } from '@ser/loss-core';
import type { SoftmaxOptions } from '@ser/loss-core';

export type SoftmaxLossConfig = SoftmaxOptions;

/**
 * Softmax cross-entropy: L = -1/N sum_i log softmax(logits_i)_{y_i} (weighted by classWeights,
 * with optional label smoothing). The baseline every center-loss variant adds a term to.
 * Terms: { softmax }.
 */
export const softmaxLoss = defineLoss<SoftmaxLossConfig>({
  id: 'softmax',
  description: 'Softmax cross-entropy on the model logits, with optional class weights and label smoothing.',
  schema: { type: 'object', additionalProperties: false, properties: { ...softmaxOptionsSchema } },
  create(config, context) {
    checkClassWeights('softmax', 'classWeights', config.classWeights, context.numClasses);
    return {
      id: 'softmax',
      trainableVariables: [],
      compute(inputs) {
        checkLossInputs('softmax', inputs, context);
        return tf.tidy(() => {
          const ce = softmaxCrossEntropy(inputs.logits, inputs.labels, config);
          return { total: ce, terms: { softmax: ce } };
        });
      },
      getState: () => ({}),
      setState: () => {},
      dispose: () => {},
    };
  },
});
