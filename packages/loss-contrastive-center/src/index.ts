export { contrastiveCenterLoss } from './contrastive-center-loss.js';
export type { ContrastiveCenterLossConfig } from './contrastive-center-loss.js';
