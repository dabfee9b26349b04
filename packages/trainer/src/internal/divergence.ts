import type { DivergenceConfig } from '../config.js';

/** Why a run is stopped as diverged. */
export interface DivergenceVerdict {
  code: 'NON_FINITE_LOSS' | 'LOSS_DIVERGED';
  /** What was seen, for the message. */
  what: string;
}

/**
 * The divergence rule, step by step: a non-finite training loss, or one above factor x the first
 * step's loss (floored at 1e-3, so a first loss of ~0 does not make every later step 'above' it)
 * for `steps` optimiser steps in a row. Its state is part of the checkpoint.
 */
export class DivergenceWatch {
  firstLoss: number | null = null;
  stepsAbove = 0;

  constructor(private readonly config: DivergenceConfig) {}

  /** Feeds one step's training loss; a verdict when the run has diverged. */
  observe(lossValue: number): DivergenceVerdict | null {
    this.firstLoss ??= lossValue;
    const limit = this.config.factor === null ? Infinity : this.config.factor * Math.max(Math.abs(this.firstLoss), 1e-3);
    this.stepsAbove = lossValue > limit ? this.stepsAbove + 1 : 0;
    if (!Number.isFinite(lossValue)) return { code: 'NON_FINITE_LOSS', what: `non-finite loss ${lossValue}` };
    if (this.stepsAbove >= this.config.steps) {
      return {
        code: 'LOSS_DIVERGED',
        what: `loss ${lossValue.toPrecision(4)} above ${this.config.factor} x the first step's ${this.firstLoss.toPrecision(4)} for ${this.stepsAbove} steps in a row`,
      };
    }
    return null;
  }
}
