// The core part of the experiment schema: every key that is not a plugin's own. Defaults here are
// the framework's defaults (docs/architecture.md); descriptions are what editors show on hover.
import type { IntegerOptions } from '@sinclair/typebox';
import type { JsonSchema } from '@ser/core';
import { Type, choice } from '@ser/core/config-schema';
import { protocolSchema } from '@ser/dataset-core/protocol';
import { featureConfigSchema } from '@ser/features/config';
import { trainerConfigSchema } from '@ser/trainer/config';

const int = (description: string, def: number, range: IntegerOptions = {}) => Type.Integer({ description, default: def, ...range });

/** The core keys every dataset block has besides the plugin's own. */
export const datasetCoreProperties: Record<string, JsonSchema> = {
  protocol: protocolSchema,
  onBadAudio: choice(['skip', 'stop'], {
    description: 'Unreadable, empty, truncated, silent or non-finite audio: skip the file (logged) or stop the cell.',
    default: 'skip',
  }),
};

const sweepValues: JsonSchema = { type: 'array', minItems: 1, description: 'Values of this key.' };

/** sweep: what to run. Folds and seeds are axes the runner crosses with every point. */
export const sweepSchema: JsonSchema = {
  type: 'object',
  description: 'Sweep: points = grid (cartesian) x zip (elementwise), then explicit points; each run on the folds x seeds.',
  default: {},
  additionalProperties: false,
  properties: {
    grid: {
      type: 'object',
      description: "Dotted key path -> values, e.g. { 'loss.lambda': [0, 0.001, 0.01] }; cartesian product in key order.",
      default: {},
      additionalProperties: sweepValues,
    },
    points: {
      type: 'array',
      description: "Explicit points appended after the grid, e.g. [ { 'loss.id': softmax } ].",
      default: [],
      items: { type: 'object', minProperties: 1 },
    },
    zip: {
      type: 'object',
      description: 'Dotted key path -> values of equal length, varied together; crossed with the grid.',
      default: {},
      additionalProperties: sweepValues,
    },
    folds: {
      description: "'all', a list of fold names, or a number N (the first N folds).",
      default: 'all',
      oneOf: [{ const: 'all' }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, uniqueItems: true }, { type: 'integer', minimum: 1 }],
    },
    seeds: {
      type: 'array',
      description: 'Seeds each point x fold runs with; default [seed].',
      items: { type: 'integer', minimum: 0 },
      minItems: 1,
      uniqueItems: true,
    },
    retries: int('Retries of infrastructure failures (crashed workers), never of diverged runs.', 1, { minimum: 0 }),
  },
};

/** Top-level keys other than the plugin blocks. */
export const coreTopProperties: Record<string, JsonSchema> = {
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    description: 'Experiment name (letters, digits, . _ -); results and output.dir refer to it.',
  },
  description: { type: 'string', default: '', description: 'Free text.' },
  seed: int('Base seed; sweep.seeds defaults to [seed].', 0, { minimum: 0, maximum: 4294967295 }),
  engine: {
    type: 'object',
    description: 'Compute engine.',
    default: {},
    additionalProperties: false,
    properties: {
      backend: choice(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'], {
        description: 'TensorFlow.js backend; auto picks tfjs-node-gpu, then tfjs-node, then wasm (env SER_BACKEND overrides).',
        default: 'auto',
      }),
    },
  },
  features: featureConfigSchema,
  trainer: trainerConfigSchema,
  sweep: sweepSchema,
  output: {
    type: 'object',
    description: 'Where results go.',
    default: {},
    additionalProperties: false,
    properties: { dir: { type: 'string', minLength: 1, description: 'Result folder; default results/<name>.' } },
  },
};

/** Groups a `defaults` mapping may pick pieces for (configs/<group>/<name>.yaml). */
export const DEFAULTS_GROUPS = ['dataset', 'features', 'model', 'loss', 'trainer', 'sweep', 'engine', 'output'] as const;
