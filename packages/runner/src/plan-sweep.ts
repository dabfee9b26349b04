import { ResultStore } from '@ser/store';
import type { Cell } from './cell.js';
import { formatDuration, formatParams } from './internal/format.js';

/** What `ser plan FILE` shows. etaS: estimated compute seconds left (null until a cell of this experiment finished). */
export interface SweepPlan {
  text: string;
  total: number;
  done: number;
  /** Mean measured seconds per epoch of this experiment's stored cells; null when none. */
  secondsPerEpoch: number | null;
  etaS: number | null;
}

/**
 * The table of a sweep's cells (index, id, params, fold, seed, stored status) and an estimate of
 * the time left: mean seconds per epoch of the stored epochs of this experiment's cells x the
 * maximum epochs (trainer.epochs) of each cell still to run, divided by the workers. Early
 * stopping makes the real time shorter.
 */
export function planSweep(options: { cells: readonly Cell[]; resultsDir: string; workers?: number }): SweepPlan {
  const { cells } = options;
  const store = new ResultStore(options.resultsDir);
  const stored = new Set(store.cellIds());
  const planned = new Set(cells.map((c) => c.cellId));
  const doneIds = cells.filter((c) => stored.has(c.cellId)).map((c) => c.cellId);
  const statusOf = new Map(store.readCells(doneIds).map((r) => [r.cellId, r.status]));
  const epochs = store.readEpochs(doneIds.filter((id) => planned.has(id)));
  const secondsPerEpoch = epochs.length > 0 ? epochs.reduce((s, e) => s + e.seconds, 0) / epochs.length : null;
  const todo = cells.filter((c) => !stored.has(c.cellId));
  const epochsLeft = todo.reduce((s, c) => s + c.config.trainer.epochs, 0);
  const etaS = secondsPerEpoch === null ? (todo.length === 0 ? 0 : null) : secondsPerEpoch * epochsLeft;

  const header = ['index', 'cell', 'params', 'fold', 'seed', 'stored'];
  const rows = cells.map((c) => [String(c.index), c.cellId, formatParams(c.params), c.fold, String(c.seed), statusOf.get(c.cellId) ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i === 0 || i === 4 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const name = cells[0]?.experiment ?? '?';
  const workers = Math.max(1, options.workers ?? 1);
  let time: string;
  if (todo.length === 0) time = 'time left: none, every cell is stored';
  else if (etaS === null) time = 'time left: unknown until one cell finished';
  else {
    time =
      `time left: about ${formatDuration(etaS)} of compute (${todo.length} cells, at most ${epochsLeft} epochs, ${secondsPerEpoch!.toFixed(1)} s per epoch measured)` +
      (workers > 1 ? `, about ${formatDuration(etaS / workers)} with ${workers} workers` : '');
  }
  const text = [`experiment ${name}: ${cells.length} cells, ${doneIds.length} stored, ${todo.length} to run`, line(header), ...rows.map(line), time, ''].join(
    '\n',
  );
  return { text, total: cells.length, done: doneIds.length, secondsPerEpoch, etaS };
}
