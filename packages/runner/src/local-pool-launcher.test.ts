import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { defaultWorkers, LocalPoolLauncher } from './local-pool-launcher.js';
import { runSweep, type SweepEvent } from './run-sweep.js';
import { fakeCells, type PoolWorkerSpec } from './test-cells.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-pool-worker.ts');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-pool-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeSpec(spec: Omit<PoolWorkerSpec, 'resultsDir' | 'markerDir'>): { file: string; spec: PoolWorkerSpec } {
  const full = { resultsDir: path.join(dir, 'results'), markerDir: path.join(dir, 'markers'), ...spec };
  const file = path.join(dir, 'spec.json');
  fs.writeFileSync(file, JSON.stringify(full));
  return { file, spec: full };
}

const attempts = (spec: PoolWorkerSpec, i: number) =>
  fs
    .readFileSync(path.join(spec.markerDir, `attempts-${i}`), 'utf8')
    .trim()
    .split('\n').length;

function sweep(file: string, spec: PoolWorkerSpec, options: { workers: number; retries: number; cellTimeoutS?: number }, events: SweepEvent[] = []) {
  return runSweep({
    cells: spec.cells,
    experimentFile: file,
    resultsDir: spec.resultsDir,
    launcher: new LocalPoolLauncher({ workerCommand: [process.execPath, '--import', 'tsx', worker], cellTimeoutS: options.cellTimeoutS }),
    workers: options.workers,
    retries: options.retries,
    onEvent: (e) => events.push(e),
  });
}

describe('defaultWorkers', () => {
  it('is floor(cpus / threadsPerCell), at least 1', () => {
    expect(defaultWorkers({ cpus: 16, threadsPerCell: 4 })).toBe(4);
    expect(defaultWorkers({ cpus: 7, threadsPerCell: 2 })).toBe(3);
    expect(defaultWorkers({ cpus: 1, threadsPerCell: 4 })).toBe(1);
  });
});

describe('LocalPoolLauncher', () => {
  it('runs cells in parallel workers and skips stored cells on the next run', async () => {
    // cells 0 and 1 each wait for the other to start: they finish only if two workers run at once
    const { file, spec } = writeSpec({ cells: fakeCells(3), barrier: [0, 1] });
    const events: SweepEvent[] = [];
    const first = await sweep(file, spec, { workers: 2, retries: 0 }, events);
    expect(first).toEqual({ ok: true, done: 3, failed: 0, diverged: 0, skipped: 0, total: 3, retries: 0 });
    const store = new ResultStore(spec.resultsDir);
    expect(store.cellIds().sort()).toEqual(spec.cells.map((c) => c.cellId).sort());
    const end = events.at(-1)!;
    expect(end.type === 'sweep-end' && end.progress.done).toBe(3);
    expect(events.filter((e) => e.type === 'cell-end').every((e) => e.progress.etaS !== null)).toBe(true);
    // the workers' feature-extraction lines reach the sweep's console; their other stderr stays in the logs
    const notes = events.flatMap((e) => (e.type === 'cell-note' ? [`${e.cell.index}: ${e.text}`] : [])).sort();
    expect(notes).toEqual([0, 1, 2].map((i) => `${i}: [cell ${i}] features: 1/1 files (100%)`));
    const again = await sweep(file, spec, { workers: 2, retries: 0 });
    expect(again).toEqual({ ok: true, done: 0, failed: 0, diverged: 0, skipped: 3, total: 3, retries: 0 });
    expect(attempts(spec, 2)).toBe(1);
    expect(new ResultStore(spec.resultsDir).consolidate()).toEqual({ cells: 3, epochs: 9 });
  });

  it('retries infrastructure failures only, then stores WORKER_CRASHED with the last stderr lines', async () => {
    const { file, spec } = writeSpec({ cells: fakeCells(4), crashOnce: [1], crash: [2], fail: [3] });
    const events: SweepEvent[] = [];
    const summary = await sweep(file, spec, { workers: 2, retries: 1 }, events);
    expect(summary).toEqual({ ok: false, done: 2, failed: 2, diverged: 0, skipped: 0, total: 4, retries: 2 });
    const store = new ResultStore(spec.resultsDir);
    const row = (i: number) => store.readCell(spec.cells[i].cellId);
    // crash once, then succeed: ok with one retry
    expect(row(1).status).toBe('ok');
    expect(attempts(spec, 1)).toBe(2);
    // always crash: failed WORKER_CRASHED after 1 + retries attempts, with the worker's stderr
    expect(row(2).status).toBe('failed');
    expect(row(2).errorCode).toBe('WORKER_CRASHED');
    expect(row(2).errorMessage).toContain('killed by SIGKILL');
    expect(row(2).errorMessage).toContain('fixture: cell 2 crashing on purpose');
    expect(attempts(spec, 2)).toBe(2);
    // a failure the worker reported is a result: not retried
    expect(row(3).errorCode).toBe('CELL_FAILED');
    expect(attempts(spec, 3)).toBe(1);
    expect(
      events
        .filter((e) => e.type === 'cell-retry')
        .map((e) => e.type === 'cell-retry' && e.cell.index)
        .sort(),
    ).toEqual([1, 2]);
    expect(fs.readFileSync(path.join(spec.resultsDir, 'logs', `${spec.cells[2].cellId}.log`), 'utf8')).toContain('crashing on purpose');
  });

  it('kills a hanging worker after the cell time limit', async () => {
    // one cell only: a limit short enough for a quick test could also catch a healthy cell on a loaded machine
    const { file, spec } = writeSpec({ cells: fakeCells(1), hang: [0] });
    const summary = await sweep(file, spec, { workers: 1, retries: 0, cellTimeoutS: 3 });
    expect(summary).toMatchObject({ ok: false, failed: 1, done: 0 });
    const row = new ResultStore(spec.resultsDir).readCell(spec.cells[0].cellId);
    expect(row.errorCode).toBe('WORKER_CRASHED');
    expect(row.errorMessage).toContain('time limit of 3 s');
  });

  it('stops on abort: running workers are terminated, nothing new starts, their cells stay to do', async () => {
    const { file, spec } = writeSpec({ cells: fakeCells(3), hang: [0, 1, 2] });
    const stop = new AbortController();
    const events: SweepEvent[] = [];
    const started = runSweep({
      cells: spec.cells,
      experimentFile: file,
      resultsDir: spec.resultsDir,
      launcher: new LocalPoolLauncher({ workerCommand: [process.execPath, '--import', 'tsx', worker], signal: stop.signal }),
      workers: 1,
      retries: 2,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'cell-start') setTimeout(() => stop.abort(), 500);
      },
    });
    const summary = await started;
    expect(events.filter((e) => e.type === 'cell-start')).toHaveLength(1);
    expect(events.some((e) => e.type === 'cell-retry')).toBe(false);
    expect(summary).toMatchObject({ failed: 0, done: 0 });
    expect(new ResultStore(spec.resultsDir).cellIds()).toEqual([]);
  });
});
