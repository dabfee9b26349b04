import type { JsonSchema } from '@ser/core';
import type { TimePooling } from './internal/time-pooling.js';

/** One 2-D convolution block over [time, freq]: conv -> batch norm (optional) -> ReLU -> pooling -> dropout. */
export interface ConvLayerConfig {
  /** Output channels. */
  filters: number;
  /** Kernel [time, freq]; zero padding keeps ceil(len / stride) outputs ('same'). */
  kernel: [number, number];
  /** Stride [time, freq]. */
  stride: [number, number];
  /** Non-overlapping pooling [time, freq] (stride = size, partial windows dropped); 'none' skips it. */
  pooling: { type: 'max' | 'avg' | 'none'; size: [number, number] };
  batchNorm: boolean;
  /** Dropout rate after the block (training only). */
  dropout: number;
}

export interface RnnConfig {
  cell: 'lstm' | 'gru';
  /** Hidden units per direction. */
  units: number;
  layers: number;
  bidirectional: boolean;
  /** Dropout rate on each recurrent layer's output (training only). */
  dropout: number;
}

/** The cnn-birnn model config (YAML key `model`, without `id`). */
export interface CnnBirnnConfig {
  conv: ConvLayerConfig[];
  rnn: RnnConfig;
  pooling: TimePooling;
  /** Hidden size A of the attention scorer (pooling 'attention' only). */
  attentionUnits: number;
  /** d, the size of the feature z that center loss acts on. */
  embeddingDim: number;
  embeddingActivation: 'relu' | 'tanh' | 'linear';
  /** Dropout rate on z before the output layer (training only; the returned embeddings are not dropped). */
  embeddingDropout: number;
}

const pair = (description: string, dflt: [number, number]): JsonSchema => ({
  description,
  type: 'array',
  items: { type: 'integer', minimum: 1 },
  minItems: 2,
  maxItems: 2,
  default: dflt,
});

const convLayerSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['filters'],
  properties: {
    filters: { description: 'Output channels of the convolution.', type: 'integer', minimum: 1 },
    kernel: pair('Kernel size [time, freq].', [3, 3]),
    stride: pair('Convolution stride [time, freq]; zero padding keeps ceil(length / stride) outputs.', [1, 1]),
    pooling: {
      description: 'Non-overlapping pooling after the activation: type max, avg or none, size [time, freq] (stride = size, partial windows dropped).',
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { description: 'max, avg or none.', enum: ['max', 'avg', 'none'], default: 'max' },
        size: pair('Pooling window [time, freq].', [2, 2]),
      },
      default: { type: 'max', size: [2, 2] },
    },
    batchNorm: { description: 'Batch normalisation after the convolution (statistics over real frames only).', type: 'boolean', default: false },
    dropout: { description: 'Dropout rate after the block, training only.', type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
  },
};

/**
 * JSON Schema of CnnBirnnConfig. Defaults are the paper's shape (Dai et al., ICASSP 2019, as
 * sized in shared/bench): conv 16 x 5x5 + max-pool 2x2, conv 32 x 3x3 + max-pool 2x2, BiLSTM 128
 * units per direction, mean over time, dense 256 + ReLU (z), dense numClasses (logits).
 */
export const cnnBirnnSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    conv: {
      description: 'The convolution blocks over the spectrogram [time, freq] (NHWC, one input channel), in order.',
      type: 'array',
      minItems: 1,
      items: convLayerSchema,
      default: [
        { filters: 16, kernel: [5, 5], stride: [1, 1], pooling: { type: 'max', size: [2, 2] }, batchNorm: false, dropout: 0 },
        { filters: 32, kernel: [3, 3], stride: [1, 1], pooling: { type: 'max', size: [2, 2] }, batchNorm: false, dropout: 0 },
      ],
    },
    rnn: {
      description:
        "The recurrent layers over the conv output as a time sequence (features = filters * reduced bins), the engine's fused cells (sigmoid gates).",
      type: 'object',
      additionalProperties: false,
      properties: {
        cell: { description: 'lstm or gru.', enum: ['lstm', 'gru'], default: 'lstm' },
        units: { description: 'Hidden units per direction.', type: 'integer', minimum: 1, default: 128 },
        layers: { description: 'Stacked recurrent layers.', type: 'integer', minimum: 1, default: 1 },
        bidirectional: { description: 'A forward and a backward pass, outputs concatenated (2 * units).', type: 'boolean', default: true },
        dropout: { description: "Dropout rate on each recurrent layer's output, training only.", type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
      },
      default: { cell: 'lstm', units: 128, layers: 1, bidirectional: true, dropout: 0 },
    },
    pooling: {
      description:
        'Pooling over real frames (the mask, downsampled like the conv time axis): mean, max, last (bidirectional: forward at the last frame, backward at the first) or attention.',
      enum: ['mean', 'max', 'last', 'attention'],
      default: 'mean',
    },
    attentionUnits: { description: "Hidden size of the additive attention scorer (pooling 'attention' only).", type: 'integer', minimum: 1, default: 64 },
    embeddingDim: { description: 'd: size of the fully connected feature z that center loss acts on.', type: 'integer', minimum: 1, default: 256 },
    embeddingActivation: { description: 'Activation of the embedding layer: relu, tanh or linear.', enum: ['relu', 'tanh', 'linear'], default: 'relu' },
    embeddingDropout: {
      description: 'Dropout rate on z before the output layer, training only (the returned embeddings are not dropped).',
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0,
    },
  },
};
