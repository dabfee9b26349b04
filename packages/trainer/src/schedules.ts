import type { ScheduleConfig } from './config.js';

/** The plateau schedule's memory; part of the checkpoint so a resumed run reduces at the same epochs. */
export interface ScheduleState {
  lr: number;
  best: number | null;
  badEpochs: number;
}

/**
 * A learning-rate schedule, consulted once before each epoch (1-based `epoch`) and told each
 * epoch's validation metric afterwards (only plateau listens).
 * constant: lr0. step: lr0 * gamma^floor((epoch - 1) / everyEpochs).
 * cosine: min + (lr0 - min) * (1 + cos(pi * (epoch - 1) / epochs)) / 2.
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

  /** The rate for a 1-based epoch. */
  rate(epoch: number): number {
    const c = this.config;
    switch (c.id) {
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
