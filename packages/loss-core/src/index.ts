export { defineLoss } from './loss.js';
export type { Loss, LossContext, LossDefinition, LossInputs, LossOutput } from './loss.js';
