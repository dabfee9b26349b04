import fs from 'node:fs';
import path from 'node:path';
import { Rng, SerError, stableHash, type StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import type { Loss } from '@ser/loss-core';
import { croppedLengths, epochExamples, readTrainingBatch, type PlannedExample } from './augment.js';
import { batchTensors, planBatches, type HostBatch } from './batches.js';
import { prefixState, readCheckpoint, unprefixState, writeCheckpoint } from './checkpoint.js';
import { validateTrainerConfig, type TrainerConfig } from './config.js';
import { emptyEvalResult, evaluateSplit, type SplitScores } from './internal/evaluate.js';
import { centerDrift, embeddingStats } from './metrics.js';
import { clipByGlobalNorm, createOptimizer, type TrainOptimizer } from './optimizers.js';
import { LrSchedule, type ScheduleState } from './schedules.js';
import type { EpochRecord, EvalResult, PredictionRecord, TrainCellOptions, TrainOutcome } from './types.js';

/** The checkpoint's file name inside checkpointDir. */
export const CHECKPOINT_FILE = 'trainer-checkpoint.bin';

interface CheckpointMeta {
  fingerprint: string;
  epochsDone: number;
  stopped: boolean;
  rng: [number, number, number, number];
  schedule: ScheduleState;
  best: { epoch: number; metric: number | null };
  records: EpochRecord[];
  /** The first optimiser step's training loss (the divergence rule's reference) and the steps in a row above factor x it. */
  firstLoss: number | null;
  stepsAbove: number;
  seconds: number;
  modelId: string;
  lossId: string;
}

/**
 * Trains one cell: epochs (at least minSteps optimiser steps) of bucketed batches drawn by
 * `sampling` and augmented (training only), each a model -> loss -> one optimiser step at the
 * schedule's rate -> loss.afterStep; validation after each epoch, best-epoch selection and early
 * stopping on the validation metric, a checkpoint after every epoch (resumed from when present),
 * and at the end the validation and test splits scored once with the selected weights (the best
 * epoch's, or the last epoch's without restoreBest). A non-finite loss, or one above
 * divergence.factor x its first value for divergence.steps steps, ends the run with status
 * 'diverged' (a result, not an exception). The model and loss stay the
 * caller's (not disposed); they hold the selected weights afterwards.
 */
export async function trainCell(options: TrainCellOptions): Promise<TrainOutcome> {
  const started = performance.now();
  const { model, loss, config, classes, data, source, logger, progress, signal } = options;
  validateTrainerConfig(config);
  checkInputs(options);
  const numClasses = classes.length;
  const metric = config.earlyStopping.metric;
  const higherIsBetter = metric !== 'loss';
  const variables = [...model.trainableVariables, ...loss.trainableVariables];
  const names = new Set(variables.map((v) => v.name));
  if (names.size !== variables.length) {
    throw new SerError('CONFIG_INVALID', `trainCell: the model (${model.id}) and loss (${loss.id}) share a variable name; give their variables unique names.`);
  }
  // decoupled weight decay shrinks model weights only: shrinking centers or a loss's classifier is another method
  const optimizer = createOptimizer(config.optimizer, variables, variables.map((_, i) => i < model.trainableVariables.length));
  const trainExamples = croppedLengths(data.train, config.augmentation.cropFrames);
  const stepsPerEpoch = batchesPerEpoch(trainExamples, config);
  const epochBudget = config.minSteps === null ? config.epochs : Math.max(config.epochs, Math.ceil(config.minSteps / stepsPerEpoch));
  const schedule = new LrSchedule(config.schedule, config.optimizer.learningRate, epochBudget, higherIsBetter);
  let rng = new Rng(options.seed).fork('trainer-batches');
  const records: EpochRecord[] = [];
  let best: { epoch: number; metric: number | null; model: StateDict | null; loss: StateDict | null } = { epoch: 0, metric: null, model: null, loss: null };
  let epochsDone = 0;
  let stopped = false;
  let secondsBefore = 0;
  let firstLoss: number | null = null;
  let stepsAbove = 0;
  const fingerprint = stableHash({
    config,
    seed: options.seed,
    classes,
    data: [data.train, data.validation, data.test].map((s) => s.map((e) => [e.id, e.label, e.frames])),
    bins: source.bins,
    model: model.id,
    loss: loss.id,
    variables: variables.map((v) => v.shape),
  });
  const file = options.checkpointDir ? path.join(options.checkpointDir, CHECKPOINT_FILE) : null;

  try {
    if (file && fs.existsSync(file)) {
      const ckpt = readCheckpoint(file);
      const meta = ckpt.meta as unknown as CheckpointMeta;
      if (meta.fingerprint !== fingerprint) {
        throw new SerError(
          'CHECKPOINT_INVALID',
          `${file} was written by a different cell (config, seed, data, model or loss differ: fingerprint ${meta.fingerprint} vs ${fingerprint}); use another checkpointDir or delete the file to start afresh.`,
          { details: { file, expected: fingerprint, found: meta.fingerprint } },
        );
      }
      model.setState(unprefixState('model/', ckpt.tensors));
      loss.setState(unprefixState('loss/', ckpt.tensors));
      optimizer.setState(unprefixState('optimizer/', ckpt.tensors));
      rng = new Rng(meta.rng);
      schedule.setState(meta.schedule);
      records.push(...meta.records);
      best = { ...meta.best, model: unprefixState('best.model/', ckpt.tensors), loss: unprefixState('best.loss/', ckpt.tensors) };
      epochsDone = meta.epochsDone;
      stopped = meta.stopped;
      secondsBefore = meta.seconds;
      firstLoss = meta.firstLoss ?? null;
      stepsAbove = meta.stepsAbove ?? 0;
      logger.info(`trainer: resuming from ${file} after epoch ${epochsDone}${stopped ? ' (training had finished)' : ''}`);
    }
    const resumedFromEpoch = epochsDone;
    const elapsed = () => secondsBefore + (performance.now() - started) / 1000;
    if (epochBudget > config.epochs && resumedFromEpoch === 0) {
      logger.info(`trainer: ${epochBudget} epochs instead of ${config.epochs}: minSteps ${config.minSteps} at ${stepsPerEpoch} batches per epoch`);
    }

    for (let epoch = epochsDone + 1; epoch <= epochBudget && !stopped; epoch++) {
      const epochStart = performance.now();
      const lr = schedule.rate(epoch, 1, stepsPerEpoch);
      const centersStart = readCenters(loss);
      const drawn = epochExamples(trainExamples, config.sampling, rng);
      const plan = planBatches(drawn, { batchSize: config.batchSize, bucketing: config.bucketing, windowBatches: config.bucketWindowBatches, rng });
      let termNames: string[] = [];
      let sums: number[] = [];
      let seen = 0;
      for (let s = 0; s < plan.batches.length; s++) {
        signal?.throwIfAborted();
        const hb = readTrainingBatch(plan.batches[s] as typeof drawn, source, config.augmentation, rng);
        const step = trainStep(options, variables, optimizer, hb, schedule.rate(epoch, s + 1, stepsPerEpoch), config.gradientClipNorm);
        termNames = step.termNames;
        const lossValue = step.values[0];
        firstLoss ??= lossValue;
        // floored so that a first loss of ~0 does not make every later step 'above' it
        const limit = config.divergence.factor === null ? Infinity : config.divergence.factor * Math.max(Math.abs(firstLoss), 1e-3);
        stepsAbove = lossValue > limit ? stepsAbove + 1 : 0;
        const nonFinite = !Number.isFinite(lossValue);
        if (nonFinite || stepsAbove >= config.divergence.steps) {
          const terms = termNames.map((k, j) => `${k}=${step.values[j + 1]}`).join(', ');
          const what = nonFinite
            ? `non-finite loss ${lossValue}`
            : `loss ${lossValue.toPrecision(4)} above ${config.divergence.factor} x the first step's ${firstLoss.toPrecision(4)} for ${stepsAbove} steps in a row`;
          const message = `${what} at epoch ${epoch}, step ${s + 1} (${terms}); lower optimizer.learningRate, set gradientClipNorm, or check the features for NaN`;
          logger.warn(`trainer: ${message}`);
          return {
            status: 'diverged',
            diverged: { code: nonFinite ? 'NON_FINITE_LOSS' : 'LOSS_DIVERGED', epoch, step: s + 1, message },
            bestEpoch: best.epoch,
            epochsRun: epochsDone,
            seconds: elapsed(),
            test: emptyEvalResult(numClasses),
            validation: emptyEvalResult(numClasses),
            epochs: records,
            predictions: [],
            resumedFromEpoch,
          };
        }
        if (sums.length === 0) sums = new Array<number>(step.values.length).fill(0);
        for (let k = 0; k < step.values.length; k++) sums[k] += step.values[k] * hb.n;
        seen += hb.n;
        progress?.({
          phase: 'train',
          epoch,
          epochs: epochBudget,
          step: s + 1,
          steps: plan.batches.length,
          terms: Object.fromEntries(termNames.map((k, j) => [k, step.values[j + 1]])),
          utterancesPerSecond: seen / ((performance.now() - epochStart) / 1000),
        });
        // let timers, I/O and abort signals in between steps
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const val = scoreSplit(options, epochBudget, 'validate', epoch, data.validation);
      const centersEnd = readCenters(loss);
      const stats = embeddingStats(val.embeddings, val.labels, numClasses, val.dim);
      const record: EpochRecord = {
        epoch,
        lr,
        trainLoss: sums[0] / seen,
        trainTerms: Object.fromEntries(termNames.map((k, j) => [k, sums[j + 1] / seen])),
        valLoss: val.result.loss,
        valUa: val.result.ua,
        valWa: val.result.wa,
        valMacroF1: val.result.macroF1,
        intraClassDistance: stats.intraClassDistance,
        interCenterDistance: stats.interCenterDistance,
        distanceRatio: stats.distanceRatio,
        centerDrift: centerDrift(centersStart, centersEnd),
        paddingFraction: plan.paddingFraction,
        seconds: (performance.now() - epochStart) / 1000,
      };
      records.push(record);
      const value = pickMetric(val.result, metric);
      schedule.observe(value);
      if (best.metric === null || (higherIsBetter ? value > best.metric : value < best.metric)) {
        // without restoreBest only the epoch is remembered (for early stopping); the last weights are scored
        const keep = config.earlyStopping.restoreBest;
        best = { epoch, metric: value, model: keep ? model.getState() : null, loss: keep ? loss.getState() : null };
      }
      const patience = config.earlyStopping.patience;
      if (patience !== null && epoch - best.epoch >= patience) stopped = true;
      epochsDone = epoch;
      if (file) {
        const meta: CheckpointMeta = {
          fingerprint,
          epochsDone,
          stopped,
          rng: rng.getState(),
          schedule: schedule.getState(),
          best: { epoch: best.epoch, metric: best.metric },
          records,
          firstLoss,
          stepsAbove,
          seconds: elapsed(),
          modelId: model.id,
          lossId: loss.id,
        };
        writeCheckpoint(file, {
          meta: meta as unknown as Record<string, unknown>,
          tensors: {
            ...prefixState('model/', model.getState()),
            ...prefixState('loss/', loss.getState()),
            ...prefixState('optimizer/', optimizer.getState()),
            ...prefixState('best.model/', best.model ?? {}),
            ...prefixState('best.loss/', best.loss ?? {}),
          },
        });
      }
      // debug: the progress callback (the CLI's progress printer) shows each epoch already
      logger.debug(
        `trainer: epoch ${epoch}/${epochBudget} lr ${lr.toPrecision(3)} train loss ${record.trainLoss.toFixed(4)} ` +
          `val loss ${record.valLoss.toFixed(4)} UA ${record.valUa.toFixed(4)} WA ${record.valWa.toFixed(4)} ` +
          `(best epoch ${best.epoch})${stopped ? ' -- early stop' : ''}`,
      );
      progress?.({
        phase: 'epoch',
        epoch,
        epochs: epochBudget,
        step: plan.batches.length,
        steps: plan.batches.length,
        terms: record.trainTerms,
        utterancesPerSecond: seen / record.seconds,
        record,
      });
    }

    // the selected weights: validation re-scored with them (identical to that epoch's pass), test scored once
    const selectedEpoch = config.earlyStopping.restoreBest ? best.epoch : epochsDone;
    if (config.earlyStopping.restoreBest && best.model) model.setState(best.model);
    if (config.earlyStopping.restoreBest && best.loss) loss.setState(best.loss);
    const val = scoreSplit(options, epochBudget, 'validate', epochsDone, data.validation);
    const test = scoreSplit(options, epochBudget, 'test', epochsDone, data.test);
    const centers = readCenters(loss);
    const predictions: PredictionRecord[] = [
      ...predictionRecords('validation', val, numClasses),
      ...predictionRecords('test', test, numClasses),
    ];
    return {
      status: 'ok',
      bestEpoch: selectedEpoch,
      epochsRun: epochsDone,
      seconds: elapsed(),
      test: test.result,
      validation: val.result,
      epochs: records,
      predictions,
      ...(centers ? { centers } : {}),
      resumedFromEpoch,
    };
  } finally {
    optimizer.dispose();
  }
}

/** One optimiser step: forward, loss and gradients in one tf.variableGrads, one sync (the loss values), update, afterStep. */
function trainStep(
  options: TrainCellOptions,
  variables: tf.Variable[],
  optimizer: TrainOptimizer,
  hb: HostBatch,
  lr: number,
  clipNorm: number | null,
): { values: Float32Array; termNames: string[] } {
  const { model, loss } = options;
  const t = batchTensors(hb);
  let termNames: string[] = [];
  let kept: tf.Tensor[] = [];
  let embeddings: tf.Tensor2D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(t.x, t.mask, true);
    const l = loss.compute({ embeddings: out.embeddings, logits: out.logits, labels: t.labels });
    termNames = Object.keys(l.terms);
    // variableGrads runs f in a tidy: keep what is needed after it (terms for the log, z for afterStep)
    embeddings = tf.keep(out.embeddings);
    kept = termNames.map((k) => tf.keep(l.terms[k]));
    return l.total;
  }, variables);
  const packed = tf.tidy(() => tf.stack([value, ...kept].map((x) => tf.cast(tf.reshape(x, []), 'float32'))));
  const values = packed.dataSync() as Float32Array;
  const gradList = variables.map((v) => grads[v.name] ?? null);
  try {
    if (Number.isFinite(values[0])) {
      const clipped = clipNorm !== null ? clipByGlobalNorm(gradList, clipNorm) : gradList;
      optimizer.step(clipped, lr);
      if (clipped !== gradList) tf.dispose(clipped.filter((g): g is tf.Tensor => g !== null));
      loss.afterStep?.({ embeddings: embeddings!, labels: t.labels });
    }
  } finally {
    tf.dispose([t.x, t.mask, t.labels, value, packed, ...kept, ...gradList.filter((g): g is tf.Tensor => g !== null)]);
    if (embeddings) tf.dispose(embeddings);
  }
  return { values, termNames };
}

/**
 * Batches per training epoch, from planBatches itself on a throwaway RNG: the count depends only on
 * the number of examples drawn per epoch, never on the order, and the trainer's own RNG stays untouched.
 */
function batchesPerEpoch(examples: readonly PlannedExample[], config: TrainerConfig): number {
  const rng = new Rng(0);
  const drawn = epochExamples(examples, config.sampling, rng);
  return planBatches(drawn, { batchSize: config.batchSize, bucketing: config.bucketing, windowBatches: config.bucketWindowBatches, rng }).batches.length;
}

function scoreSplit(options: TrainCellOptions, epochs: number, phase: 'validate' | 'test', epoch: number, examples: TrainCellOptions['data']['train']): SplitScores {
  const startedAt = performance.now();
  return evaluateSplit({
    model: options.model,
    loss: options.loss,
    examples,
    source: options.source,
    batchSize: options.config.evalBatchSize,
    numClasses: options.classes.length,
    onBatch: options.progress
      ? (step, steps, terms, seen) =>
          options.progress!({ phase, epoch, epochs, step, steps, terms, utterancesPerSecond: seen / ((performance.now() - startedAt) / 1000) })
      : undefined,
  });
}

function predictionRecords(split: 'validation' | 'test', s: SplitScores, numClasses: number): PredictionRecord[] {
  return s.ids.map((id, i) => ({
    utteranceId: id,
    split,
    label: s.labels[i],
    prediction: s.predictions[i],
    probabilities: Array.from(s.probabilities.subarray(i * numClasses, (i + 1) * numClasses)),
    embedding: Array.from(s.embeddings.subarray(i * s.dim, (i + 1) * s.dim)),
  }));
}

function pickMetric(r: EvalResult, metric: TrainerConfig['earlyStopping']['metric']): number {
  switch (metric) {
    case 'ua':
      return r.ua;
    case 'wa':
      return r.wa;
    case 'macroF1':
      return r.macroF1;
    case 'loss':
      return r.loss;
  }
}

/** The loss's centers as arrays, or undefined. Cloned in a tidy: works whether centers() returns its variable or a new tensor. */
function readCenters(loss: Loss): number[][] | undefined {
  if (!loss.centers) return undefined;
  let c: tf.Tensor2D | undefined;
  tf.tidy(() => {
    const t = loss.centers!();
    c = t ? tf.keep(tf.clone(t)) : undefined;
  });
  if (!c) return undefined;
  const out = c.arraySync();
  c.dispose();
  return out;
}

function checkInputs(o: TrainCellOptions): void {
  const k = o.classes.length;
  if (k < 2) throw new SerError('CONFIG_INVALID', `trainCell: classes has ${k} entries; a classifier needs at least 2.`);
  if (!(Number.isInteger(o.source.bins) && o.source.bins > 0)) {
    throw new SerError('CONFIG_INVALID', `trainCell: source.bins is ${o.source.bins}; it must be a positive integer (feature bins per frame).`);
  }
  for (const split of ['train', 'validation'] as const) {
    if (o.data[split].length === 0) {
      throw new SerError('CONFIG_INVALID', `trainCell: the ${split} split is empty; the fold must give it utterances (early stopping and model selection need validation).`);
    }
  }
  for (const split of ['train', 'validation', 'test'] as const) {
    for (const e of o.data[split]) {
      if (!(Number.isInteger(e.label) && e.label >= 0 && e.label < k)) {
        throw new SerError('DATASET_UNKNOWN_LABEL', `trainCell: ${split} utterance '${e.id}' has label ${e.label}; labels are class indices 0..${k - 1} of [${o.classes.join(', ')}].`);
      }
      if (!(Number.isInteger(e.frames) && e.frames > 0)) {
        throw new SerError('SHAPE_MISMATCH', `trainCell: ${split} utterance '${e.id}' has ${e.frames} frames; it must be a positive integer.`);
      }
    }
  }
}
