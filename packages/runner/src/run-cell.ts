import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSerError, SerError, silentLogger, type Logger } from '@ser/core';
import { engineInfo } from '@ser/engine';
import { makeFolds, splitHash, type Corpus, type Fold } from '@ser/dataset-core';
import { prepareFoldFeatures, type ExtractProgress } from '@ser/features';
import { ResultStore, type CellRow, type EmbeddingRow, type EpochRow, type PredictionRow } from '@ser/store';
import { trainCell, type TrainProgress } from '@ser/trainer';
import type { Cell } from './cell.js';
import { failedCellRow, trainedCellRow, type CellProvenance } from './cell-row.js';
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
  /** Feature extraction's progress, file by file (the CLI draws it). */
  onExtractProgress?: (p: ExtractProgress) => void;
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
  const provenance: CellProvenance = { gitCommit: options.gitCommit ?? '', backend: engine.backend, versions: JSON.stringify(engine.versions) };
  let corpus: Corpus | undefined = options.corpus;
  try {
    corpus ??= await loadCorpus(cell.config.dataset, registry, { cacheDir, logger });
    provenance.dataset = corpus.dataset;
    provenance.classMap = corpus.classMap;
    provenance.classes = corpus.classes;
    const fold = findFold(corpus, cell);
    const { examples, source, normStats, skippedIds } = await prepareFoldFeatures(corpus, fold, {
      features: cell.config.features,
      cacheDir: path.join(cacheDir, 'features'),
      onBadAudio: cell.config.dataset.onBadAudio,
      logger,
      threads: options.extractThreads ?? os.availableParallelism(),
      label: `cell ${cell.index}`,
      onProgress: options.onExtractProgress,
    });
    provenance.skippedAudio = skippedIds.length;
    provenance.skippedAudioIds = skippedIds;
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
      const row = trainedCellRow(cell, outcome, provenance);
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
        paddingFraction: e.paddingFraction,
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
    const row = failedCellRow(cell, { code, message }, provenance, (Date.now() - started) / 1000);
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
    throw new SerError(
      'CELL_FAILED',
      `fold '${cell.fold}' is not among the folds of corpus '${corpus.dataset}' (${folds.map((f) => f.name).join(', ')}); the corpus changed since the sweep was planned -- plan it again`,
    );
  }
  const hash = splitHash(fold);
  if (hash !== cell.splitHash) {
    throw new SerError(
      'CELL_FAILED',
      `fold '${cell.fold}' of corpus '${corpus.dataset}' now has split hash ${hash}, planned with ${cell.splitHash}; the corpus changed since the sweep was planned -- plan it again`,
    );
  }
  return fold;
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
