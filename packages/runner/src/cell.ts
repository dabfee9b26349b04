import { SerError, deepFreeze, stableHash } from '@ser/core';
import type { ParamValue } from '@ser/store';
import { expandSweepPoints } from '@ser/config';
import type { ExperimentConfig, LoadedExperiment } from '@ser/config';

/** A fold as the planner needs it: its name and the hash of its split manifest (splitHash of @ser/dataset-core). */
export interface FoldRef {
  name: string;
  splitHash: string;
}

/** A cell's resolved config: the sweep point's config with `seed` set to the cell's seed, without `sweep` and `output`. */
export type CellConfig = Omit<ExperimentConfig, 'sweep' | 'output'>;

/** One unit of work: (sweep point, fold, seed), with everything a worker needs to run and store it. */
export interface Cell {
  /** Position in the sweep: points x folds x seeds, seeds varying fastest. `ser cell FILE --index N` selects it. */
  index: number;
  /** stableHash({ configHash, splitHash, codeVersion }, 16): the cell's file name in the store. */
  cellId: string;
  experiment: string;
  /** Index of the sweep point (grid x zip, then explicit points). */
  pointIndex: number;
  /** The sweep point's varied keys, e.g. { 'loss.lambda': 0.01 }. */
  params: Record<string, ParamValue>;
  fold: string;
  seed: number;
  /** The seed the folds were made with (the point's own `seed`, before the cell seed replaces it), so validation speakers stay fixed across seeds. */
  foldSeed: number;
  /** Deep-frozen resolved config of this cell. */
  config: CellConfig;
  /** stableHash of `config` (sha256 hex). */
  configHash: string;
  splitHash: string;
  codeVersion: string;
}

/** Folds of a sweep point: the same list for every point, or a function of the point (when the sweep varies the dataset or protocol). */
export type FoldsSpec = readonly FoldRef[] | ((point: { params: Record<string, ParamValue>; config: ExperimentConfig }) => readonly FoldRef[]);

/**
 * Expands an experiment into its cells: sweep points (expandSweepPoints) x selected folds
 * (sweep.folds: 'all', names, or the first N) x sweep.seeds. Ids depend only on each cell's own
 * config, split and code version, so extending a grid or adding seeds keeps the old ids.
 */
export function planCells(loaded: LoadedExperiment | ExperimentConfig, options: { folds: FoldsSpec; codeVersion: string }): Cell[] {
  const experiment = 'hash' in loaded && 'sources' in loaded ? loaded.config : (loaded as ExperimentConfig);
  const seeds = experiment.sweep.seeds.length > 0 ? experiment.sweep.seeds : [experiment.seed];
  const cells: Cell[] = [];
  for (const point of expandSweepPoints(loaded)) {
    const all =
      typeof options.folds === 'function' ? options.folds({ params: point.params as Record<string, ParamValue>, config: point.config }) : options.folds;
    const folds = selectFolds(all, experiment.sweep.folds);
    for (const fold of folds) {
      for (const seed of seeds) {
        const { sweep: _sweep, output: _output, ...rest } = point.config;
        const config = deepFreeze(structuredClone({ ...rest, seed })) as CellConfig;
        const configHash = stableHash(config);
        cells.push({
          index: cells.length,
          cellId: stableHash({ configHash, splitHash: fold.splitHash, codeVersion: options.codeVersion }, 16),
          experiment: experiment.name,
          pointIndex: point.index,
          params: { ...(point.params as Record<string, ParamValue>) },
          fold: fold.name,
          seed,
          foldSeed: point.config.seed,
          config,
          configHash,
          splitHash: fold.splitHash,
          codeVersion: options.codeVersion,
        });
      }
    }
  }
  const seen = new Map<string, Cell>();
  for (const c of cells) {
    const twin = seen.get(c.cellId);
    if (twin) {
      throw new SerError(
        'CONFIG_INVALID',
        `sweep cells ${twin.index} and ${c.index} are the same cell (same config, fold and seed: ${JSON.stringify(c.params)}, fold ${c.fold}, seed ${c.seed}); remove the duplicate sweep point or seed`,
        {
          details: { cellId: c.cellId },
        },
      );
    }
    seen.set(c.cellId, c);
  }
  return cells;
}

function selectFolds(all: readonly FoldRef[], which: ExperimentConfig['sweep']['folds']): readonly FoldRef[] {
  if (which === 'all') return all;
  if (typeof which === 'number') {
    if (which < 1 || which > all.length) {
      throw new SerError(
        'CONFIG_INVALID',
        `sweep.folds is ${which}, but the protocol makes ${all.length} folds; use a number from 1 to ${all.length} or 'all'`,
      );
    }
    return all.slice(0, which);
  }
  return which.map((name) => {
    const f = all.find((x) => x.name === name);
    if (!f) {
      throw new SerError(
        'CONFIG_INVALID',
        `sweep.folds names fold '${name}', which the protocol does not make; its folds are: ${all.map((x) => x.name).join(', ')}`,
      );
    }
    return f;
  });
}
