export { tripletCenterLoss } from './triplet-center-loss.js';
export type { TripletCenterLossConfig } from './triplet-center-loss.js';
