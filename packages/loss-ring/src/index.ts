export { ringLoss } from './ring-loss.js';
export type { RingLossConfig } from './ring-loss.js';
