import { Rng, SerError, stableHash, type StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import type { Loss } from '@ser/loss-core';
import { croppedLengths, epochExamples, readTrainingBatch, type PlannedExample } from './augment.js';
import { batchTensors, planBatches, type HostBatch } from './batches.js';
import { resolveTrainerConfig, type TrainerConfig } from './config.js';
import { Checkpointer } from './internal/checkpointer.js';
import { DivergenceWatch } from './internal/divergence.js';
import { emptyEvalResult, evaluateSplit, type SplitScores } from './internal/evaluate.js';
import { centerDrift, embeddingStats } from './metrics.js';
import { clipByGlobalNorm, createOptimizer, type TrainOptimizer } from './optimizers.js';
import { LrSchedule } from './schedules.js';
import type { EpochRecord, PredictionRecord, TrainCellOptions, TrainOutcome } from './types.js';

export { CHECKPOINT_FILE } from './internal/checkpointer.js';

/**
 * Trains one cell: epochs (at least minSteps optimiser steps) of bucketed batches drawn by
 * `sampling` and augmented (training only), each a model -> loss -> one optimiser step at the
 * schedule's rate -> loss.afterStep; validation after each epoch, best-epoch selection and early
 * stopping on the validation metric, a checkpoint after every epoch (resumed from when present),
 * and at the end the validation and test splits scored once with the selected weights (the best
 * epoch's, or the last epoch's without restoreBest). A non-finite loss, or one above
 * divergence.factor x its first value for divergence.steps steps, ends the run with status
 * 'diverged' (a result, not an exception). The model and loss stay the caller's (not disposed);
 * they hold the selected weights afterwards.
 *
 * The stages are TrainingRun's methods, in the spirit of SpeechBrain's Brain (fit_batch,
 * evaluate_batch, on_stage_end): fitEpoch (fitBatch per batch), evaluateEpoch, onEpochEnd
 * (selection, early stop, checkpoint), finish.
 */
export async function trainCell(options: TrainCellOptions): Promise<TrainOutcome> {
  // a copy with the defaults filled in: the caller's config is left as it was
  options = { ...options, config: resolveTrainerConfig(options.config) };
  checkInputs(options);
  const run = new TrainingRun(options);
  try {
    run.resume();
    for (let epoch = run.epochsDone + 1; epoch <= run.epochBudget && !run.stopped; epoch++) {
      const fitted = await run.fitEpoch(epoch);
      if ('diverged' in fitted) return run.divergedOutcome(fitted.diverged);
      run.onEpochEnd(fitted, run.evaluateEpoch(fitted));
    }
    return run.finish();
  } finally {
    run.dispose();
  }
}

/** What fitEpoch hands to evaluateEpoch. */
interface FittedEpoch {
  epoch: number;
  lr: number;
  started: number;
  centersStart: number[][] | undefined;
  termNames: string[];
  /** Utterance-weighted sums of the loss total and each term. */
  sums: number[];
  seen: number;
  steps: number;
  paddingFraction: number;
}

/** The state of one cell's training, and its stages. */
class TrainingRun {
  readonly epochBudget: number;
  epochsDone = 0;
  stopped = false;
  private readonly started = performance.now();
  private readonly config: TrainerConfig;
  private readonly numClasses: number;
  private readonly higherIsBetter: boolean;
  private readonly variables: tf.Variable[];
  private readonly optimizer: TrainOptimizer;
  private readonly trainExamples: PlannedExample[];
  private readonly stepsPerEpoch: number;
  private readonly schedule: LrSchedule;
  private readonly divergence: DivergenceWatch;
  private readonly checkpointer: Checkpointer | null;
  private rng: Rng;
  private readonly records: EpochRecord[] = [];
  private best: { epoch: number; metric: number | null; model: StateDict | null; loss: StateDict | null } = { epoch: 0, metric: null, model: null, loss: null };
  private secondsBefore = 0;
  private resumedFromEpoch = 0;

  constructor(private readonly options: TrainCellOptions) {
    const { model, loss, config } = options;
    this.config = config;
    this.numClasses = options.classes.length;
    this.higherIsBetter = config.earlyStopping.metric !== 'loss';
    this.variables = [...model.trainableVariables, ...loss.trainableVariables];
    if (new Set(this.variables.map((v) => v.name)).size !== this.variables.length) {
      throw new SerError(
        'CONFIG_INVALID',
        `trainCell: the model (${model.id}) and loss (${loss.id}) share a variable name; give their variables unique names.`,
      );
    }
    // decoupled weight decay shrinks model weights only: shrinking centers or a loss's classifier is another method
    this.optimizer = createOptimizer(
      config.optimizer,
      this.variables,
      this.variables.map((_, i) => i < model.trainableVariables.length),
    );
    this.trainExamples = croppedLengths(options.data.train, config.augmentation.cropFrames);
    this.stepsPerEpoch = batchesPerEpoch(this.trainExamples, config);
    this.epochBudget = config.minSteps === null ? config.epochs : Math.max(config.epochs, Math.ceil(config.minSteps / this.stepsPerEpoch));
    this.schedule = new LrSchedule(config.schedule, config.optimizer.learningRate, this.epochBudget, this.higherIsBetter);
    this.divergence = new DivergenceWatch(config.divergence);
    this.rng = new Rng(options.seed).fork('trainer-batches');
    this.checkpointer = options.checkpointDir ? new Checkpointer(options.checkpointDir, this.fingerprint()) : null;
  }

  /** What a checkpoint must match to be resumed from: everything that shapes the run. */
  private fingerprint(): string {
    const { config, seed, classes, data, source, model, loss } = this.options;
    return stableHash({
      config,
      seed,
      classes,
      data: [data.train, data.validation, data.test].map((s) => s.map((e) => [e.id, e.label, e.frames])),
      bins: source.bins,
      model: model.id,
      loss: loss.id,
      variables: this.variables.map((v) => v.shape),
    });
  }

  private elapsed(): number {
    return this.secondsBefore + (performance.now() - this.started) / 1000;
  }

  /** Continues from the checkpoint when there is one; announces a raised epoch budget on a fresh start. */
  resume(): void {
    const { model, loss, logger } = this.options;
    const saved = this.checkpointer?.load();
    if (saved) {
      const { meta, tensors } = saved;
      model.setState(tensors.model);
      loss.setState(tensors.loss);
      this.optimizer.setState(tensors.optimizer);
      this.rng = new Rng(meta.rng);
      this.schedule.setState(meta.schedule);
      this.records.push(...meta.records);
      this.best = { ...meta.best, model: tensors.bestModel, loss: tensors.bestLoss };
      this.epochsDone = meta.epochsDone;
      this.stopped = meta.stopped;
      this.secondsBefore = meta.seconds;
      this.divergence.firstLoss = meta.firstLoss;
      this.divergence.stepsAbove = meta.stepsAbove;
      this.resumedFromEpoch = meta.epochsDone;
      logger.info(`trainer: resuming from ${this.checkpointer!.file} after epoch ${this.epochsDone}${this.stopped ? ' (training had finished)' : ''}`);
    } else if (this.epochBudget > this.config.epochs) {
      logger.info(
        `trainer: ${this.epochBudget} epochs instead of ${this.config.epochs}: minSteps ${this.config.minSteps} at ${this.stepsPerEpoch} batches per epoch`,
      );
    }
  }

  /** One epoch of optimiser steps over the drawn, batched and augmented training examples. */
  async fitEpoch(epoch: number): Promise<FittedEpoch | { diverged: NonNullable<TrainOutcome['diverged']> }> {
    const { source, progress, signal, logger } = this.options;
    const config = this.config;
    const started = performance.now();
    const lr = this.schedule.rate(epoch, 1, this.stepsPerEpoch);
    const centersStart = readCenters(this.options.loss);
    const drawn = epochExamples(this.trainExamples, config.sampling, this.rng);
    const plan = planBatches(drawn, { batchSize: config.batchSize, bucketing: config.bucketing, windowBatches: config.bucketWindowBatches, rng: this.rng });
    const fitted: FittedEpoch = {
      epoch,
      lr,
      started,
      centersStart,
      termNames: [],
      sums: [],
      seen: 0,
      steps: plan.batches.length,
      paddingFraction: plan.paddingFraction,
    };
    for (let s = 0; s < plan.batches.length; s++) {
      signal?.throwIfAborted();
      const hb = readTrainingBatch(plan.batches[s] as typeof drawn, source, config.augmentation, this.rng);
      const step = this.fitBatch(hb, this.schedule.rate(epoch, s + 1, this.stepsPerEpoch));
      fitted.termNames = step.termNames;
      const verdict = this.divergence.observe(step.values[0]);
      if (verdict) {
        const terms = step.termNames.map((k, j) => `${k}=${step.values[j + 1]}`).join(', ');
        const message = `${verdict.what} at epoch ${epoch}, step ${s + 1} (${terms}); lower optimizer.learningRate, set gradientClipNorm, or check the features for NaN`;
        logger.warn(`trainer: ${message}`);
        return { diverged: { code: verdict.code, epoch, step: s + 1, message } };
      }
      if (fitted.sums.length === 0) fitted.sums = new Array<number>(step.values.length).fill(0);
      for (let k = 0; k < step.values.length; k++) fitted.sums[k] += step.values[k] * hb.n;
      fitted.seen += hb.n;
      progress?.({
        phase: 'train',
        epoch,
        epochs: this.epochBudget,
        step: s + 1,
        steps: plan.batches.length,
        terms: Object.fromEntries(step.termNames.map((k, j) => [k, step.values[j + 1]])),
        utterancesPerSecond: fitted.seen / ((performance.now() - started) / 1000),
      });
      // let timers, I/O and abort signals in between steps
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return fitted;
  }

  /** One optimiser step on one batch. */
  private fitBatch(hb: HostBatch, lr: number): { values: Float32Array; termNames: string[] } {
    return trainStep(this.options, this.variables, this.optimizer, hb, lr, this.config.gradientClipNorm);
  }

  /** Validation after an epoch: its scores and embedding statistics make the epoch's record. */
  evaluateEpoch(fitted: FittedEpoch): EpochRecord {
    const { epoch, sums, seen, termNames } = fitted;
    const val = this.scoreSplit('validate', epoch, this.options.data.validation);
    const stats = embeddingStats(val.embeddings, val.labels, this.numClasses, val.dim);
    return {
      epoch,
      lr: fitted.lr,
      trainLoss: sums[0] / seen,
      trainTerms: Object.fromEntries(termNames.map((k, j) => [k, sums[j + 1] / seen])),
      valLoss: val.result.loss,
      valUa: val.result.ua,
      valWa: val.result.wa,
      valMacroF1: val.result.macroF1,
      intraClassDistance: stats.intraClassDistance,
      interCenterDistance: stats.interCenterDistance,
      distanceRatio: stats.distanceRatio,
      centerDrift: centerDrift(fitted.centersStart, readCenters(this.options.loss)),
      paddingFraction: fitted.paddingFraction,
      seconds: (performance.now() - fitted.started) / 1000,
    };
  }

  /** The end of an epoch: the schedule and the best epoch see its metric, early stopping, the checkpoint, the log and progress. */
  onEpochEnd(fitted: FittedEpoch, record: EpochRecord): void {
    const { model, loss, logger, progress } = this.options;
    const { epoch } = record;
    this.records.push(record);
    const value = pickMetric(record, this.config.earlyStopping.metric);
    this.schedule.observe(value);
    if (this.best.metric === null || (this.higherIsBetter ? value > this.best.metric : value < this.best.metric)) {
      // without restoreBest only the epoch is remembered (for early stopping); the last weights are scored
      const keep = this.config.earlyStopping.restoreBest;
      this.best = { epoch, metric: value, model: keep ? model.getState() : null, loss: keep ? loss.getState() : null };
    }
    const patience = this.config.earlyStopping.patience;
    if (patience !== null && epoch - this.best.epoch >= patience) this.stopped = true;
    this.epochsDone = epoch;
    this.checkpointer?.save(
      {
        epochsDone: this.epochsDone,
        stopped: this.stopped,
        rng: this.rng.getState(),
        schedule: this.schedule.getState(),
        best: { epoch: this.best.epoch, metric: this.best.metric },
        records: this.records,
        firstLoss: this.divergence.firstLoss,
        stepsAbove: this.divergence.stepsAbove,
        seconds: this.elapsed(),
        modelId: model.id,
        lossId: loss.id,
      },
      {
        model: model.getState(),
        loss: loss.getState(),
        optimizer: this.optimizer.getState(),
        bestModel: this.best.model ?? {},
        bestLoss: this.best.loss ?? {},
      },
    );
    // debug: the progress callback (the CLI's progress printer) shows each epoch already
    logger.debug(
      `trainer: epoch ${epoch}/${this.epochBudget} lr ${record.lr.toPrecision(3)} train loss ${record.trainLoss.toFixed(4)} ` +
        `val loss ${record.valLoss.toFixed(4)} UA ${record.valUa.toFixed(4)} WA ${record.valWa.toFixed(4)} ` +
        `(best epoch ${this.best.epoch})${this.stopped ? ' -- early stop' : ''}`,
    );
    const steps = fitted.steps;
    progress?.({
      phase: 'epoch',
      epoch,
      epochs: this.epochBudget,
      step: steps,
      steps,
      terms: record.trainTerms,
      utterancesPerSecond: fitted.seen / record.seconds,
      record,
    });
  }

  /** The selected weights (best or last epoch) restored; validation re-scored with them (identical to that epoch's pass), test scored once. */
  finish(): TrainOutcome {
    const { model, loss } = this.options;
    const restoreBest = this.config.earlyStopping.restoreBest;
    if (restoreBest && this.best.model) model.setState(this.best.model);
    if (restoreBest && this.best.loss) loss.setState(this.best.loss);
    const val = this.scoreSplit('validate', this.epochsDone, this.options.data.validation);
    const test = this.scoreSplit('test', this.epochsDone, this.options.data.test);
    const centers = readCenters(loss);
    return {
      status: 'ok',
      bestEpoch: restoreBest ? this.best.epoch : this.epochsDone,
      epochsRun: this.epochsDone,
      seconds: this.elapsed(),
      test: test.result,
      validation: val.result,
      epochs: this.records,
      predictions: [...predictionRecords('validation', val, this.numClasses), ...predictionRecords('test', test, this.numClasses)],
      ...(centers ? { centers } : {}),
      resumedFromEpoch: this.resumedFromEpoch,
    };
  }

  /** A diverged run is a result: the epochs it completed, no scores. */
  divergedOutcome(diverged: NonNullable<TrainOutcome['diverged']>): TrainOutcome {
    return {
      status: 'diverged',
      diverged,
      bestEpoch: this.best.epoch,
      epochsRun: this.epochsDone,
      seconds: this.elapsed(),
      test: emptyEvalResult(this.numClasses),
      validation: emptyEvalResult(this.numClasses),
      epochs: this.records,
      predictions: [],
      resumedFromEpoch: this.resumedFromEpoch,
    };
  }

  private scoreSplit(phase: 'validate' | 'test', epoch: number, examples: TrainCellOptions['data']['train']): SplitScores {
    const { progress } = this.options;
    const startedAt = performance.now();
    return evaluateSplit({
      model: this.options.model,
      loss: this.options.loss,
      examples,
      source: this.options.source,
      batchSize: this.config.evalBatchSize,
      numClasses: this.numClasses,
      onBatch: progress
        ? (step, steps, terms, seen) =>
            progress({ phase, epoch, epochs: this.epochBudget, step, steps, terms, utterancesPerSecond: seen / ((performance.now() - startedAt) / 1000) })
        : undefined,
    });
  }

  dispose(): void {
    this.optimizer.dispose();
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

function pickMetric(r: EpochRecord, metric: TrainerConfig['earlyStopping']['metric']): number {
  switch (metric) {
    case 'ua':
      return r.valUa;
    case 'wa':
      return r.valWa;
    case 'macroF1':
      return r.valMacroF1;
    case 'loss':
      return r.valLoss;
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
      throw new SerError(
        'CONFIG_INVALID',
        `trainCell: the ${split} split is empty; the fold must give it utterances (early stopping and model selection need validation).`,
      );
    }
  }
  for (const split of ['train', 'validation', 'test'] as const) {
    for (const e of o.data[split]) {
      if (!(Number.isInteger(e.label) && e.label >= 0 && e.label < k)) {
        throw new SerError(
          'DATASET_UNKNOWN_LABEL',
          `trainCell: ${split} utterance '${e.id}' has label ${e.label}; labels are class indices 0..${k - 1} of [${o.classes.join(', ')}].`,
        );
      }
      if (!(Number.isInteger(e.frames) && e.frames > 0)) {
        throw new SerError('SHAPE_MISMATCH', `trainCell: ${split} utterance '${e.id}' has ${e.frames} frames; it must be a positive integer.`);
      }
    }
  }
}
