import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, isSerError } from '@ser/core';
import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from './checkpoint.js';
import { resolveTrainerConfig } from './config.js';
import { makeCenterLoss, makeNanLoss, makePoolModel, makeSoftmaxLoss, makeSyntheticData, smallCell } from './test-fixtures.js';
import { CHECKPOINT_FILE, trainCell } from './train-cell.js';
import type { TrainOutcome, TrainProgress } from './types.js';

const K = 4;
const BINS = 6;
const DIM = 8;
const classes = ['ang', 'hap', 'neu', 'sad'];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ser-trainer-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function setup(opts: { seed?: number; lambda?: number; alpha?: number } = {}) {
  const { data, source } = makeSyntheticData({ numClasses: K, bins: BINS, perClass: { train: 20, validation: 8, test: 8 }, seed: 7 });
  const model = makePoolModel({ bins: BINS, numClasses: K, embeddingDim: DIM, seed: opts.seed ?? 1 });
  const loss = makeCenterLoss({ numClasses: K, embeddingDim: DIM, lambda: opts.lambda ?? 0.1, alpha: opts.alpha ?? 0.5 });
  return { data, source, model, loss };
}

const baseConfig = resolveTrainerConfig({
  epochs: 6,
  batchSize: 8,
  optimizer: { id: 'adam', learningRate: 0.03 },
  schedule: { id: 'cosine', minLearningRate: 0.003 },
  gradientClipNorm: 5,
  earlyStopping: { metric: 'ua', patience: null },
  evalBatchSize: 16,
});

/** Everything but wall-clock seconds. */
function comparable(o: TrainOutcome) {
  return { ...o, seconds: 0, resumedFromEpoch: 0, epochs: o.epochs.map((e) => ({ ...e, seconds: 0 })) };
}

describe('trainCell', () => {
  it('learns the synthetic classes well above chance, with center loss, and reports every metric', async () => {
    const { data, source, model, loss } = setup();
    const steps: TrainProgress[] = [];
    const out = await trainCell({ model, loss, config: baseConfig, classes, data, source, seed: 3, logger: silentLogger, progress: (p) => steps.push(p) });
    expect(out.status).toBe('ok');
    expect(out.epochsRun).toBe(6);
    expect(out.epochs).toHaveLength(6);
    expect(out.test.ua).toBeGreaterThan(0.6); // chance is 0.25
    expect(out.validation.ua).toBeCloseTo(out.epochs[out.bestEpoch - 1].valUa, 12);
    expect(Math.max(...out.epochs.map((e) => e.valUa))).toBe(out.epochs[out.bestEpoch - 1].valUa);
    expect(out.epochs[0].trainTerms).toHaveProperty('center');
    expect(out.epochs[0].trainTerms).toHaveProperty('softmax');
    expect(out.epochs.at(-1)!.trainLoss).toBeLessThan(out.epochs[0].trainLoss);
    // the centers move (alpha rule), statistics are finite and positive
    for (const e of out.epochs) {
      expect(e.centerDrift).toBeGreaterThan(0);
      expect(e.intraClassDistance).toBeGreaterThan(0);
      expect(e.distanceRatio).toBeCloseTo(e.intraClassDistance / e.interCenterDistance, 12);
      expect(e.paddingFraction).toBeGreaterThanOrEqual(0);
      expect(e.paddingFraction).toBeLessThan(0.3);
    }
    expect(out.epochs.map((e) => e.lr)[0]).toBeCloseTo(0.03, 12);
    expect(out.epochs[5].lr).toBeLessThan(out.epochs[1].lr);
    expect(out.centers).toHaveLength(K);
    expect(out.centers![0]).toHaveLength(DIM);
    // predictions: validation then test, probabilities sum to 1, prediction = argmax
    expect(out.predictions.filter((p) => p.split === 'validation')).toHaveLength(32);
    expect(out.predictions.filter((p) => p.split === 'test')).toHaveLength(32);
    for (const p of out.predictions) {
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.prediction).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
      expect(p.embedding).toHaveLength(DIM);
    }
    const testCorrect = out.predictions.filter((p) => p.split === 'test' && p.label === p.prediction).length;
    expect(out.test.wa).toBeCloseTo(testCorrect / 32, 12);
    // progress: every train step, validation batches, one 'epoch' report per epoch
    expect(steps.filter((p) => p.phase === 'epoch')).toHaveLength(6);
    expect(steps.filter((p) => p.phase === 'train')).toHaveLength(6 * 10);
    expect(steps.some((p) => p.phase === 'test')).toBe(true);
    // features stream per batch: the first progress step comes after exactly one batch of reads
    expect(steps[0]).toMatchObject({ phase: 'train', step: 1, steps: 10 });
  });

  it("optimises the loss's trainable variables with the model's", async () => {
    const { data, source, model } = setup();
    const loss = makeCenterLoss({ numClasses: K, embeddingDim: DIM, lambda: 1, alpha: 0, trainable: true });
    const out = await trainCell({
      model,
      loss,
      config: { ...baseConfig, epochs: 2, optimizer: { id: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false, weightDecay: 0.5 } },
      classes,
      data,
      source,
      seed: 3,
      logger: silentLogger,
    });
    expect(out.epochs.every((e) => e.centerDrift > 0)).toBe(true);
    // pulled from 0 towards the class means of z
    const z = out.predictions.filter((p) => p.split === 'validation');
    const mean0 = z.filter((p) => p.label === 0).map((p) => p.embedding[0]);
    const m0 = mean0.reduce((a, b) => a + b, 0) / mean0.length;
    expect(Math.sign(out.centers![0][0])).toBe(Math.sign(m0));
  });

  it('reads features one batch at a time', async () => {
    const { data, source, model } = setup();
    const readsAtStep: number[] = [];
    await trainCell({
      model,
      loss: makeSoftmaxLoss(K),
      config: { ...baseConfig, epochs: 1 },
      classes,
      data,
      source,
      seed: 3,
      logger: silentLogger,
      progress: (p) => {
        if (p.phase === 'train') readsAtStep.push(source.reads.length);
      },
    });
    expect(readsAtStep.slice(0, 3)).toEqual([8, 16, 24]);
  });

  it('gives the same metrics and weights twice for the same seed', async () => {
    const a = setup();
    const b = setup();
    const oa = await trainCell({ ...a, config: { ...baseConfig, epochs: 3 }, classes, seed: 11, logger: silentLogger });
    const ob = await trainCell({ ...b, config: { ...baseConfig, epochs: 3 }, classes, seed: 11, logger: silentLogger });
    expect(comparable(ob)).toEqual(comparable(oa));
    expect(b.model.getState()).toEqual(a.model.getState());
    const c = setup();
    const oc = await trainCell({ ...c, config: { ...baseConfig, epochs: 3 }, classes, seed: 12, logger: silentLogger });
    expect(oc.epochs[0].trainLoss).not.toBe(oa.epochs[0].trainLoss); // the seed changes the batches
  });

  it('resumes a killed run to exactly the result of an unbroken one', async () => {
    const config = { ...resolveTrainerConfig({ ...baseConfig, schedule: { id: 'plateau', patience: 0, factor: 0.5 } }), epochs: 5 };
    const dirA = tmp();
    const dirB = tmp();
    try {
      const a = setup();
      const unbroken = await trainCell({ ...a, config, classes, seed: 5, logger: silentLogger, checkpointDir: dirA });

      // kill in the middle of epoch 3: the checkpoint of epoch 2 stays
      const b = setup();
      const ctl = new AbortController();
      const killed = trainCell({
        ...b,
        config,
        classes,
        seed: 5,
        logger: silentLogger,
        checkpointDir: dirB,
        signal: ctl.signal,
        progress: (p) => {
          if (p.phase === 'train' && p.epoch === 3 && p.step === 4) ctl.abort(new Error('killed'));
        },
      });
      await expect(killed).rejects.toThrow('killed');
      expect(readCheckpoint(path.join(dirB, CHECKPOINT_FILE)).meta.epochsDone).toBe(2);

      // a fresh model and loss (as in a new process), different init seed: the checkpoint overrides it
      const c = setup({ seed: 99 });
      const resumed = await trainCell({ ...c, config, classes, seed: 5, logger: silentLogger, checkpointDir: dirB });
      expect(resumed.resumedFromEpoch).toBe(2);
      expect(comparable(resumed)).toEqual(comparable(unbroken));
      expect(c.model.getState()).toEqual(a.model.getState());
      expect(c.loss.getState()).toEqual(a.loss.getState());
      // the last checkpoints agree on every tensor (current + best weights, optimiser slots, centers)
      const ca = readCheckpoint(path.join(dirA, CHECKPOINT_FILE));
      const cb = readCheckpoint(path.join(dirB, CHECKPOINT_FILE));
      expect(cb.tensors).toEqual(ca.tensors);
      expect(Object.keys(ca.tensors).some((k) => k.startsWith('optimizer/'))).toBe(true);
      expect(cb.meta.rng).toEqual(ca.meta.rng);
      expect(cb.meta.schedule).toEqual(ca.meta.schedule);

      // a finished run resumed again only re-scores
      const d = setup({ seed: 98 });
      const again = await trainCell({ ...d, config, classes, seed: 5, logger: silentLogger, checkpointDir: dirB });
      expect(again.resumedFromEpoch).toBe(5);
      expect(comparable(again)).toEqual(comparable(unbroken));

      // a checkpoint of another cell is refused
      const e = setup();
      await expect(trainCell({ ...e, config, classes, seed: 6, logger: silentLogger, checkpointDir: dirB })).rejects.toSatisfy((err) =>
        isSerError(err, 'CHECKPOINT_INVALID'),
      );
    } finally {
      fs.rmSync(dirA, { recursive: true, force: true });
      fs.rmSync(dirB, { recursive: true, force: true });
    }
  });

  it('resumes after a real SIGKILL of a child process to exactly the unbroken result', async () => {
    const dirA = tmp();
    const dirB = tmp();
    try {
      const a = smallCell();
      const unbroken = await trainCell({ ...a, seed: 5, logger: silentLogger, checkpointDir: dirA });
      const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'test-kill-child.ts'), dirB, '4', '2'], {
        encoding: 'utf8',
      });
      expect(child.signal).toBe('SIGKILL');
      expect(readCheckpoint(path.join(dirB, CHECKPOINT_FILE)).meta.epochsDone).toBe(3);
      const b = smallCell({ modelSeed: 42 });
      const resumed = await trainCell({ ...b, seed: 5, logger: silentLogger, checkpointDir: dirB });
      expect(resumed.resumedFromEpoch).toBe(3);
      expect(comparable(resumed)).toEqual(comparable(unbroken));
      expect(b.model.getState()).toEqual(a.model.getState());
      expect(readCheckpoint(path.join(dirB, CHECKPOINT_FILE)).tensors).toEqual(readCheckpoint(path.join(dirA, CHECKPOINT_FILE)).tensors);
    } finally {
      fs.rmSync(dirA, { recursive: true, force: true });
      fs.rmSync(dirB, { recursive: true, force: true });
    }
  });

  it('stops early on validation and keeps the best epoch', async () => {
    const { data, source, model, loss } = setup();
    // lr 0 after a good start: nothing improves, so patience 2 stops at best + 2
    const out = await trainCell({
      model,
      loss,
      config: resolveTrainerConfig({
        ...baseConfig,
        epochs: 20,
        schedule: { id: 'step', everyEpochs: 2, gamma: 1e-9 },
        earlyStopping: { metric: 'loss', patience: 2 },
      }),
      classes,
      data,
      source,
      seed: 3,
      logger: silentLogger,
    });
    expect(out.epochsRun).toBeLessThan(20);
    expect(out.epochsRun).toBe(out.bestEpoch + 2);
    const losses = out.epochs.map((e) => e.valLoss);
    expect(Math.min(...losses)).toBe(losses[out.bestEpoch - 1]);
    expect(out.validation.loss).toBeCloseTo(losses[out.bestEpoch - 1], 10);
  });

  it('ends as diverged (not an exception) on a non-finite loss', async () => {
    const { data, source, model } = setup();
    // 10 train steps + 2 validation batches per epoch: call 15 is epoch 2, step 3
    const out = await trainCell({ model, loss: makeNanLoss(K, 15), config: baseConfig, classes, data, source, seed: 3, logger: silentLogger });
    expect(out.status).toBe('diverged');
    expect(out.diverged).toMatchObject({ epoch: 2, step: 3 });
    expect(out.diverged!.message).toMatch(/non-finite loss NaN/);
    expect(out.epochsRun).toBe(1);
    expect(Number.isNaN(out.test.ua)).toBe(true);
    // the NaN step was not applied
    for (const t of Object.values(model.getState())) expect(t.values.every(Number.isFinite)).toBe(true);

    const s = setup();
    const huge = await trainCell({
      ...s,
      loss: makeSoftmaxLoss(K),
      config: resolveTrainerConfig({ ...baseConfig, optimizer: { id: 'sgd', learningRate: 1e38, momentum: 0.9 }, gradientClipNorm: null }),
      classes,
      seed: 3,
      logger: silentLogger,
    });
    expect(huge.status).toBe('diverged');
  });

  it('leaks no tensors across steps and epochs', async () => {
    const { data, source, model, loss } = setup();
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const perStep: number[] = [];
    const dir = tmp();
    try {
      await trainCell({
        model,
        loss,
        config: { ...baseConfig, epochs: 4, optimizer: { id: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 } },
        classes,
        data,
        source,
        seed: 3,
        logger: silentLogger,
        checkpointDir: dir,
        progress: (p) => {
          if (p.phase === 'epoch') perEpoch.push(tf.memory().numTensors);
          if (p.phase === 'train') perStep.push(tf.memory().numTensors);
        },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(new Set(perEpoch).size).toBe(1);
    expect(new Set(perStep).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad inputs with the field named', async () => {
    const { data, source, model, loss } = setup();
    const bad = { ...data, train: [...data.train, { id: 'x', label: 9, frames: 3 }] };
    await expect(trainCell({ model, loss, config: baseConfig, classes, data: bad, source, seed: 1, logger: silentLogger })).rejects.toThrow(
      /train utterance 'x' has label 9/,
    );
    await expect(
      trainCell({ model, loss, config: baseConfig, classes, data: { ...data, validation: [] }, source, seed: 1, logger: silentLogger }),
    ).rejects.toThrow(/validation split is empty/);
    const wrongFrames = { ...data, train: data.train.map((e, i) => (i === 0 ? { ...e, frames: e.frames + 1 } : e)) };
    await expect(trainCell({ model, loss, config: baseConfig, classes, data: wrongFrames, source, seed: 1, logger: silentLogger })).rejects.toSatisfy((err) =>
      isSerError(err, 'SHAPE_MISMATCH'),
    );
  });
});
