import type { DatasetDefinition } from '@ser/dataset-core';
import { cremaD } from './crema-d.js';
import { emodb } from './emodb.js';
import { iemocap } from './iemocap.js';
import { manifest } from './manifest.js';
import { ravdess } from './ravdess.js';
import { synthetic } from './synthetic.js';

export { cremaD, CREMA_D_FACTS } from './crema-d.js';
export type { CremaDConfig } from './crema-d.js';
export { emodb, EMODB_FACTS } from './emodb.js';
export type { EmodbConfig } from './emodb.js';
export { iemocap, IEMOCAP_FACTS } from './iemocap.js';
export type { IemocapConfig } from './iemocap.js';
export { manifest } from './manifest.js';
export type { ManifestConfig } from './manifest.js';
export { ravdess, RAVDESS_FACTS } from './ravdess.js';
export type { RavdessConfig } from './ravdess.js';
export { synthetic, writeSyntheticCorpus, SYNTHETIC_VERSION } from './synthetic.js';
export type { SyntheticConfig } from './synthetic.js';
export { readWavInfo } from './wav-info.js';
export type { WavInfo } from './wav-info.js';

/** Every dataset plugin of this package, for the CLI's explicit plugin list. */
export const datasets: readonly DatasetDefinition[] = [iemocap, emodb, ravdess, cremaD, manifest, synthetic];
