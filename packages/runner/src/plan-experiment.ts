import os from 'node:os';
import path from 'node:path';
import { silentLogger, stableHash, type Logger } from '@ser/core';
import { expandSweepPoints, type ExperimentConfig, type LoadedExperiment } from '@ser/config';
import { makeFolds, splitHash, type Corpus, type Fold } from '@ser/dataset-core';
import { planCells, type Cell } from './cell.js';
import { findPlugin, ownConfig, type PluginRegistry } from './registry.js';

/** The default cache root: ~/.cache/ser (features in features/, rendered corpora in datasets/<id>/); shared by all experiments, keyed by content. */
export function defaultCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'ser');
}

/** Loads a dataset plugin's corpus for a dataset config block (its own keys, without id, protocol, onBadAudio). */
export async function loadCorpus(
  dataset: ExperimentConfig['dataset'],
  registry: PluginRegistry,
  options: { cacheDir?: string; logger?: Logger; configFile?: string } = {},
): Promise<Corpus> {
  const def = findPlugin(registry.datasets, dataset.id, 'dataset');
  const cacheDir = path.join(options.cacheDir ?? defaultCacheDir(), 'datasets', dataset.id);
  return def.load(ownConfig(dataset, ['protocol', 'onBadAudio']), { logger: options.logger ?? silentLogger, cacheDir, configFile: options.configFile });
}

/** A planned experiment: its cells, and the corpus and folds each cell was planned with. */
export interface PlannedExperiment {
  cells: Cell[];
  corpusOf(cell: Cell): Corpus;
  foldOf(cell: Cell): Fold;
}

/**
 * Plans an experiment's cells with real folds: loads each distinct dataset config once, makes its
 * folds with the point's own seed (makeFolds), and calls planCells. `ser plan`, `ser run` and
 * `ser cell` all plan this way, so a worker finds the same cell at the same index.
 */
export async function planExperiment(
  loaded: LoadedExperiment,
  options: { registry: PluginRegistry; codeVersion: string; cacheDir?: string; logger?: Logger },
): Promise<PlannedExperiment> {
  const corpora = new Map<string, Promise<Corpus>>();
  const folds = new Map<string, { corpus: Corpus; folds: Fold[] }>();
  const keyOf = (config: ExperimentConfig) => stableHash({ dataset: config.dataset, seed: config.seed });
  for (const point of expandSweepPoints(loaded)) {
    const key = keyOf(point.config);
    if (folds.has(key)) continue;
    const corpusKey = stableHash(ownConfig(point.config.dataset, ['protocol']));
    if (!corpora.has(corpusKey))
      corpora.set(corpusKey, loadCorpus(point.config.dataset, options.registry, { ...options, configFile: whereWritten(loaded, 'dataset.path') }));
    const corpus = await corpora.get(corpusKey)!;
    folds.set(key, { corpus, folds: makeFolds(corpus, point.config.dataset.protocol, point.config.seed) });
  }
  const cells = planCells(loaded, {
    codeVersion: options.codeVersion,
    folds: (point) => folds.get(keyOf(point.config))!.folds.map((f) => ({ name: f.name, splitHash: splitHash(f) })),
  });
  const entryOf = (cell: Cell) => folds.get(keyOf({ ...cell.config, seed: cell.foldSeed } as ExperimentConfig))!;
  return {
    cells,
    corpusOf: (cell) => entryOf(cell).corpus,
    foldOf: (cell) => entryOf(cell).folds.find((f) => f.name === cell.fold)!,
  };
}

/** Where a key was written, for error messages: 'file:line:column', the override, or the experiment file. */
function whereWritten(loaded: LoadedExperiment, key: string): string {
  const at = loaded.sources[key];
  if (at?.kind === 'file') return `${at.file}:${at.line}:${at.column}`;
  if (at?.kind === 'override') return `the command-line override '${at.text}'`;
  return loaded.file;
}
