import type { ScheduleConfig } from './config.js';

/** The plateau schedule's memory; part of the checkpoint so a resumed run reduces at the same epochs. */
export interface ScheduleState {
  lr: number;
  best: number | null;
  badEpochs: number;
}

/**
 * A learning-rate schedule, consulted before each optimiser step (1-based `epoch` and `step` within
 * it) and told each epoch's validation metric afterwards (only plateau listens). All but
 * warmup-cosine change the rate once per epoch.
 * constant: lr0. step: lr0 * gamma^floor((epoch - 1) / everyEpochs).
 * cosine: min + (lr0 - min) * (1 + cos(pi * (epoch - 1) / epochs)) / 2.
 * warmup-cosine, at global step s of S = epochs * stepsPerEpoch, W = ceil(warmupFraction * S):
 *   lr0 * s / W while s <= W, then min + (lr0 - min) * (1 + cos(pi * (s - W) / (S - W))) / 2.
 * plateau: lr <- max(lr * factor, min) once `patience` epochs in a row failed to improve on the best.
 */
export class LrSchedule {
  private state: ScheduleState;

  constructor(
    private readonly config: ScheduleConfig,
    private readonly baseLr: number,
    private readonly epochs: number,
    private readonly higherIsBetter: boolean,
  ) {
    this.state = { lr: baseLr, best: null, badEpochs: 0 };
  }

  /** The rate for a 1-based epoch and a 1-based step of stepsPerEpoch within it (only warmup-cosine looks at the step). */
  rate(epoch: number, step = 1, stepsPerEpoch = 1): number {
    const c = this.config;
    switch (c.id) {
      case 'warmup-cosine': {
        const total = this.epochs * stepsPerEpoch;
        const s = (epoch - 1) * stepsPerEpoch + step;
        const warmup = Math.ceil(c.warmupFraction * total);
        if (s <= warmup) return (this.baseLr * s) / warmup;
        const progress = Math.min(1, (s - warmup) / Math.max(1, total - warmup));
        return c.minLearningRate + ((this.baseLr - c.minLearningRate) * (1 + Math.cos(Math.PI * progress))) / 2;
      }
      case 'constant':
        return this.baseLr;
      case 'step':
        return this.baseLr * Math.pow(c.gamma, Math.floor((epoch - 1) / c.everyEpochs));
      case 'cosine':
        return c.minLearningRate + ((this.baseLr - c.minLearningRate) * (1 + Math.cos((Math.PI * (epoch - 1)) / this.epochs))) / 2;
      case 'plateau':
        return this.state.lr;
    }
  }

  /** Feeds one epoch's validation metric (the early-stopping metric). */
  observe(metric: number): void {
    const c = this.config;
    if (c.id !== 'plateau') return;
    const s = this.state;
    const better = s.best === null || (this.higherIsBetter ? metric > s.best : metric < s.best);
    if (better) {
      s.best = metric;
      s.badEpochs = 0;
    } else if (++s.badEpochs > c.patience) {
      s.lr = Math.max(s.lr * c.factor, c.minLearningRate);
      s.badEpochs = 0;
    }
  }

  getState(): ScheduleState {
    return { ...this.state };
  }

  setState(state: ScheduleState): void {
    this.state = { ...state };
  }
}
