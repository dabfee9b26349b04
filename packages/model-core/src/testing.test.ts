// The suite run on the smallest honest model: masked mean over frames -> dense z -> dense logits.
import type { StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import { describe, expect, it } from 'vitest';
import { defineModel } from './model.js';
import { describeModelConformance, makeBatch, resolveModelConfig } from './testing.js';

const meanModel = defineModel<{ embeddingDim: number }>({
  id: 'mean-dense',
  description: 'Masked mean over frames, then a dense embedding and a dense output layer (a test model).',
  schema: { type: 'object', additionalProperties: false, properties: { embeddingDim: { description: 'd', type: 'integer', default: 3 } } },
  create(config, context) {
    const init = (shape: [number, number], offset: number) =>
      tf.variable(
        tf.tensor2d(
          Array.from({ length: shape[0] * shape[1] }, (_, i) => Math.sin(context.seed * 7 + i + offset)),
          shape,
        ),
        true,
      );
    const w = tf.tidy(() => [init([context.inputBins, config.embeddingDim], 0), init([config.embeddingDim, context.numClasses], 100)]);
    const keys = ['w0', 'w1'];
    return {
      id: 'mean-dense',
      embeddingDim: config.embeddingDim,
      trainableVariables: w,
      apply(batch, mask) {
        return tf.tidy(() => {
          const m = tf.expandDims(mask, 2);
          const mean = tf.div(tf.sum(tf.mul(batch, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
          const embeddings = tf.tanh(tf.matMul(mean, w[0])) as tf.Tensor2D;
          return { embeddings, logits: tf.matMul(embeddings, w[1]) as tf.Tensor2D };
        });
      },
      getState: () => Object.fromEntries(w.map((v, i) => [keys[i], { shape: [...v.shape], values: Array.from(v.dataSync()) }])) as StateDict,
      setState(state) {
        w.forEach((v, i) => {
          const s = state[keys[i]];
          if (!s || s.values.length !== v.size) throw Object.assign(new Error(`bad ${keys[i]}`), { code: 'CHECKPOINT_INVALID' });
          tf.tidy(() => v.assign(tf.tensor2d(s.values, v.shape as [number, number])));
        });
      },
      dispose: () => tf.dispose(w),
    };
  },
});

describeModelConformance(meanModel, { embeddingDim: 4 });

describe('model test support', () => {
  it('makeBatch pads with zeros after each length and masks them', () => {
    const { batch, mask } = makeBatch([3, 1], 3, 2, 0);
    const b = batch.arraySync();
    expect(mask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(b[1][1]).toEqual([0, 0]);
    expect(b[1][0].every((v) => v !== 0)).toBe(true);
    tf.dispose([batch, mask]);
  });

  it('resolveModelConfig fills defaults and rejects unknown keys', () => {
    expect(resolveModelConfig(meanModel.schema, {})).toEqual({ embeddingDim: 3 });
    expect(() => resolveModelConfig(meanModel.schema, { embeddingDims: 3 })).toThrow(/additional properties/);
  });
});
