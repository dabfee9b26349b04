import { tf } from '@ser/engine';
import { CenterBank, type CenterOptions } from './center-bank.js';
import { checkLossInputs } from './check-inputs.js';
import type { Loss, LossContext, LossInputs } from './loss.js';
import { checkClassWeights, softmaxCrossEntropy, type SoftmaxOptions } from './softmax-cross-entropy.js';

/** What a center-family loss adds to softmax: the term weighted by lambda, and the named terms to log. */
export interface CenterFamilyTerm {
  /** total = softmax + lambda * value */
  value: tf.Scalar;
  /** Logged beside `softmax` (e.g. { center } or { center, island }). */
  terms: Record<string, tf.Scalar>;
}

/**
 * The plumbing every center-based loss shares (center, island, contrastive-center,
 * triplet-center): input checks, softmax cross-entropy, a CenterBank of [numClasses,
 * embeddingDim] centers moved by the alpha rule after each step (or learnt by gradient), and
 * their state. `term` is the loss's own formula; `alphaRuleExtra` an optional extra center
 * gradient the alpha rule applies (island loss's pair term).
 */
export function createCenterFamilyLoss(
  id: string,
  config: CenterOptions & SoftmaxOptions,
  context: LossContext,
  term: (inputs: LossInputs, bank: CenterBank) => CenterFamilyTerm,
  alphaRuleExtra?: (bank: CenterBank) => tf.Tensor2D | undefined,
): Loss {
  checkClassWeights(id, 'classWeights', config.classWeights, context.numClasses);
  const bank = new CenterBank({ numClasses: context.numClasses, embeddingDim: context.embeddingDim, update: config.centerUpdate });
  return {
    id,
    get trainableVariables() {
      return bank.trainableVariables;
    },
    compute(inputs) {
      checkLossInputs(id, inputs, context);
      return tf.tidy(() => {
        const softmax = softmaxCrossEntropy(inputs.logits, inputs.labels, config);
        const own = term(inputs, bank);
        const total = tf.add(softmax, tf.mul(config.lambda, own.value)) as tf.Scalar;
        return { total, terms: { softmax, ...own.terms } };
      });
    },
    afterStep({ embeddings, labels }) {
      if (config.centerUpdate !== 'alpha-rule') return;
      tf.tidy(() => bank.applyAlphaRule(embeddings, labels, config.alpha, alphaRuleExtra?.(bank)));
    },
    centers: () => bank.snapshot(),
    getState: () => bank.getState(),
    setState: (state) => bank.setState(state, `loss '${id}'`),
    dispose: () => bank.dispose(),
  };
}
