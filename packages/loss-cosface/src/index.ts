export { cosfaceLoss } from './cosface-loss.js';
export type { CosfaceLossConfig } from './cosface-loss.js';
