import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { consoleLogger, SerError } from '@ser/core';
import { loadExperiment } from '@ser/config';
import type { ExperimentConfig } from '@ser/config';
import { describeCorpus, makeFolds } from '@ser/dataset-core';
import { writeSyntheticCorpus } from '@ser/datasets';
import { defaultCacheDir, loadCorpus } from '@ser/runner';
import { plugins } from '../plugins.js';
import { workspaceRoot } from '../version.js';

/**
 * Loads the experiment `ser data describe` works on: an experiment file as it is, or a dataset
 * piece (a YAML whose top level has `id`, like configs/dataset/emodb.yaml) composed into a
 * minimal experiment, so its errors still point into the piece.
 */
export function loadForDescribe(file: string, overrides: string[]): ExperimentConfig {
  if (!fs.existsSync(file)) throw new SerError('CONFIG_NOT_FOUND', `file not found: ${file}`);
  let top: unknown;
  try {
    top = parse(fs.readFileSync(file, 'utf8'));
  } catch {
    top = undefined; // loadExperiment reports the syntax error with its position
  }
  const isPiece = !!top && typeof top === 'object' && 'id' in (top as object) && !('dataset' in (top as object));
  if (!isPiece) return loadExperiment(file, { overrides, plugins }).config;
  const abs = path.resolve(file);
  return loadExperiment(path.join(workspaceRoot, 'packages', 'cli', 'assets', 'describe-dataset.yaml'), {
    overrides: [`dataset=${path.basename(abs, path.extname(abs))}`, ...overrides],
    plugins,
    configsDir: path.dirname(path.dirname(abs)),
  }).config;
}

/** `ser data describe FILE`: counts per label, speaker and fold, duration, split hashes. */
export async function dataDescribeCommand(file: string, overrides: string[]): Promise<void> {
  const config = loadForDescribe(file, overrides);
  const logger = consoleLogger();
  const corpus = await loadCorpus(config.dataset, plugins, { logger, cacheDir: process.env.SER_CACHE_DIR ?? defaultCacheDir(), configFile: file });
  const folds = makeFolds(corpus, config.dataset.protocol, config.seed);
  process.stdout.write(describeCorpus(corpus, folds) + '\n');
}

/** `ser data synth --out DIR`: the built-in corpus as WAV files plus manifest.csv. */
export async function dataSynthCommand(opts: { out: string; seed: number; speakers?: number; perClass?: number; difficulty?: number }): Promise<void> {
  const config: Record<string, unknown> = { seed: opts.seed };
  if (opts.speakers !== undefined) config.speakers = opts.speakers;
  if (opts.perClass !== undefined) config.utterancesPerSpeakerPerClass = opts.perClass;
  if (opts.difficulty !== undefined) config.difficulty = opts.difficulty;
  const t0 = Date.now();
  const result = await writeSyntheticCorpus(opts.out, config as any);
  process.stdout.write(
    `wrote ${(result as any).utterances?.length ?? ''} utterances to ${opts.out} (manifest.csv beside them) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
