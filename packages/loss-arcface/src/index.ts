export { arcfaceLoss, arcMargin } from './arcface-loss.js';
export type { ArcfaceLossConfig } from './arcface-loss.js';
