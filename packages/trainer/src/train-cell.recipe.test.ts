// The recipe's options of trainCell: minSteps, warmup-cosine per step, class-balanced sampling,
// augmentation, restoreBest false, and the finite-divergence rule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainerConfig } from './config.js';
import { makePoolModel, makeSoftmaxLoss, makeSyntheticData } from './test-fixtures.js';
import { trainCell } from './train-cell.js';
import type { Example, TrainProgress } from './types.js';

const K = 4;
const BINS = 6;
const classes = ['ang', 'hap', 'neu', 'sad'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function setup(seed = 1) {
  const { data, source } = makeSyntheticData({
    numClasses: K,
    bins: BINS,
    perClass: { train: 10, validation: 4, test: 4 },
    seed: 7,
    minFrames: 10,
    maxFrames: 40,
  });
  return { data, source, model: makePoolModel({ bins: BINS, numClasses: K, embeddingDim: 8, seed }), loss: makeSoftmaxLoss(K) };
}

const base = resolveTrainerConfig({
  epochs: 2,
  batchSize: 8,
  optimizer: { id: 'adam', learningRate: 0.01 },
  earlyStopping: { metric: 'ua', patience: null },
  evalBatchSize: 16,
});

async function run(config: Parameters<typeof resolveTrainerConfig>[0], data?: { train: Example[]; validation: Example[]; test: Example[] }) {
  const s = setup();
  const steps: TrainProgress[] = [];
  const out = await trainCell({
    ...s,
    data: data ?? s.data,
    config: resolveTrainerConfig({ ...base, ...config }),
    classes,
    seed: 3,
    logger: silentLogger,
    progress: (p) => steps.push(p),
  });
  return { out, steps: steps.filter((p) => p.phase === 'train'), source: s.source };
}

describe('trainCell recipe options', () => {
  it('minSteps raises the epoch budget to ceil(minSteps / batches per epoch)', async () => {
    // 40 training utterances in batches of 8: 5 steps per epoch; 23 steps need 5 epochs
    const { out, steps } = await run({ minSteps: 23 });
    expect(out.epochsRun).toBe(5);
    expect(steps.length).toBe(25);
    expect(steps[0].epochs).toBe(5);
    const few = await run({ minSteps: 3 });
    expect(few.out.epochsRun).toBe(2); // epochs is the floor
  });

  it('warmup-cosine changes the rate every step: up during warm-up, down to the floor at the last step', async () => {
    const { out } = await run({ epochs: 4, schedule: { id: 'warmup-cosine', warmupFraction: 0.25, minLearningRate: 0 } });
    // 20 steps, 5 of warm-up: the epochs start at steps 1, 6, 11, 16
    const lrs = out.epochs.map((e) => e.lr);
    expect(lrs[0]).toBeCloseTo(0.01 / 5, 12);
    expect(lrs[1]).toBeLessThan(0.01);
    expect(lrs[1]).toBeGreaterThan(lrs[2]);
    expect(lrs[2]).toBeGreaterThan(lrs[3]);
  });

  it('class-balanced sampling draws every class as often as the largest, each example of a class before any repeats', async () => {
    const s = setup();
    // drop 8 of the 10 'hap' training utterances: 10 / 2 / 10 / 10
    const train = s.data.train.filter((e) => e.label !== 1 || e.id.endsWith('-0') || e.id.endsWith('-1'));
    const { steps, source } = await run({ epochs: 1, sampling: 'class-balanced', batchSize: 5 }, { ...s.data, train });
    expect(steps.length).toBe(8); // 4 classes x 10 = 40 draws in batches of 5
    const drawn = source.reads.slice(0, 40);
    const perClass = [0, 1, 2, 3].map((c) => drawn.filter((id) => id.startsWith(`train-${c}-`)).length);
    expect(perClass).toEqual([10, 10, 10, 10]);
    expect(new Set(drawn.filter((id) => id.startsWith('train-0-'))).size).toBe(10);
    expect(new Set(drawn.filter((id) => id.startsWith('train-1-'))).size).toBe(2);
  });

  it('augmentation is seeded: the same seed trains identically, and it changes training but never scoring', async () => {
    const augmentation = { cropFrames: 12, timeMasks: 2, timeMaskFrames: 5, freqMasks: 1, freqMaskBins: 2 };
    const a = await run({ augmentation });
    const b = await run({ augmentation });
    const plain = await run({});
    expect(a.out.epochs.map((e) => e.trainLoss)).toEqual(b.out.epochs.map((e) => e.trainLoss));
    expect(a.out.epochs[0].trainLoss).not.toBe(plain.out.epochs[0].trainLoss);
    // lengths 10..40 cropped to 12: the batches hold nearly equal lengths
    expect(a.out.epochs[0].paddingFraction).toBeLessThan(0.05);
    expect(plain.out.epochs[0].paddingFraction).toBeGreaterThan(0.1);
    expect(a.out.predictions.filter((p) => p.split === 'test')).toHaveLength(16);
  });

  it('restoreBest false scores the last epoch, reported as the selected epoch', async () => {
    const { out } = await run({ epochs: 3, earlyStopping: { metric: 'ua', patience: null, restoreBest: false } });
    expect(out.bestEpoch).toBe(3);
    expect(out.validation.ua).toBeCloseTo(out.epochs[2].valUa, 12);
  });

  it('a finite blow-up (loss above factor x its first value for `steps` steps) is diverged with LOSS_DIVERGED; factor null turns the rule off', async () => {
    const blowUp = { epochs: 4, optimizer: { id: 'sgd' as const, learningRate: 1e4, momentum: 0 } };
    const { out } = await run({ ...blowUp, divergence: { factor: 10, steps: 3 } });
    expect(out.status).toBe('diverged');
    expect(out.diverged?.code).toBe('LOSS_DIVERGED');
    expect(out.diverged?.message).toMatch(/above 10 x the first step's .* for 3 steps in a row/);
    const off = await run({ ...blowUp, divergence: { factor: null, steps: 3 } });
    if (off.out.status === 'diverged') expect(off.out.diverged?.code).toBe('NON_FINITE_LOSS');
    const calm = await run({ divergence: { factor: 10, steps: 3 } });
    expect(calm.out.status).toBe('ok');
  });

  it('resumes a recipe run bit for bit (sampling, augmentation and the divergence counter are in the checkpoint)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-recipe-'));
    const config = resolveTrainerConfig({
      ...base,
      epochs: 4,
      sampling: 'class-balanced',
      schedule: { id: 'warmup-cosine' },
      augmentation: { cropFrames: 15, timeMasks: 1, timeMaskFrames: 4, freqMasks: 1, freqMaskBins: 2 },
    });
    try {
      const whole = await trainCell({ ...setup(), config, classes, seed: 3, logger: silentLogger });
      const stop = new AbortController();
      const first = setup();
      await expect(
        trainCell({
          ...first,
          config,
          classes,
          seed: 3,
          logger: silentLogger,
          checkpointDir: dir,
          signal: stop.signal,
          progress: (p) => p.phase === 'epoch' && p.epoch === 2 && stop.abort(new Error('stop')),
        }),
      ).rejects.toThrow('stop');
      const resumed = await trainCell({ ...setup(), config, classes, seed: 3, logger: silentLogger, checkpointDir: dir });
      expect(resumed.resumedFromEpoch).toBe(2);
      expect(resumed.epochs.map((e) => e.trainLoss)).toEqual(whole.epochs.map((e) => e.trainLoss));
      expect(resumed.test).toEqual(whole.test);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
