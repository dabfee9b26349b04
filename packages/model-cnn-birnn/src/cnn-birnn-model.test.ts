import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { applyValues, describeModelConformance, makeBatch, resolveModelConfig, unpadded, useTestBackend } from '@ser/model-core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { cnnBirnnModel } from './cnn-birnn-model.js';
import type { CnnBirnnConfig } from './config.js';

// Tiny shapes: 8 bins, 16 frames. The first block halves time and freq by pooling, the second
// strides time by 2 and avg-pools freq, so the mask is downsampled by both kinds of reduction.
const tiny = {
  conv: [
    { filters: 2, kernel: [3, 3], pooling: { type: 'max', size: [2, 2] } },
    { filters: 3, kernel: [3, 2], stride: [2, 1], pooling: { type: 'avg', size: [1, 2] } },
  ],
  rnn: { units: 3 },
  embeddingDim: 4,
};
const tinyTraining = {
  conv: [
    { filters: 2, kernel: [3, 3], batchNorm: true, dropout: 0.2, pooling: { type: 'max', size: [2, 2] } },
    { filters: 2, kernel: [2, 3], stride: [2, 1], batchNorm: true, pooling: { type: 'none' } },
  ],
  rnn: { cell: 'gru', units: 3, layers: 2, dropout: 0.1 },
  pooling: 'attention',
  attentionUnits: 3,
  embeddingDim: 4,
  embeddingDropout: 0.3,
};

describeModelConformance(cnnBirnnModel, tiny);
describeModelConformance(cnnBirnnModel, tinyTraining);

const context = { inputBins: 8, numClasses: 3, seed: 1, logger: silentLogger };
const make = (partial: Record<string, unknown>) => cnnBirnnModel.create(resolveModelConfig<CnnBirnnConfig>(cnnBirnnModel.schema, partial), context);

describe('cnn-birnn', () => {
  beforeAll(async () => {
    await useTestBackend('tensorflow');
  });

  it("has the paper's shape by default: 16 5x5 + 32 3x3 conv, BiLSTM 128, mean, z of 256", () => {
    const config = resolveModelConfig<CnnBirnnConfig>(cnnBirnnModel.schema, {});
    expect(config.conv.map((c) => [c.filters, c.kernel, c.pooling])).toEqual([
      [16, [5, 5], { type: 'max', size: [2, 2] }],
      [32, [3, 3], { type: 'max', size: [2, 2] }],
    ]);
    expect(config.rnn).toEqual({ cell: 'lstm', units: 128, layers: 1, bidirectional: true, dropout: 0 });
    expect([config.pooling, config.embeddingDim, config.embeddingActivation]).toEqual(['mean', 256, 'relu']);
    // 128 mels -> 32 bins after two 2x2 pools -> the BiLSTM reads 32 * 32 features per frame
    const model = cnnBirnnModel.create(config, { ...context, inputBins: 128 });
    const kernel = model.trainableVariables.find((v) => v.shape[0] === 32 * 32 && v.shape[1] === 4 * 128);
    expect(kernel).toBeDefined();
    model.dispose();
  });

  for (const pooling of ['mean', 'max', 'last', 'attention'] as const) {
    for (const rnn of [
      { cell: 'lstm', bidirectional: true },
      { cell: 'gru', bidirectional: false, layers: 2 },
    ]) {
      it(`gives a padded utterance the unpadded one's embedding: pooling ${pooling}, ${rnn.cell} bidirectional ${rnn.bidirectional}`, () => {
        const model = make({ ...tinyTraining, rnn: { ...rnn, units: 3 }, pooling });
        const lengths = [21, 9, 14];
        const { batch, mask } = makeBatch(lengths, 21, 8, 4);
        // garbage in the padding: the model must not read it either
        const noisy = tf.tidy(() => tf.add(batch, tf.mul(tf.sub(1, tf.expandDims(mask, 2)), 5)) as tf.Tensor3D);
        const padded = applyValues(model, noisy, mask, false);
        lengths.forEach((len, b) => {
          const one = unpadded(batch, b, len);
          const alone = applyValues(model, one.batch, one.mask, false);
          tf.dispose([one.batch, one.mask]);
          alone.embeddings[0].forEach((v, k) => expect(padded.embeddings[b][k]).toBeCloseTo(v, 4));
        });
        // and the padding is really there to ignore: the lengths change the result
        const ones = tf.onesLike(mask) as tf.Tensor2D;
        expect(padded.embeddings[1]).not.toEqual(applyValues(model, noisy, ones, false).embeddings[1]);
        tf.dispose([batch, mask, noisy, ones]);
        model.dispose();
      });
    }
  }

  it('keeps batch-norm moving statistics as state, not trainable, and moves them only in training', () => {
    const model = make(tinyTraining);
    const { batch, mask } = makeBatch([16, 10], 16, 8, 2);
    const key = 'conv0/movingMean';
    const start = model.getState()[key].values;
    expect(model.trainableVariables.every((v) => v.trainable)).toBe(true);
    applyValues(model, batch, mask, false);
    expect(model.getState()[key].values).toEqual(start);
    applyValues(model, batch, mask, true);
    expect(model.getState()[key].values).not.toEqual(start);
    tf.dispose([batch, mask]);
    model.dispose();
  });

  it('draws a new dropout mask on every training call, from the seed and a saved counter', () => {
    const model = make(tinyTraining);
    const { batch, mask } = makeBatch([16, 10], 16, 8, 2);
    const first = applyValues(model, batch, mask, true).logits;
    const second = applyValues(model, batch, mask, true).logits;
    expect(second).not.toEqual(first);
    expect(model.getState().dropout.values).toEqual([1, 8]); // seed 1; 2 calls x 4 dropouts (conv0, rnn0, rnn1, z)
    tf.dispose([batch, mask]);
    model.dispose();
  });

  it('rejects inputs whose bins or frames do not fit, naming the fix', () => {
    const model = make(tiny);
    const wrongBins = tf.zeros([1, 16, 7]) as tf.Tensor3D;
    const tooShort = tf.zeros([1, 1, 8]) as tf.Tensor3D; // the first 2x2 pool leaves no frame
    const m16 = tf.ones([1, 16]) as tf.Tensor2D;
    const m3 = tf.ones([1, 1]) as tf.Tensor2D;
    expect(() => model.apply(wrongBins, m16, false)).toThrow(/\[batch, frames, 8\]/);
    expect(() => model.apply(tooShort, m3, false)).toThrow(/1 frames leave no frame/);
    expect(() => make({ ...tiny, conv: [{ filters: 2, pooling: { type: 'max', size: [1, 16] } }] })).toThrow(/input bins to none/);
    tf.dispose([wrongBins, tooShort, m16, m3]);
    model.dispose();
  });
});
