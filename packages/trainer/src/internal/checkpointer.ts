import fs from 'node:fs';
import path from 'node:path';
import { SerError, type StateDict } from '@ser/core';
import type { ScheduleState } from '../schedules.js';
import type { EpochRecord } from '../types.js';
import { prefixState, readCheckpoint, unprefixState, writeCheckpoint } from '../checkpoint.js';

/** The checkpoint's file name inside checkpointDir. */
export const CHECKPOINT_FILE = 'trainer-checkpoint.bin';

/** Everything but the tensors a resumed run needs to continue exactly where it stopped. */
export interface CheckpointMeta {
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

/** The tensors of a checkpoint, by owner: the current weights and optimiser slots, and the best epoch's weights. */
export interface CheckpointTensors {
  model: StateDict;
  loss: StateDict;
  optimizer: StateDict;
  bestModel: StateDict;
  bestLoss: StateDict;
}

const PREFIXES: Record<keyof CheckpointTensors, string> = {
  model: 'model/',
  loss: 'loss/',
  optimizer: 'optimizer/',
  bestModel: 'best.model/',
  bestLoss: 'best.loss/',
};

/**
 * One cell's checkpoint file (checkpointDir/CHECKPOINT_FILE), written after every epoch and read
 * back on start. The fingerprint (config, seed, data, model, loss, variable shapes) guards against
 * resuming another cell's run from it.
 */
export class Checkpointer {
  readonly file: string;

  constructor(
    checkpointDir: string,
    private readonly fingerprint: string,
  ) {
    this.file = path.join(checkpointDir, CHECKPOINT_FILE);
  }

  /** The saved state, or null when there is none; throws CHECKPOINT_INVALID when it belongs to another cell. */
  load(): { meta: CheckpointMeta; tensors: CheckpointTensors } | null {
    if (!fs.existsSync(this.file)) return null;
    const ckpt = readCheckpoint(this.file);
    const meta = ckpt.meta as unknown as CheckpointMeta;
    if (meta.fingerprint !== this.fingerprint) {
      throw new SerError(
        'CHECKPOINT_INVALID',
        `${this.file} was written by a different cell (config, seed, data, model or loss differ: fingerprint ${meta.fingerprint} vs ${this.fingerprint}); use another checkpointDir or delete the file to start afresh.`,
        { details: { file: this.file, expected: this.fingerprint, found: meta.fingerprint } },
      );
    }
    const tensors = Object.fromEntries(
      Object.entries(PREFIXES).map(([owner, prefix]) => [owner, unprefixState(prefix, ckpt.tensors)]),
    ) as unknown as CheckpointTensors;
    // written before firstLoss/stepsAbove were part of it
    return { meta: { ...meta, firstLoss: meta.firstLoss ?? null, stepsAbove: meta.stepsAbove ?? 0 }, tensors };
  }

  save(meta: Omit<CheckpointMeta, 'fingerprint'>, tensors: CheckpointTensors): void {
    const all: StateDict = {};
    for (const [owner, prefix] of Object.entries(PREFIXES)) Object.assign(all, prefixState(prefix, tensors[owner as keyof CheckpointTensors]));
    writeCheckpoint(this.file, { meta: { fingerprint: this.fingerprint, ...meta } as unknown as Record<string, unknown>, tensors: all });
  }
}
