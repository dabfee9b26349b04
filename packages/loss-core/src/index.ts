export { defineLoss } from './loss.js';
export type { Loss, LossContext, LossDefinition, LossInputs, LossOutput } from './loss.js';
export { checkLossInputs } from './check-inputs.js';
export { softmaxCrossEntropy, softmaxOptionsSchema, checkClassWeights, weightedMean } from './softmax-cross-entropy.js';
export type { SoftmaxOptions } from './softmax-cross-entropy.js';
export { CenterBank, centerOptionsSchema } from './center-bank.js';
export type { CenterOptions, CenterUpdate } from './center-bank.js';
export { tensorToState, stateToTensor, assignFromState } from './state.js';
export { CosineClassifier } from './cosine-classifier.js';
