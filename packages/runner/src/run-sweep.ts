import path from 'node:path';
import { ResultStore } from '@ser/store';
import type { Cell } from './cell.js';
import type { LaunchEvent, Launcher } from './launcher.js';
import { lockResults } from './internal/results-lock.js';

/** Where a sweep stands; etaS is the estimated seconds left (null until one cell has finished in this run). */
export interface SweepProgress {
  total: number;
  /** Cells stored before this run started. */
  skipped: number;
  /** Cells stored so far (skipped ones included). */
  done: number;
  running: number;
  failed: number;
  diverged: number;
  etaS: number | null;
}

/** A launcher event with the sweep's progress after it, or the start/end of the sweep. */
export type SweepEvent =
  | (LaunchEvent & { progress: SweepProgress })
  | { type: 'sweep-start'; progress: SweepProgress }
  /** A stored cell file that cannot be read was moved aside (to movedTo) and its cell runs again. */
  | { type: 'cell-corrupt'; cell: Cell; movedTo: string; reason: string; progress: SweepProgress }
  | { type: 'sweep-end'; progress: SweepProgress; summary: SweepSummary };

/**
 * The outcome of runSweep, counting the cells this run ran (done = stored with status 'ok'), plus
 * those skipped because they were already stored. ok is true when no cell of this run failed
 * (diverged cells are results, not failures).
 */
export interface SweepSummary {
  ok: boolean;
  done: number;
  failed: number;
  diverged: number;
  skipped: number;
  total: number;
  retries: number;
}

export interface RunSweepOptions {
  /** Every planned cell of the experiment (planCells); stored ones are skipped. */
  cells: readonly Cell[];
  experimentFile: string;
  overrides?: readonly string[];
  resultsDir: string;
  launcher: Launcher;
  workers: number;
  retries: number;
  /** Also run again the cells whose stored row is 'failed' (e.g. after fixing an out-of-memory). */
  rerunFailed?: boolean;
  /** The experiment's resolved config, for the metadata of the consolidated cells.arrow. */
  baseConfig?: unknown;
  onEvent?: (event: SweepEvent) => void;
}

/**
 * Runs the cells of a sweep that are not stored yet through a launcher, then rebuilds the
 * consolidated cells.arrow / epochs.arrow. A rerun resumes; extending a grid or adding seeds runs
 * only the new cells. One failing cell never ends the sweep.
 */
export async function runSweep(options: RunSweepOptions): Promise<SweepSummary> {
  // one sweep per results folder at a time: a second one would train every cell again
  const release = lockResults(options.resultsDir, [path.basename(options.experimentFile), ...(options.overrides ?? [])].join(' '));
  try {
    return await runUnlocked(options);
  } finally {
    release();
  }
}

async function runUnlocked(options: RunSweepOptions): Promise<SweepSummary> {
  const store = new ResultStore(options.resultsDir);
  store.removeStaleTempFiles();
  const todo: Cell[] = [];
  const corrupt: { cell: Cell; movedTo: string; reason: string }[] = [];
  for (const cell of options.cells) {
    if (store.hasCell(cell.cellId)) {
      const stored = readStatus(store, cell.cellId);
      if (stored.error) {
        // a half-written or damaged file (disk full, a copy gone wrong): keep it aside, run the cell again
        corrupt.push({ cell, movedTo: store.quarantineCell(cell.cellId), reason: stored.error });
      } else if (options.rerunFailed && stored.status === 'failed') {
        store.removeCell(cell.cellId);
      }
    }
    if (!store.hasCell(cell.cellId)) todo.push(cell);
  }
  const workers = Math.max(1, Math.min(options.workers, todo.length || 1));
  const progress: SweepProgress = {
    total: options.cells.length,
    skipped: options.cells.length - todo.length,
    done: options.cells.length - todo.length,
    running: 0,
    failed: 0,
    diverged: 0,
    etaS: null,
  };
  const durations: number[] = [];
  const emit = (e: SweepEvent) => options.onEvent?.(e);
  emit({ type: 'sweep-start', progress: { ...progress } });
  for (const c of corrupt) emit({ type: 'cell-corrupt', ...c, progress: { ...progress } });

  const launched = todo.length
    ? await options.launcher.launch({
        experimentFile: options.experimentFile,
        overrides: options.overrides ?? [],
        cells: todo,
        resultsDir: store.dir,
        workers,
        retries: options.retries,
        onEvent: (event) => {
          if (event.type === 'cell-start') progress.running++;
          if (event.type === 'cell-retry') progress.running--;
          if (event.type === 'cell-end') {
            progress.running--;
            progress.done++;
            if (event.status === 'failed') progress.failed++;
            if (event.status === 'diverged') progress.diverged++;
            if (!event.crashed) durations.push(event.seconds);
          }
          if (durations.length > 0) {
            // remaining cells share the workers; the running ones are counted as half done
            const mean = durations.reduce((s, d) => s + d, 0) / durations.length;
            const left = progress.total - progress.done - progress.running / 2;
            progress.etaS = Math.max(0, (left * mean) / workers);
          }
          emit({ ...event, progress: { ...progress } });
        },
      })
    : { ok: 0, diverged: 0, failed: 0, crashed: 0, retries: 0 };

  store.consolidate({ config: options.baseConfig });
  const summary: SweepSummary = {
    ok: launched.failed === 0,
    done: launched.ok,
    failed: launched.failed,
    diverged: launched.diverged,
    skipped: progress.skipped,
    total: progress.total,
    retries: launched.retries,
  };
  progress.etaS = 0;
  emit({ type: 'sweep-end', progress: { ...progress }, summary });
  return summary;
}

function readStatus(store: ResultStore, cellId: string): { status: string | null; error: string | null } {
  try {
    return { status: store.readCell(cellId).status, error: null };
  } catch (err) {
    return { status: null, error: err instanceof Error ? err.message : String(err) };
  }
}
