// Small plugin schemas for the tests (the real ones live in the plugin packages, which config
// must not depend on). Shaped like the real plugins: a synthetic dataset, a tiny model, two losses.
import type { PluginSchemas } from './types.js';

export const testPlugins: PluginSchemas = {
  datasets: [
    {
      id: 'synthetic',
      description: 'Synthetic corpus rendered on first use.',
      schema: {
        type: 'object',
        properties: {
          speakers: { type: 'integer', minimum: 2, default: 6 },
          utterancesPerSpeaker: { type: 'integer', minimum: 1, default: 8 },
          classes: { type: 'array', items: { type: 'string' }, minItems: 2, default: ['neutral', 'happy', 'angry', 'sad'] },
        },
      },
    },
    {
      id: 'emodb',
      description: 'Berlin Database of Emotional Speech.',
      schema: { type: 'object', required: ['path'], properties: { path: { type: 'string', minLength: 1 } } },
    },
  ],
  models: [
    {
      id: 'cnn-birnn',
      description: 'CNN + bidirectional RNN (Dai et al. 2019).',
      schema: {
        type: 'object',
        properties: {
          convs: {
            type: 'array',
            default: [{ filters: 8, kernel: [3, 3] }],
            items: {
              type: 'object',
              properties: {
                filters: { type: 'integer', minimum: 1 },
                kernel: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
              },
              required: ['filters'],
            },
          },
          rnn: {
            type: 'object',
            default: {},
            properties: {
              cell: { type: 'string', enum: ['lstm', 'gru'], default: 'lstm' },
              units: { type: 'integer', minimum: 1, default: 16 },
            },
          },
          embeddingDim: { type: 'integer', minimum: 1, default: 32 },
          dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.3 },
        },
      },
    },
  ],
  losses: [
    { id: 'softmax', description: 'Softmax cross-entropy.', schema: { type: 'object', properties: {} } },
    {
      id: 'center',
      description: 'Softmax + lambda * center loss (Wen et al. 2016).',
      schema: {
        type: 'object',
        properties: {
          lambda: { type: 'number', minimum: 0, default: 0.01 },
          alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        },
      },
    },
    {
      id: 'cosface',
      description: 'Large-margin cosine loss.',
      schema: { type: 'object', required: ['margin'], properties: { margin: { type: 'number', minimum: 0 }, scale: { type: 'number', default: 30 } } },
    },
  ],
};
