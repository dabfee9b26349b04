export { softmaxLoss } from './softmax-loss.js';
export type { SoftmaxLossConfig } from './softmax-loss.js';
