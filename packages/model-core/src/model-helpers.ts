import { SerError, type StateTensor } from '@ser/core';
import type { tf } from '@ser/engine';

/**
 * Seeds for a model's dropout masks, `${seed}:${counter++}`: each call its own mask, and a resumed
 * run the same ones, since the pair [seed, counter] is part of the model's state ('dropout').
 */
export class DropoutSeeds {
  private counter = 0;

  constructor(
    private seed: number,
    private readonly owner: string,
  ) {}

  /** The seed of the next dropout mask. */
  next(): string {
    return `${this.seed}:${this.counter++}`;
  }

  /** The state entry: [seed, counter]. */
  getState(): StateTensor {
    return { shape: [2], values: [this.seed, this.counter] };
  }

  /** Restores getState()'s entry; throws CHECKPOINT_INVALID for anything else. */
  setState(entry: StateTensor | undefined): void {
    if (entry === undefined || entry.values.length !== 2 || !entry.values.every(Number.isInteger)) {
      throw new SerError(
        'CHECKPOINT_INVALID',
        `${this.owner}: state needs 'dropout' as [seed, counter] integers; the checkpoint was not written by this model`,
      );
    }
    [this.seed, this.counter] = entry.values;
  }
}

/** Checks apply()'s inputs: batch [batch, frames, inputBins] and mask [batch, frames]; throws SHAPE_MISMATCH naming the model. */
export function checkModelInputs(owner: string, batch: tf.Tensor3D, mask: tf.Tensor2D, inputBins: number): void {
  if (batch.rank !== 3 || batch.shape[2] !== inputBins) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `${owner}.apply: batch must be [batch, frames, ${inputBins}], got [${batch.shape}]; the features' bins must match the model's inputBins`,
    );
  }
  if (mask.rank !== 2 || mask.shape[0] !== batch.shape[0] || mask.shape[1] !== batch.shape[1]) {
    throw new SerError('SHAPE_MISMATCH', `${owner}.apply: mask must be [${batch.shape[0]}, ${batch.shape[1]}], got [${mask.shape}]`);
  }
}
