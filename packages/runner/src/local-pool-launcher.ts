import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultStore, type CellRow } from '@ser/store';
import type { Cell } from './cell.js';
import { failedCellRow } from './cell-row.js';
import { WORKER_NOTE, type CellOutcome, type LaunchRequest, type LaunchSummary, type Launcher } from './launcher.js';

/**
 * The default number of parallel cells: max(1, floor(cpus / threadsPerCell)). Each cell's engine
 * uses threadsPerCell cores for its matrix kernels, so more workers than that only contend.
 */
export function defaultWorkers(options: { cpus?: number; threadsPerCell?: number } = {}): number {
  const cpus = options.cpus ?? os.availableParallelism();
  const threads = Math.max(1, options.threadsPerCell ?? 2);
  return Math.max(1, Math.floor(cpus / threads));
}

export interface LocalPoolOptions {
  /** The worker program and its leading arguments; the pool appends `cell FILE --index N [--set K=V]...`. */
  workerCommand: readonly string[];
  /** Working directory of the workers (default: this process's). */
  cwd?: string;
  /** Extra environment for the workers (added to the inherited one). */
  env?: Record<string, string>;
  /** A worker running longer than this (seconds) is killed and counts as an infrastructure failure; null = no limit. */
  cellTimeoutS?: number | null;
  /** Lines of a crashed worker's stderr kept in its WORKER_CRASHED row (default 20). */
  stderrLines?: number;
  /**
   * Stops the sweep: running workers get SIGTERM, nothing new starts, and their cells stay unstored
   * (not failed), so the next run picks them up. The CLI aborts it on SIGINT / SIGTERM.
   */
  signal?: AbortSignal;
}

interface Attempt {
  cell: Cell;
  attempt: number;
}

/**
 * Runs cells in a pool of child processes on this machine, each with its own engine. A worker that
 * exits without storing its row (killed by a signal, exit 137/134, out of memory, a crash) is
 * retried up to `retries` times, then the pool stores a 'failed' row with errorCode
 * 'WORKER_CRASHED' and the worker's last stderr lines. Each worker's stderr is also appended to
 * <resultsDir>/logs/<cellId>.log.
 */
export class LocalPoolLauncher implements Launcher {
  readonly name = 'local';
  private readonly options: LocalPoolOptions;

  constructor(options: LocalPoolOptions) {
    if (options.workerCommand.length === 0) throw new Error('LocalPoolLauncher: workerCommand is empty');
    this.options = options;
  }

  launch(request: LaunchRequest): Promise<LaunchSummary> {
    const store = new ResultStore(request.resultsDir);
    const logDir = path.join(store.dir, 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    const summary: LaunchSummary = { ok: 0, diverged: 0, failed: 0, crashed: 0, retries: 0 };
    const queue: Attempt[] = request.cells.map((cell) => ({ cell, attempt: 1 }));
    const workers = Math.max(1, Math.floor(request.workers));
    let running = 0;
    const children = new Set<ReturnType<typeof spawn>>();
    const aborted = () => this.options.signal?.aborted === true;

    return new Promise((resolve, reject) => {
      this.options.signal?.addEventListener(
        'abort',
        () => {
          queue.length = 0;
          for (const child of children) child.kill('SIGTERM');
          if (running === 0) resolve(summary);
        },
        { once: true },
      );
      const finish = (a: Attempt, status: CellOutcome, startedAt: number, crashed: boolean, row?: CellRow) => {
        summary[status]++;
        if (crashed) summary.crashed++;
        const result = row && { ua: row.ua, errorCode: row.errorCode, skippedAudio: row.skippedAudio };
        request.onEvent({
          type: 'cell-end',
          cell: a.cell,
          attempt: a.attempt,
          status,
          seconds: (Date.now() - startedAt) / 1000,
          crashed,
          ...(result ? { result } : {}),
        });
      };

      const pump = () => {
        while (!aborted() && running < workers && queue.length > 0) start(queue.shift()!);
        if (running === 0 && queue.length === 0) resolve(summary);
      };

      const start = (a: Attempt) => {
        running++;
        const startedAt = Date.now();
        const [program, ...lead] = this.options.workerCommand;
        const args = [...lead, 'cell', request.experimentFile, '--index', String(a.cell.index), ...request.overrides.flatMap((o) => ['--set', o])];
        const log = fs.createWriteStream(path.join(logDir, `${a.cell.cellId}.log`), { flags: 'a' });
        log.write(`--- cell ${a.cell.index} (${a.cell.cellId}) attempt ${a.attempt} at ${new Date(startedAt).toISOString()}\n`);
        const tail: string[] = [];
        const keep = this.options.stderrLines ?? 20;
        let partial = '';
        let timedOut = false;
        // not detached: the workers share the sweep's process group, so killing the group stops them too
        const child = spawn(program, args, {
          cwd: this.options.cwd,
          env: this.options.env ? { ...process.env, ...this.options.env } : undefined,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        children.add(child);
        request.onEvent({ type: 'cell-start', cell: a.cell, attempt: a.attempt });
        child.stderr!.on('data', (chunk: Buffer) => {
          log.write(chunk);
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop()!;
          for (const line of lines) if (WORKER_NOTE.test(line)) request.onEvent({ type: 'cell-note', cell: a.cell, attempt: a.attempt, text: line });
          tail.push(...lines);
          if (tail.length > keep) tail.splice(0, tail.length - keep);
        });
        const timer =
          this.options.cellTimeoutS != null
            ? setTimeout(() => {
                timedOut = true;
                child.kill('SIGKILL');
              }, this.options.cellTimeoutS * 1000)
            : undefined;
        let settled = false;
        const onDone = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          if (partial) tail.push(partial);
          const how = spawnError
            ? `could not start ${program}: ${spawnError.message}`
            : timedOut
              ? `killed after the cell time limit of ${this.options.cellTimeoutS} s`
              : signal
                ? `killed by ${signal}`
                : `exited with code ${code}`;
          log.end(`--- ${how}\n`);
          running--;
          children.delete(child);
          try {
            const row = storedRow(store, a.cell.cellId);
            const status = row?.status ?? null;
            if (!status && aborted()) {
              // stopped by the user: not a crash, no retry; the cell stays to do
              if (running === 0) resolve(summary);
              return;
            }
            if (status) {
              finish(a, status, startedAt, false, row!);
            } else if (a.attempt <= request.retries) {
              summary.retries++;
              request.onEvent({ type: 'cell-retry', cell: a.cell, attempt: a.attempt, reason: how });
              queue.push({ cell: a.cell, attempt: a.attempt + 1 });
            } else {
              const attempts = a.attempt === 1 ? '1 attempt' : `${a.attempt} attempts`;
              const message = `the worker stored no result (${how}; ${attempts}); last stderr lines:\n${tail.join('\n')}`;
              store.writeCell({
                cell: failedCellRow(a.cell, { code: 'WORKER_CRASHED', message }),
                epochs: [],
                predictions: [],
                embeddings: [],
                resolvedConfig: a.cell.config,
              });
              finish(a, 'failed', startedAt, true);
            }
            pump();
          } catch (err) {
            reject(err);
          }
        };
        child.on('error', (err) => onDone(null, null, err));
        child.on('close', (code, signal) => onDone(code, signal));
      };

      pump();
    });
  }
}

/** The stored row, or null when the cell has none (or an unreadable one, which a rerun replaces). */
function storedRow(store: ResultStore, cellId: string): CellRow | null {
  if (!store.hasCell(cellId)) return null;
  try {
    return store.readCell(cellId);
  } catch {
    return null;
  }
}
