import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSerError, SerError, silentLogger, type Logger } from '@ser/core';
import { engineInfo } from '@ser/engine';
import { makeFolds, splitHash, type Corpus, type Fold } from '@ser/dataset-core';
import { computeNormStats, extractCorpus, FeatureCache, normalise, segmentBounds, type FeatureMatrix, type NormStats } from '@ser/features';
import { ResultStore, type CellRow, type EmbeddingRow, type EpochRow, type NormStatsRecord, type PredictionRow } from '@ser/store';
import { trainCell, type Example, type TrainProgress } from '@ser/trainer';
import type { Cell } from './cell.js';
import { failedCellRow } from './cell-row.js';
import { defaultCacheDir, loadCorpus } from './plan-experiment.js';
import { findPlugin, ownConfig, type PluginRegistry } from './registry.js';

export interface RunCellOptions {
  cell: Cell;
  registry: PluginRegistry;
  /** The ResultStore folder; checkpoints go to <resultsDir>/checkpoints/<cellId> while the cell runs. */
  resultsDir: string;
  /** Cache root (default ~/.cache/ser): features in <cacheDir>/features, rendered corpora in <cacheDir>/datasets. */
  cacheDir?: string;
  /** The corpus, when the caller already loaded it (planExperiment's corpusOf). */
  corpus?: Corpus;
  gitCommit?: string;
  /** Engine identity for the row (default: engineInfo() of the initialised engine). */
  engine?: { backend: string; versions: Record<string, string | undefined> };
  logger?: Logger;
  progress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** Threads that extract the features not cached yet (default: every core; the CLI gives each of N parallel workers cores / N). */
  extractThreads?: number;
}

/**
 * The pipeline of one cell, as a worker runs it: load the corpus, make the folds, extract features
 * through the FeatureCache, global normalisation from the training fold only (when configured),
 * create model and loss, trainCell, store the CellRow with its epochs, predictions, embeddings and
 * centers. An exception becomes a 'failed' row with its SerError code ('CELL_FAILED' for other
 * errors); a diverged run becomes a 'diverged' row. Returns the stored row.
 */
export async function runCell(options: RunCellOptions): Promise<CellRow> {
  const { cell, registry } = options;
  const logger = options.logger ?? silentLogger;
  const store = new ResultStore(options.resultsDir);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const checkpointDir = path.join(store.dir, 'checkpoints', cell.cellId);
  const started = Date.now();
  const engine = options.engine ?? currentEngine();
  const identity: Partial<CellRow> = { gitCommit: options.gitCommit ?? '', backend: engine.backend, versions: JSON.stringify(engine.versions) };
  let corpus: Corpus | undefined = options.corpus;
  try {
    corpus ??= await loadCorpus(cell.config.dataset, registry, { cacheDir, logger });
    identity.dataset = corpus.dataset;
    identity.classMap = corpus.classMap;
    identity.classes = corpus.classes;
    const fold = findFold(corpus, cell);
    const { examples, source, normStats, skippedIds } = await prepareFeatures(cell, corpus, fold, path.join(cacheDir, 'features'), logger, options.extractThreads ?? os.availableParallelism());
    identity.skippedAudio = skippedIds.length;
    identity.skippedAudioIds = skippedIds;
    checkTestClasses(corpus, fold, examples.test, skippedIds);
    const modelDef = findPlugin(registry.models, cell.config.model.id, 'model');
    const lossDef = findPlugin(registry.losses, cell.config.loss.id, 'loss');
    const model = modelDef.create(ownConfig(cell.config.model), { inputBins: source.bins, numClasses: corpus.classes.length, seed: cell.seed, logger });
    let loss;
    try {
      loss = lossDef.create(ownConfig(cell.config.loss), { numClasses: corpus.classes.length, embeddingDim: model.embeddingDim, seed: cell.seed, logger });
      const outcome = await trainCell({
        model,
        loss,
        config: cell.config.trainer,
        classes: corpus.classes,
        data: examples,
        source,
        seed: cell.seed,
        checkpointDir,
        logger,
        progress: options.progress,
        signal: options.signal,
      });
      const classes = corpus.classes;
      const finite = (x: number) => (Number.isFinite(x) ? x : null);
      const row = failedCellRow(cell, { code: '', message: '' }, {
        ...identity,
        status: outcome.status,
        errorCode: outcome.diverged?.code ?? null,
        errorMessage: outcome.diverged ? `diverged at epoch ${outcome.diverged.epoch}, step ${outcome.diverged.step}: ${outcome.diverged.message}` : null,
        ua: finite(outcome.test.ua),
        wa: finite(outcome.test.wa),
        macroF1: finite(outcome.test.macroF1),
        valUa: finite(outcome.validation.ua),
        perClassRecall: outcome.test.perClassRecall,
        confusion: outcome.test.confusion,
        epochs: outcome.epochsRun,
        bestEpoch: outcome.bestEpoch,
        seconds: outcome.seconds,
        finishedAt: new Date().toISOString(),
      });
      const epochs: EpochRow[] = outcome.epochs.map((e) => ({
        cellId: cell.cellId,
        epoch: e.epoch,
        lr: e.lr,
        trainLoss: e.trainLoss,
        valLoss: e.valLoss,
        valUa: e.valUa,
        valWa: e.valWa,
        valMacroF1: e.valMacroF1,
        intraClassDistance: e.intraClassDistance,
        interCenterDistance: e.interCenterDistance,
        distanceRatio: e.distanceRatio,
        centerDrift: e.centerDrift,
        seconds: e.seconds,
        terms: e.trainTerms,
      }));
      const predictions: PredictionRow[] = outcome.predictions.map((p) => ({
        cellId: cell.cellId,
        utteranceId: p.utteranceId,
        split: p.split,
        label: classes[p.label],
        prediction: classes[p.prediction],
        probabilities: p.probabilities,
      }));
      const embeddings: EmbeddingRow[] = outcome.predictions.map((p) => ({
        cellId: cell.cellId,
        utteranceId: p.utteranceId,
        split: p.split,
        label: classes[p.label],
        embedding: p.embedding,
      }));
      for (const [j, center] of (outcome.centers ?? []).entries()) {
        embeddings.push({ cellId: cell.cellId, utteranceId: `center:${classes[j]}`, split: 'center', label: classes[j], embedding: center });
      }
      store.writeCell({ cell: row, epochs, predictions, embeddings, resolvedConfig: cell.config, normStats });
      // the result is stored; the checkpoint only served a resume of this cell
      fs.rmSync(checkpointDir, { recursive: true, force: true });
      return row;
    } finally {
      loss?.dispose();
      model.dispose();
    }
  } catch (err) {
    const code = isSerError(err) ? err.code : 'CELL_FAILED';
    const message = err instanceof Error ? err.message : String(err);
    logger.error(`cell ${cell.index} (${cell.cellId}) failed: ${code}: ${message}`);
    const row = failedCellRow(cell, { code, message }, { ...identity, seconds: (Date.now() - started) / 1000 });
    store.writeCell({ cell: row, epochs: [], predictions: [], embeddings: [], resolvedConfig: cell.config });
    return row;
  }
}

function currentEngine(): { backend: string; versions: Record<string, string | undefined> } {
  try {
    const info = engineInfo();
    return { backend: info.backend, versions: info.versions };
  } catch {
    return { backend: 'unknown', versions: {} };
  }
}

/** The cell's fold, made again from the corpus; its split must be the one the cell was planned with. */
function findFold(corpus: Corpus, cell: Cell): Fold {
  const folds = makeFolds(corpus, cell.config.dataset.protocol, cell.foldSeed);
  const fold = folds.find((f) => f.name === cell.fold);
  if (!fold) {
    throw new SerError('CELL_FAILED', `fold '${cell.fold}' is not among the folds of corpus '${corpus.dataset}' (${folds.map((f) => f.name).join(', ')}); the corpus changed since the sweep was planned -- plan it again`);
  }
  const hash = splitHash(fold);
  if (hash !== cell.splitHash) {
    throw new SerError('CELL_FAILED', `fold '${cell.fold}' of corpus '${corpus.dataset}' now has split hash ${hash}, planned with ${cell.splitHash}; the corpus changed since the sweep was planned -- plan it again`);
  }
  return fold;
}

/** Utterances whose features are extracted at a time: bounds memory while the cache is filled. */
const EXTRACT_CHUNK = 256;

/**
 * The fold's utterances as trainer examples, and a FeatureSource that streams their features from
 * the cache: every file is extracted (or found) once, then only its frame count stays in memory,
 * and each batch reads its entries back (global normalisation applied on read). With
 * features.segment the examples are fixed-length segments (segmentBounds: the last one keeps only
 * its real frames, masked in the batch) carrying their utterance's label and id, so validation and
 * test are scored per utterance by pooling the segments' outputs. The cache holds whole utterances.
 */
async function prepareFeatures(cell: Cell, corpus: Corpus, fold: Fold, featureCacheDir: string, logger: Logger, threads: number) {
  const segmentSpec = cell.config.features.segment;
  // segments are cut on read: the cached entries are the whole utterances, shared with unsegmented cells
  const features = { ...cell.config.features, segment: null };
  const byId = new Map(corpus.utterances.map((u) => [u.id, u]));
  const ids = [...fold.train, ...fold.validation, ...fold.test];
  const cache = new FeatureCache(featureCacheDir, { logger });
  const entries = new Map<string, { file: string; frames: number; bins: number }>();
  const skippedIds: string[] = [];
  const idOfPath = new Map(ids.map((id) => [byId.get(id)!.path, id]));
  for (let at = 0; at < ids.length; at += EXTRACT_CHUNK) {
    const chunk = ids.slice(at, at + EXTRACT_CHUNK);
    const { features: byPath, skipped } = await extractCorpus(chunk.map((id) => byId.get(id)!.path), features, {
      cache,
      onBadAudio: cell.config.dataset.onBadAudio === 'skip' ? 'skip' : 'stop',
      logger,
      // files not cached yet are extracted in parallel (a cell's features are made once, then read back)
      threads,
    });
    for (const s of skipped) skippedIds.push(idOfPath.get(s.path) ?? s.path);
    for (const id of chunk) {
      const audio = byId.get(id)!.path;
      const m = byPath.get(audio);
      if (!m) continue;
      const file = cache.entryFor(audio, features); // the content hash the cache just made: no second read
      entries.set(id, { file, frames: m.frames, bins: m.bins });
    }
  }
  if (skippedIds.length > 0) logger.warn(`cell ${cell.index}: ${skippedIds.length} utterances skipped for bad audio: ${skippedIds.join(', ')}`);
  const load = (id: string): FeatureMatrix => {
    const entry = entries.get(id);
    const m = entry && cache.read(entry.file);
    if (!m) throw new SerError('FEATURE_CACHE', `runCell: the cached features of utterance '${id}' are gone (${entry?.file ?? 'never extracted'}); was the feature cache cleared while the cell ran? Run the cell again`);
    return m;
  };
  let stats: NormStats | null = null;
  let normStats: NormStatsRecord | null = null;
  const statsOf = (list: readonly string[]) =>
    computeNormStats((function* () {
      for (const id of list) yield load(id);
    })());
  const normalisation = cell.config.features.normalisation;
  const speakerStats = new Map<string, NormStats>();
  if (normalisation === 'global' || normalisation === 'speaker') {
    // statistics of the training fold only: validation and test never leak into them
    const trained = fold.train.filter((id) => entries.has(id));
    stats = statsOf(trained);
    normStats = { fold: fold.name, utterances: trained.length, mean: Array.from(stats.mean), std: Array.from(stats.std) };
  }
  if (normalisation === 'speaker') {
    // each speaker by their own utterances' statistics (audio only, never labels), test speakers included
    const bySpeaker = new Map<string, string[]>();
    for (const id of entries.keys()) {
      const speaker = byId.get(id)!.speaker;
      const list = bySpeaker.get(speaker);
      if (list) list.push(id);
      else bySpeaker.set(speaker, [id]);
    }
    normStats!.utterances = entries.size;
    normStats!.perSpeaker = {};
    for (const [speaker, list] of bySpeaker) {
      const s = statsOf(list);
      speakerStats.set(speaker, s);
      normStats!.perSpeaker[speaker] = { utterances: list.length, mean: Array.from(s.mean), std: Array.from(s.std) };
    }
  }
  const classIndex = new Map(corpus.classes.map((c, i) => [c, i]));
  // a segment's id -> its utterance and frames
  const segments = new Map<string, { utteranceId: string; startFrame: number; validFrames: number }>();
  const toExamples = (list: string[]): Example[] =>
    list
      .filter((id) => entries.has(id))
      .flatMap((id) => {
        const label = classIndex.get(byId.get(id)!.label)!;
        const frames = entries.get(id)!.frames;
        if (!segmentSpec) return [{ id, label, frames }];
        return segmentBounds(frames, segmentSpec).map((b, k) => {
          const segId = `${id}#${k}`;
          segments.set(segId, { utteranceId: id, ...b });
          return { id: segId, utteranceId: id, label, frames: b.validFrames };
        });
      });
  const statsFor = (id: string): NormStats | null => (normalisation === 'speaker' ? speakerStats.get(byId.get(id)!.speaker)! : stats);
  const readUtterance = (id: string): Float32Array => {
    const s = statsFor(id);
    return (s ? normalise(load(id), s) : load(id)).data;
  };
  const first = entries.values().next().value;
  if (!first) {
    throw new SerError('DATASET_MISSING_FILES', `fold '${fold.name}' of corpus '${corpus.dataset}' has no readable utterances`);
  }
  return {
    examples: { train: toExamples(fold.train), validation: toExamples(fold.validation), test: toExamples(fold.test) },
    source: {
      bins: first.bins,
      read: (id: string) => {
        const seg = segments.get(id);
        if (!seg) return readUtterance(id);
        return readUtterance(seg.utteranceId).subarray(seg.startFrame * first.bins, (seg.startFrame + seg.validFrames) * first.bins);
      },
    },
    normStats,
    skippedIds,
  };
}

/**
 * Every class of the corpus must be in the test split: UA is the mean recall over the corpus'
 * classes, and a class missing from the test fold (bad files skipped, or a speaker who never
 * expressed it) would silently make it a mean over fewer classes, with another chance level.
 */
function checkTestClasses(corpus: Corpus, fold: Fold, test: readonly { label: number }[], skippedIds: readonly string[]): void {
  const present = new Set(test.map((e) => corpus.classes[e.label]));
  const missing = corpus.classes.filter((c) => !present.has(c));
  if (missing.length === 0) return;
  const testIds = new Set(fold.test);
  const byId = new Map(corpus.utterances.map((u) => [u.id, u]));
  const skippedTest = skippedIds.filter((id) => testIds.has(id) && missing.includes(byId.get(id)?.label ?? ''));
  const why =
    skippedTest.length > 0
      ? `its ${missing.join(', ')} utterances were skipped for bad audio (${skippedTest.join(', ')}); fix or replace those files`
      : `the fold has no ${missing.join(', ')} utterances; use a protocol whose test folds hold every class, or drop the class from dataset.classMap`;
  throw new SerError(
    'FOLD_MISSING_CLASS',
    `fold '${fold.name}': the test split has no ${missing.join(', ')} (the corpus has ${corpus.classes.join(', ')}), so its UA would be a mean over ${present.size} classes instead of ${corpus.classes.length}: ${why}`,
    { details: { fold: fold.name, missing, skipped: skippedTest } },
  );
}
