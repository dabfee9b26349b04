export { cnnBirnnModel } from './cnn-birnn-model.js';
export { cnnBirnnSchema } from './config.js';
export type { CnnBirnnConfig, ConvLayerConfig, RnnConfig } from './config.js';
export type { TimePooling } from './internal/time-pooling.js';
