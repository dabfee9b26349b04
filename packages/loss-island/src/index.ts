export { islandLoss, islandPairTerm } from './island-loss.js';
export type { IslandLossConfig } from './island-loss.js';
