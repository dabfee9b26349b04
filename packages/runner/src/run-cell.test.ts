import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, SerError, silentLogger, type StateDict } from '@ser/core';
import { writeWav } from '@ser/core/testing';
import { loadExperiment } from '@ser/config';
import { defineDataset, type Utterance } from '@ser/dataset-core';
import { tf } from '@ser/engine';
import { defineLoss, softmaxCrossEntropy } from '@ser/loss-core';
import { defineModel } from '@ser/model-core';
import { ResultStore } from '@ser/store';
import { planExperiment } from './plan-experiment.js';
import type { PluginRegistry } from './registry.js';
import { runCell } from './run-cell.js';

// Tiny real plugins (the runner may not import the plugin packages): tones per class as WAV files,
// a mean-over-time linear model, plain softmax cross-entropy with a fixed "center" per class.

const tones = defineDataset<Record<string, never>>({
  id: 'tones',
  description: 'two classes of tones, four speakers',
  schema: { type: 'object', properties: {} },
  async load(_config, ctx) {
    fs.mkdirSync(ctx.cacheDir, { recursive: true });
    const rng = new Rng(5);
    const utterances: Utterance[] = [];
    for (let s = 0; s < 4; s++) {
      for (const [c, label] of ['low', 'high'].entries()) {
        for (let k = 0; k < 3; k++) {
          const id = `s${s}-${label}-${k}`;
          const file = path.join(ctx.cacheDir, `${id}.wav`);
          const f0 = (c === 0 ? 300 : 2500) * (1 + 0.05 * rng.normal());
          const n = 1600 + 160 * rng.int(8);
          writeWav(
            file,
            Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f0 * i) / 8000) + 0.01 * rng.normal()),
            8000,
          );
          utterances.push({ id, path: file, speaker: `s${s}`, label });
        }
      }
    }
    return { dataset: 'tones', classes: ['low', 'high'], classMap: '2-class tones', utterances };
  },
});

const meanLinear = defineModel<{ dim: number }>({
  id: 'mean-linear',
  description: 'masked mean over time, then two dense layers',
  schema: { type: 'object', properties: { dim: { type: 'integer', default: 4 } } },
  create(config, ctx) {
    const rng = new Rng(ctx.seed);
    const w1 = tf.variable(
      tf.tensor2d(
        Array.from({ length: ctx.inputBins * config.dim }, () => 0.1 * rng.normal()),
        [ctx.inputBins, config.dim],
      ),
    );
    const w2 = tf.variable(
      tf.tensor2d(
        Array.from({ length: config.dim * ctx.numClasses }, () => 0.1 * rng.normal()),
        [config.dim, ctx.numClasses],
      ),
    );
    const vars = { w1, w2 };
    return {
      id: 'mean-linear',
      embeddingDim: config.dim,
      trainableVariables: [w1, w2],
      apply(batch, mask) {
        return tf.tidy(() => {
          const m = mask.expandDims(2);
          const mean = batch.mul(m).sum(1).div(m.sum(1).maximum(1)) as tf.Tensor2D;
          const embeddings = tf.tanh(mean.matMul(w1)) as tf.Tensor2D;
          return { embeddings, logits: embeddings.matMul(w2) as tf.Tensor2D };
        });
      },
      getState(): StateDict {
        return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { shape: v.shape, values: Array.from(v.dataSync()) }]));
      },
      setState(state: StateDict) {
        for (const [k, v] of Object.entries(vars)) v.assign(tf.tensor(state[k].values, state[k].shape as [number, number]));
      },
      dispose() {
        w1.dispose();
        w2.dispose();
      },
    };
  },
});

const failingModel = defineModel({
  id: 'broken',
  description: 'throws on create',
  schema: { type: 'object', properties: {} },
  create() {
    throw new SerError('SHAPE_MISMATCH', 'broken: this model always fails');
  },
});

const softmaxWithCenters = defineLoss<Record<string, never>>({
  id: 'softmax-c',
  description: 'softmax cross-entropy; exposes fixed centers',
  schema: { type: 'object', properties: {} },
  create(_config, ctx) {
    const centers = tf.zeros([ctx.numClasses, ctx.embeddingDim]) as tf.Tensor2D;
    return {
      id: 'softmax-c',
      trainableVariables: [],
      compute({ logits, labels }) {
        const ce = softmaxCrossEntropy(logits, labels);
        return { total: ce, terms: { softmax: ce } };
      },
      centers: () => centers,
      getState: () => ({}),
      setState() {},
      dispose: () => centers.dispose(),
    };
  },
});

// tones with bad files: 'some' breaks one file of each kind (truncated, silent, shorter than a frame);
// 'class' breaks every 'high' file of speakers s0 and s2 (together the test side of speaker-k-fold k=2's first fold)
const badTones = defineDataset<{ bad: 'some' | 'class' }>({
  id: 'bad-tones',
  description: 'the tones corpus with broken files',
  schema: { type: 'object', properties: { bad: { enum: ['some', 'class'], default: 'some' } } },
  async load(config, ctx) {
    const corpus = await tones.load({} as Record<string, never>, { ...ctx, cacheDir: path.join(ctx.cacheDir, config.bad) });
    const broken = (u: Utterance, kind: number) => {
      if (kind === 0) fs.writeFileSync(u.path, fs.readFileSync(u.path).subarray(0, 30)); // truncated in the header
      if (kind === 1) writeWav(u.path, new Float32Array(2000), 8000); // all zeros
      if (kind === 2)
        writeWav(
          u.path,
          Float32Array.from({ length: 80 }, (_, i) => Math.sin(i)),
          8000,
        ); // < one frame
    };
    if (config.bad === 'some')
      ['s0-low-0', 's2-high-1', 's3-low-2'].forEach((id, k) =>
        broken(
          corpus.utterances.find((u) => u.id === id)!,
          k,
        ),
      );
    else corpus.utterances.filter((u) => u.label === 'high' && ['s0', 's2'].includes(u.speaker)).forEach((u, k) => broken(u, k % 3));
    return { ...corpus, dataset: 'bad-tones' };
  },
});

const registry: PluginRegistry = { datasets: [tones, badTones], models: [meanLinear, failingModel], losses: [softmaxWithCenters] };

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-runcell-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function experiment(model: string, moreFeatures = '', dataset = 'id: tones') {
  const file = path.join(dir, `${model}${moreFeatures ? '-more' : ''}${dataset.length}.yaml`);
  fs.writeFileSync(
    file,
    `name: tones-${model}
seed: 0
dataset: { ${dataset}, onBadAudio: skip, protocol: { id: speaker-k-fold, k: 2, validationSpeakers: 1 } }
features: { sampleRateHz: 8000, nMels: 8, windowMs: 32, hopMs: 16, normalisation: global${moreFeatures} }
model: { id: ${model} }
loss: { id: softmax-c }
trainer: { epochs: 2, batchSize: 4 }
sweep: { seeds: [0] }
`,
  );
  return loadExperiment(file, { plugins: registry, configsDir: dir });
}

describe('runCell', () => {
  it('trains one cell end to end and stores its row, epochs, predictions, embeddings and centers', async () => {
    const loaded = experiment('mean-linear');
    const opts = { registry, codeVersion: 't', cacheDir: path.join(dir, 'cache'), logger: silentLogger };
    const planned = await planExperiment(loaded, opts);
    expect(planned.cells.map((c) => c.fold)).toEqual(['fold1', 'fold2']);
    const cell = planned.cells[1];
    const resultsDir = path.join(dir, 'results');
    const row = await runCell({
      cell,
      registry,
      resultsDir,
      cacheDir: opts.cacheDir,
      gitCommit: 'abc',
      engine: { backend: 'cpu', versions: { tfjs: tf.version_core } },
    });
    expect(row.status, row.errorMessage ?? '').toBe('ok');
    const store = new ResultStore(resultsDir);
    expect(store.readCells()).toEqual([row]);
    expect(row).toMatchObject({
      dataset: 'tones',
      classMap: '2-class tones',
      classes: ['low', 'high'],
      epochs: 2,
      lossId: 'softmax-c',
      modelId: 'mean-linear',
      gitCommit: 'abc',
      backend: 'cpu',
    });
    expect(row.ua).toBeGreaterThanOrEqual(0);
    const fold = planned.foldOf(cell);
    expect(store.readEpochs().map((e) => [e.epoch, Object.keys(e.terms)])).toEqual([
      [1, ['softmax']],
      [2, ['softmax']],
    ]);
    // the trainer's padding fraction is kept in the stored epochs (variable-length utterances: some padding)
    for (const e of store.readEpochs()) {
      expect(e.paddingFraction).toBeGreaterThanOrEqual(0);
      expect(e.paddingFraction).toBeLessThan(1);
    }
    const preds = store.readPredictions();
    expect(
      preds
        .filter((p) => p.split === 'test')
        .map((p) => p.utteranceId)
        .sort(),
    ).toEqual([...fold.test].sort());
    expect(preds.filter((p) => p.split === 'validation')).toHaveLength(fold.validation.length);
    const emb = store.readEmbeddings();
    expect(emb.filter((e) => e.split === 'center').map((e) => e.utteranceId)).toEqual(['center:low', 'center:high']);
    expect(emb.every((e) => e.embedding.length === 4)).toBe(true);
    expect(JSON.parse(store.readMetadata('cells', cell.cellId)['ser.config'])).toEqual(cell.config);
    expect(fs.existsSync(path.join(resultsDir, 'checkpoints', cell.cellId))).toBe(false);
    // the global normalisation of the fold's training utterances is stored with the cell
    const stats = store.readNormStats(cell.cellId)!;
    expect(stats).toMatchObject({ fold: cell.fold, utterances: fold.train.length });
    expect(stats.mean).toHaveLength(8);
    expect(stats.std.every((v) => v > 0)).toBe(true);
  });

  it('trains on fixed-length segments (features.segment) and scores validation and test per utterance', async () => {
    const loaded = experiment('mean-linear', ', segment: { frames: 6, hopFrames: 3 }');
    const cacheDir = path.join(dir, 'cache');
    const planned = await planExperiment(loaded, { registry, codeVersion: 't', cacheDir });
    const cell = planned.cells[0];
    const resultsDir = path.join(dir, 'results-segments');
    const row = await runCell({ cell, registry, resultsDir, cacheDir, corpus: planned.corpusOf(cell) });
    expect(row.status, row.errorMessage ?? '').toBe('ok');
    const fold = planned.foldOf(cell);
    const preds = new ResultStore(resultsDir).readPredictions();
    // one pooled row per utterance, under the utterance's own id (not its segments')
    expect(
      preds
        .filter((p) => p.split === 'test')
        .map((p) => p.utteranceId)
        .sort(),
    ).toEqual([...fold.test].sort());
    expect(
      preds
        .filter((p) => p.split === 'validation')
        .map((p) => p.utteranceId)
        .sort(),
    ).toEqual([...fold.validation].sort());
    for (const p of preds) expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(row.confusion.flat().reduce((a, b) => a + b, 0)).toBe(fold.test.length);
  });

  it('stores an exception as a failed row with its SerError code', async () => {
    const loaded = experiment('broken');
    const planned = await planExperiment(loaded, { registry, codeVersion: 't', cacheDir: path.join(dir, 'cache') });
    const resultsDir = path.join(dir, 'results-broken');
    const row = await runCell({ cell: planned.cells[0], registry, resultsDir, cacheDir: path.join(dir, 'cache'), corpus: planned.corpusOf(planned.cells[0]) });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'SHAPE_MISMATCH', modelId: 'broken', dataset: 'tones' });
    expect(row.errorMessage).toContain('always fails');
    expect(new ResultStore(resultsDir).readCell(planned.cells[0].cellId)).toEqual(row);
  });

  it('stores the utterances skipped for bad audio (truncated, silent, shorter than a frame) with the cell', async () => {
    const loaded = experiment('mean-linear', '', 'id: bad-tones, bad: some');
    const cacheDir = path.join(dir, 'cache-bad');
    const planned = await planExperiment(loaded, { registry, codeVersion: 't', cacheDir });
    const resultsDir = path.join(dir, 'results-bad');
    const rows = [];
    for (const cell of planned.cells) rows.push(await runCell({ cell, registry, resultsDir, cacheDir, corpus: planned.corpusOf(cell) }));
    for (const [i, row] of rows.entries()) {
      expect(row.status, row.errorMessage ?? '').toBe('ok');
      const fold = planned.foldOf(planned.cells[i]);
      const inFold = ['s0-low-0', 's2-high-1', 's3-low-2'].filter((id) => [...fold.train, ...fold.validation, ...fold.test].includes(id));
      expect(row.skippedAudioIds.slice().sort()).toEqual(inFold.sort());
      expect(row.skippedAudio).toBe(inFold.length);
    }
    expect(rows.reduce((n, r) => n + r.skippedAudio, 0)).toBeGreaterThan(0);
    // what is stored is what came back, and cells.arrow has the columns
    const store = new ResultStore(resultsDir);
    expect(store.readCells().map((r) => r.skippedAudioIds)).toEqual(rows.map((r) => r.skippedAudioIds));
  });

  it('fails a cell whose test split lost a class to bad audio (FOLD_MISSING_CLASS), naming the files, instead of a UA over fewer classes', async () => {
    const loaded = experiment('mean-linear', '', 'id: bad-tones, bad: class');
    const cacheDir = path.join(dir, 'cache-bad');
    const planned = await planExperiment(loaded, { registry, codeVersion: 't', cacheDir });
    const resultsDir = path.join(dir, 'results-bad-class');
    let failed = 0;
    for (const cell of planned.cells) {
      const row = await runCell({ cell, registry, resultsDir, cacheDir, corpus: planned.corpusOf(cell) });
      const testSpeakers = new Set(planned.foldOf(cell).test.map((id) => id.split('-')[0]));
      if ([...testSpeakers].every((s) => s === 's0' || s === 's2')) {
        failed++;
        expect(row).toMatchObject({ status: 'failed', errorCode: 'FOLD_MISSING_CLASS' });
        expect(row.errorMessage).toMatch(/test split has no high .* skipped for bad audio \(s[02]-high-/);
        expect(row.skippedAudio).toBeGreaterThanOrEqual(3);
      } else {
        expect(row.status, row.errorMessage ?? '').toBe('ok');
      }
    }
    expect(failed).toBe(1);
  });
});
