export { focalLoss } from './focal-loss.js';
export type { FocalLossConfig } from './focal-loss.js';
