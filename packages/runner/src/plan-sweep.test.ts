import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { plannedCellRow } from './cell-row.js';
import { planSweep } from './plan-sweep.js';
import { fakeCells } from './test-cells.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-plansweep-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const epochRow = (cellId: string, epoch: number, seconds: number) => ({
  cellId,
  epoch,
  lr: 0.001,
  trainLoss: 1,
  valLoss: 1,
  valUa: 0.5,
  valWa: 0.5,
  valMacroF1: 0.5,
  intraClassDistance: 1,
  interCenterDistance: 1,
  distanceRatio: 1,
  centerDrift: 0,
  paddingFraction: 0,
  seconds,
  terms: {},
});

describe('planSweep', () => {
  it('lists the cells and says the time left is unknown before any cell finished', () => {
    const cells = fakeCells(4);
    const plan = planSweep({ cells, resultsDir: dir });
    expect(plan).toMatchObject({ total: 4, done: 0, etaS: null, secondsPerEpoch: null });
    expect(plan.text).toContain('experiment pool-test: 4 cells, 0 stored, 4 to run');
    expect(plan.text).toContain('unknown until one cell finished');
    expect(plan.text.split('\n').filter((l) => l.includes('loss.lambda=0.001'))).toHaveLength(2);
  });

  it('estimates the time left from measured epoch times x the epochs of the cells still to run', () => {
    const cells = fakeCells(4); // trainer.epochs = 3 each
    const store = new ResultStore(dir);
    const row = { ...plannedCellRow(cells[0]), status: 'ok' as const };
    store.writeCell({ cell: row, epochs: [epochRow(row.cellId, 1, 2), epochRow(row.cellId, 2, 4)], predictions: [], embeddings: [], resolvedConfig: {} });
    const plan = planSweep({ cells, resultsDir: dir, workers: 3 });
    expect(plan.done).toBe(1);
    expect(plan.secondsPerEpoch).toBe(3);
    expect(plan.etaS).toBe(3 * 3 * 3);
    expect(plan.text).toMatch(/about 27s of compute .* about 9\.0s with 3 workers/);
    expect(plan.text.split('\n').find((l) => l.includes(cells[0].cellId))).toMatch(/ok$/);
  });
});
