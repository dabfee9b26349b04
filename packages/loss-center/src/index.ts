export { centerLoss } from './center-loss.js';
export type { CenterLossConfig } from './center-loss.js';
