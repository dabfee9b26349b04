// The explicit plugin list: every dataset, model and loss the CLI knows. Adding a loss package
// is one import and one entry in `losses` below (see docs/adding-a-loss.md).
import type { PluginRegistry } from '@ser/runner';
import { datasets } from '@ser/datasets';
import { cnnBirnnModel } from '@ser/model-cnn-birnn';
import { utteranceStatsModel } from '@ser/model-utterance-stats';
import { arcfaceLoss } from '@ser/loss-arcface';
import { centerLoss } from '@ser/loss-center';
import { contrastiveCenterLoss } from '@ser/loss-contrastive-center';
import { cosfaceLoss } from '@ser/loss-cosface';
import { focalLoss } from '@ser/loss-focal';
import { islandLoss } from '@ser/loss-island';
import { ringLoss } from '@ser/loss-ring';
import { softmaxLoss } from '@ser/loss-softmax';
import { tripletCenterLoss } from '@ser/loss-triplet-center';

export const plugins: PluginRegistry = {
  datasets,
  models: [cnnBirnnModel, utteranceStatsModel],
  losses: [softmaxLoss, centerLoss, islandLoss, contrastiveCenterLoss, tripletCenterLoss, cosfaceLoss, arcfaceLoss, focalLoss, ringLoss],
};
