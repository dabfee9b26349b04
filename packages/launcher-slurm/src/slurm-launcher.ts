import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SerError, shellQuote, writeFileAtomic } from '@ser/core';
import type { LaunchRequest, LaunchSummary, Launcher } from '@ser/runner';
import { ResultStore } from '@ser/store';

/** Resources asked of Slurm for each array task (one cell). */
export interface SlurmOptions {
  /** The worker program and its leading arguments; the task runs `<worker> cell FILE --index N [--set K=V]...`. */
  workerCommand: readonly string[];
  /** The command run by the follow-up job after every task ended (afterany); e.g. `ser report DIR --out DIR/report.html`. */
  collectCommand?: readonly string[];
  partition?: string;
  /** Wall-time limit per task, Slurm syntax ('01:00:00'). */
  time?: string;
  /** Memory per task, Slurm syntax ('8G'). */
  mem?: string;
  cpus?: number;
  /** GPUs per task (`--gpus-per-task`); the worker then picks tfjs-node-gpu by itself when it sees one. */
  gpus?: number;
  /** At most this many tasks at once (the `%K` of `--array=0-(N-1)%K`). */
  maxParallel?: number;
  /** Working directory of the tasks (a shared file system on a real cluster). Default: this process's. */
  cwd?: string;
  /** Extra `#SBATCH` lines, verbatim (e.g. '--account=abc'). */
  extraDirectives?: readonly string[];
  /** Write the scripts but do not submit them. */
  dryRun?: boolean;
  /** After submitting, wait for the collect job (or the array) to leave the queue, then count the stored rows. */
  wait?: boolean;
  /** Seconds between queue polls while waiting. */
  pollSeconds?: number;
  /** The sbatch / squeue programs (tests and sites with wrappers may change them). */
  sbatch?: string;
  squeue?: string;
  /** Extra environment for the tasks (exported in the script). */
  env?: Record<string, string>;
}

export interface SlurmSubmission {
  /** The array job's id (absent in a dry run). */
  arrayJobId?: string;
  collectJobId?: string;
  /** The sbatch script of the array and of the collect job. */
  script: string;
  collectScript?: string;
  scriptFile: string;
  /** Cell index run by array task i (empty when every pending cell was already queued). */
  cellIndices: number[];
  /** Pending cells left out because an earlier submission's array job is still queued or running with them. */
  alreadyQueued: { cellIndex: number; jobId: string }[];
}

/** One line of <results>/slurm/submissions.jsonl: what an earlier `ser submit` put in the queue. */
interface LedgerEntry {
  arrayJobId: string;
  collectJobId?: string;
  cellIds: string[];
  submittedAt: string;
}

const q = shellQuote;

/**
 * The sbatch script of a job array over the given cells. Array task i runs cell cellIndices[i];
 * each task's output goes to <logDir>/%A_%a.out. Pure: no file system, no processes.
 */
export function sbatchArrayScript(
  request: Pick<LaunchRequest, 'experimentFile' | 'overrides' | 'cells'>,
  options: SlurmOptions & { jobName: string; logDir: string },
): string {
  const n = request.cells.length;
  if (n === 0) throw new SerError('LAUNCHER_FAILED', 'slurm: no cells to submit (every cell of the sweep is already stored)');
  const k = options.maxParallel && options.maxParallel > 0 ? `%${options.maxParallel}` : '';
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${q(options.jobName)}`,
    `#SBATCH --array=0-${n - 1}${k}`,
    `#SBATCH --output=${q(path.join(options.logDir, '%A_%a.out'))}`,
    '#SBATCH --ntasks=1',
  ];
  if (options.partition) lines.push(`#SBATCH --partition=${q(options.partition)}`);
  if (options.time) lines.push(`#SBATCH --time=${q(options.time)}`);
  if (options.mem) lines.push(`#SBATCH --mem=${q(options.mem)}`);
  if (options.cpus) lines.push(`#SBATCH --cpus-per-task=${options.cpus}`);
  if (options.gpus) lines.push(`#SBATCH --gpus-per-task=${options.gpus}`);
  for (const d of options.extraDirectives ?? []) lines.push(`#SBATCH ${d}`);
  const cellIndices = request.cells.map((c) => c.index);
  const sets = request.overrides.flatMap((o) => ['--set', o]);
  lines.push(
    '',
    '# Written by `ser submit`: one array task per cell not yet in the result store.',
    'set -euo pipefail',
    `cd ${q(options.cwd ?? process.cwd())}`,
    ...Object.entries(options.env ?? {}).map(([key, value]) => `export ${key}=${q(value)}`),
    `CELLS=(${cellIndices.join(' ')})`,
    'CELL=${CELLS[$SLURM_ARRAY_TASK_ID]}',
    'echo "ser: array task $SLURM_ARRAY_TASK_ID runs cell $CELL on $(hostname)"',
    `exec ${[...options.workerCommand, 'cell', request.experimentFile, '--index'].map(q).join(' ')} "$CELL"${sets.length ? ' ' + sets.map(q).join(' ') : ''}`,
    '',
  );
  return lines.join('\n');
}

/** The follow-up job's script: runs the collect command once the array is over, whatever its tasks' exit codes. */
export function sbatchCollectScript(options: SlurmOptions & { jobName: string; logDir: string }): string {
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${q(`${options.jobName}-collect`)}`,
    `#SBATCH --output=${q(path.join(options.logDir, '%j-collect.out'))}`,
    '#SBATCH --ntasks=1',
  ];
  if (options.partition) lines.push(`#SBATCH --partition=${q(options.partition)}`);
  if (options.time) lines.push(`#SBATCH --time=${q(options.time)}`);
  lines.push(
    '',
    'set -euo pipefail',
    `cd ${q(options.cwd ?? process.cwd())}`,
    ...Object.entries(options.env ?? {}).map(([key, value]) => `export ${key}=${q(value)}`),
    `exec ${(options.collectCommand ?? []).map(q).join(' ')}`,
    '',
  );
  return lines.join('\n');
}

function sbatch(program: string, args: string[]): string {
  const r = spawnSync(program, ['--parsable', ...args], { encoding: 'utf8' });
  if (r.error) throw new SerError('LAUNCHER_FAILED', `slurm: cannot run ${program} (${r.error.message}); is Slurm installed and on PATH?`, { cause: r.error });
  if (r.status !== 0) throw new SerError('LAUNCHER_FAILED', `slurm: ${program} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  // --parsable prints "jobid" or "jobid;cluster"
  return r.stdout.trim().split(';')[0];
}

/**
 * Which of the pending cells an earlier submission (the ledger) still has in the queue, with that
 * array job's id: submitting them again would run them twice. Only submissions holding a pending
 * cell are asked about (one squeue call each).
 */
function queuedCells(ledgerFile: string, squeue: string, pending: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(ledgerFile)) return out;
  const entries: LedgerEntry[] = [];
  for (const line of fs.readFileSync(ledgerFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // a line torn by a killed writer: that submission's jobs are checked no more
    }
  }
  for (const e of entries) {
    const held = e.cellIds.filter((id) => pending.has(id));
    if (held.length > 0 && inQueue(squeue, [e.arrayJobId])) for (const id of held) out.set(id, e.arrayJobId);
  }
  return out;
}

function inQueue(squeue: string, jobIds: string[]): boolean {
  const r = spawnSync(squeue, ['-h', '-o', '%i', '-j', jobIds.join(',')], { encoding: 'utf8' });
  // squeue exits non-zero once the jobs are unknown to it (finished and purged)
  return r.status === 0 && r.stdout.trim().length > 0;
}

/**
 * The Slurm launcher: the sweep's not-yet-stored cells become one job array
 * (`--array=0-(N-1)%K`), each task running one cell; a follow-up job (`--dependency=afterany`)
 * collects the results and writes the report. Tasks write to the shared result store; its atomic
 * writes keep concurrent tasks safe, and a rerun submits only the cells still missing -- and not
 * those an earlier submission still has queued or running (<results>/slurm/submissions.jsonl lists
 * what each submit queued; squeue says which of those jobs are still there).
 */
export class SlurmLauncher implements Launcher {
  readonly name = 'slurm';
  lastSubmission: SlurmSubmission | undefined;

  constructor(private readonly options: SlurmOptions) {}

  async launch(request: LaunchRequest): Promise<LaunchSummary> {
    const o = this.options;
    const slurmDir = path.join(request.resultsDir, 'slurm');
    const logDir = path.join(slurmDir, 'logs');
    if (!o.dryRun) fs.mkdirSync(logDir, { recursive: true });
    const jobName = `ser-${request.cells[0]?.experiment ?? 'sweep'}`;
    const squeue = o.squeue ?? 'squeue';
    // cells an earlier submit queued and that are not stored yet: still pending or running there
    const ledgerFile = path.join(slurmDir, 'submissions.jsonl');
    const queued = queuedCells(ledgerFile, squeue, new Set(request.cells.map((c) => c.cellId)));
    const cells = request.cells.filter((c) => !queued.has(c.cellId));
    const alreadyQueued = request.cells.filter((c) => queued.has(c.cellId)).map((c) => ({ cellIndex: c.index, jobId: queued.get(c.cellId)! }));
    const opts = { ...o, jobName, logDir, maxParallel: o.maxParallel ?? request.workers };
    const script = cells.length > 0 ? sbatchArrayScript({ ...request, cells }, opts) : '';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const scriptFile = path.join(slurmDir, `array-${stamp}.sbatch`);
    const collectScript = o.collectCommand && cells.length > 0 ? sbatchCollectScript(opts) : undefined;
    const collectFile = path.join(slurmDir, `collect-${stamp}.sbatch`);
    const submission: SlurmSubmission = { script, collectScript, scriptFile, cellIndices: cells.map((c) => c.index), alreadyQueued };
    this.lastSubmission = submission;
    const summary: LaunchSummary = { ok: 0, diverged: 0, failed: 0, crashed: 0, retries: 0 };
    if (o.dryRun) return summary; // a dry run writes nothing
    const jobs = [...new Set(alreadyQueued.map((a) => a.jobId))];
    if (cells.length > 0) {
      writeFileAtomic(scriptFile, script);
      if (collectScript) writeFileAtomic(collectFile, collectScript);
      const program = o.sbatch ?? 'sbatch';
      submission.arrayJobId = sbatch(program, [scriptFile]);
      if (collectScript) submission.collectJobId = sbatch(program, [`--dependency=afterany:${submission.arrayJobId}`, collectFile]);
      const entry: LedgerEntry = {
        arrayJobId: submission.arrayJobId,
        collectJobId: submission.collectJobId,
        cellIds: cells.map((c) => c.cellId),
        submittedAt: new Date().toISOString(),
      };
      fs.appendFileSync(ledgerFile, `${JSON.stringify(entry)}\n`);
      jobs.push(submission.arrayJobId, ...(submission.collectJobId ? [submission.collectJobId] : []));
    }
    for (const cell of request.cells) request.onEvent({ type: 'cell-start', cell, attempt: 1 });
    if (!o.wait) return summary;

    const poll = (o.pollSeconds ?? 5) * 1000;
    while (inQueue(squeue, jobs)) await new Promise((r) => setTimeout(r, poll));

    // Each task stored its own row; a task that died without one is reported as crashed (not stored:
    // a later submit runs it again).
    const store = new ResultStore(request.resultsDir);
    const rows = new Map(store.readCells().map((r) => [r.cellId, r]));
    for (const cell of request.cells) {
      const row = rows.get(cell.cellId);
      if (!row) {
        summary.failed++;
        summary.crashed++;
        continue;
      }
      summary[row.status]++;
      request.onEvent({ type: 'cell-end', cell, attempt: 1, status: row.status, seconds: row.seconds, crashed: false });
    }
    return summary;
  }
}
