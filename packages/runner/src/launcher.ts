import type { Cell } from './cell.js';

/** A cell's outcome as the launcher saw it: the status of the row that is now stored. */
export type CellOutcome = 'ok' | 'diverged' | 'failed';

/** What a launcher reports while it runs cells. */
export type LaunchEvent =
  | { type: 'cell-start'; cell: Cell; attempt: number }
  | { type: 'cell-retry'; cell: Cell; attempt: number; reason: string }
  /** A line of a worker's own progress worth showing on the sweep's console (feature extraction of a new corpus: WORKER_NOTE). */
  | { type: 'cell-note'; cell: Cell; attempt: number; text: string }
  /** crashed: the worker never stored a row and the launcher wrote the WORKER_CRASHED row itself. */
  | { type: 'cell-end'; cell: Cell; attempt: number; status: CellOutcome; seconds: number; crashed: boolean; result?: CellEndResult };

/**
 * The worker's stderr lines a launcher forwards as 'cell-note' events (the rest stays in the cell's
 * log): `ser cell`'s feature extraction progress, "[cell N] features: 120/339 files ...", which can
 * take minutes on a new corpus while the sweep's console would otherwise say nothing.
 */
export const WORKER_NOTE = /^\[cell \d+\] features: /;

/** What the console line of a finished cell shows of its stored row (where the launcher can read it). */
export interface CellEndResult {
  ua: number | null;
  errorCode: string | null;
  /** Utterances left out for bad audio: the UA is over the rest. */
  skippedAudio: number;
}

/** What runSweep hands a launcher. */
export interface LaunchRequest {
  /** The experiment file each worker loads again (`ser cell FILE --index N`). */
  experimentFile: string;
  /** Command-line overrides ('loss.lambda=0.01'), passed to each worker as --set. */
  overrides: readonly string[];
  /** The cells to run (those not yet stored). */
  cells: readonly Cell[];
  /** The ResultStore folder. */
  resultsDir: string;
  /** Cells run at once. */
  workers: number;
  /** Retries of infrastructure failures per cell (a stored failed/diverged row is a result, never retried). */
  retries: number;
  onEvent: (event: LaunchEvent) => void;
}

/** Counts of the cells a launch ran. */
export interface LaunchSummary {
  ok: number;
  diverged: number;
  /** Cells whose stored row is 'failed', WORKER_CRASHED ones included. */
  failed: number;
  /** Of `failed`: cells whose worker crashed on every attempt. */
  crashed: number;
  /** Attempts repeated after an infrastructure failure. */
  retries: number;
}

/**
 * Where cells run. A launcher starts one worker per cell (`<worker> cell FILE --index N`), each
 * of which writes its own row to the store; a cell is done when its row is stored. See README.
 */
export interface Launcher {
  readonly name: string;
  launch(request: LaunchRequest): Promise<LaunchSummary>;
}
