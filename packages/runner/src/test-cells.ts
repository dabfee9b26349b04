// Hand-made cells for the pool tests (excluded from the build): what planCells would give, without a dataset.
import { stableHash } from '@ser/core';
import type { Cell, CellConfig } from './cell.js';

export function fakeCells(n: number, experiment = 'pool-test'): Cell[] {
  return Array.from({ length: n }, (_, index) => {
    const seed = index % 2;
    const config = {
      name: experiment,
      seed,
      loss: { id: 'center', lambda: 0.001 * (index >> 1) },
      model: { id: 'cnn-birnn' },
      dataset: { id: 'synthetic', protocol: { id: 'leave-one-speaker-out', validationSpeakers: 1 }, onBadAudio: 'skip' },
      trainer: { epochs: 3 },
    } as unknown as CellConfig;
    const configHash = stableHash(config);
    return {
      index,
      cellId: stableHash({ configHash, splitHash: 'split0', codeVersion: 'test' }, 16),
      experiment,
      pointIndex: index >> 1,
      params: { 'loss.lambda': 0.001 * (index >> 1) },
      fold: 'speaker-01',
      seed,
      foldSeed: 0,
      config,
      configHash,
      splitHash: 'split0',
      codeVersion: 'test',
    };
  });
}

/** What the fixture worker (test-pool-worker.ts) reads from its "experiment file". */
export interface PoolWorkerSpec {
  resultsDir: string;
  /** Folder for the worker's attempt and barrier markers. */
  markerDir: string;
  cells: Cell[];
  /** Indices killed by SIGKILL on every attempt. */
  crash?: number[];
  /** Indices that exit 137 without a result on their first attempt only. */
  crashOnce?: number[];
  /** Indices that never finish. */
  hang?: number[];
  /** Indices that store a 'failed' row themselves (CELL_FAILED) and exit 1. */
  fail?: number[];
  /** Indices that wait until all of them have started: they finish only if run in parallel. */
  barrier?: number[];
  /** Busy work per cell in ms: [min, max), drawn from the cell seed and index. */
  workMs?: [number, number];
}
