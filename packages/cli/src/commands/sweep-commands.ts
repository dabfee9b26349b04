import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleLogger, SerError, shellQuote } from '@ser/core';
import type { Logger } from '@ser/core';
import { loadExperiment } from '@ser/config';
import type { LoadedExperiment } from '@ser/config';
import { initEngine } from '@ser/engine';
import { setFeatureThreads } from '@ser/features';
import { createSweepProgressPrinter, defaultCacheDir, defaultWorkers, LocalPoolLauncher, planExperiment, planSweep, runCell, runSweep } from '@ser/runner';
import type { Launcher, PlannedExperiment } from '@ser/runner';
import { SlurmLauncher, type SlurmSubmission } from '@ser/launcher-slurm';
import { ResultStore } from '@ser/store';
import { createProgressPrinter } from '@ser/trainer';
import { plugins } from '../plugins.js';
import { cliVersion, gitCommit, workerCommand } from '../version.js';
import { applyFeaturesEnv, engineEnv } from '../env-switches.js';
import { createExtractProgressPrinter } from '../progress.js';

interface Planned {
  loaded: LoadedExperiment;
  planned: PlannedExperiment;
  resultsDir: string;
}

function cacheDir(): string {
  return process.env.SER_CACHE_DIR ?? defaultCacheDir();
}

/** Loads and validates the experiment, loads its corpus and folds, and plans its cells. */
async function plan(file: string, overrides: string[], resultsOverride: string | undefined, logger: Logger): Promise<Planned> {
  if (!fs.existsSync(file))
    throw new SerError('CONFIG_NOT_FOUND', `experiment file not found: ${file} (run from the repository root, e.g. \`npx ser run experiments/demo.yaml\`)`);
  const loaded = loadExperiment(file, { overrides, plugins });
  const planned = await planExperiment(loaded, { registry: plugins, codeVersion: cliVersion(), cacheDir: cacheDir(), logger });
  // Workers get the results folder of their parent through SER_RESULTS_DIR.
  const resultsDir = path.resolve(resultsOverride ?? process.env.SER_RESULTS_DIR ?? loaded.config.output.dir);
  return { loaded, planned, resultsDir };
}

/** `ser plan FILE`: the cells, how many are stored, the time left. */
export async function planCommand(file: string, overrides: string[], opts: { results?: string }): Promise<void> {
  const logger = consoleLogger();
  const { planned, resultsDir } = await plan(file, overrides, opts.results, logger);
  const p = planSweep({ cells: planned.cells, resultsDir, workers: defaultWorkers() });
  process.stdout.write(p.text + '\n');
}

/** The `ser run` command line that runs this same experiment again (overrides and results folder included), quoted for the shell. */
export function runCommandLine(file: string, overrides: readonly string[], opts: { results?: string; workers?: number; rerunFailed?: boolean }): string {
  const words = ['npx', 'ser', 'run', file, ...overrides];
  if (opts.results) words.push('--results', opts.results);
  if (opts.workers !== undefined) words.push('--workers', String(opts.workers));
  if (opts.rerunFailed) words.push('--rerun-failed');
  return words.map(shellQuote).join(' ');
}

/** `ser run FILE`: the cells not yet stored, in a pool of worker processes; then the UA/WA table. */
export async function runCommand(
  file: string,
  overrides: string[],
  opts: { workers?: number; results?: string; rerunFailed?: boolean; report?: boolean },
): Promise<void> {
  const logger = consoleLogger();
  const t0 = Date.now();
  const { loaded, planned, resultsDir } = await plan(file, overrides, opts.results, logger);
  if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) {
    throw new SerError('USAGE', `--workers must be a whole number >= 1, got ${opts.workers}`);
  }
  const workers = opts.workers ?? defaultWorkers();
  logger.info(
    `ser: ${loaded.config.name}: ${planned.cells.length} cells, results in ${path.relative(process.cwd(), resultsDir) || '.'}, ${workers} worker${workers === 1 ? '' : 's'}`,
  );
  // SER_WORKERS lets each worker take its share of the cores for feature extraction
  // Ctrl-C or a SIGTERM stops the workers cleanly: finished cells are stored, running ones run again next time
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    stoppedBy = sig;
    logger.warn(`${sig}: stopping the workers; finished cells are stored, \`${runCommandLine(file, overrides, opts)}\` resumes`);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const launcher = new LocalPoolLauncher({
    workerCommand: workerCommand(),
    env: { SER_RESULTS_DIR: resultsDir, SER_WORKERS: String(workers) },
    signal: stop.signal,
  });
  const summary = await runSweep({
    cells: planned.cells,
    experimentFile: path.resolve(file),
    overrides,
    resultsDir,
    launcher,
    workers,
    retries: loaded.config.sweep.retries,
    rerunFailed: opts.rerunFailed,
    baseConfig: loaded.config,
    onEvent: createSweepProgressPrinter(process.stderr),
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (stoppedBy) {
    process.exitCode = stoppedBy === 'SIGINT' ? 130 : 143;
    return;
  }
  const secs = (Date.now() - t0) / 1000;
  process.stdout.write(
    `\n${loaded.config.name}: ${summary.total} cells: ${summary.done} ok, ${summary.diverged} diverged, ${summary.failed} failed, ${summary.skipped} already stored (${secs.toFixed(0)} s)\n`,
  );
  if (opts.report !== false) (await import('./report-commands.js')).printResultsTable(resultsDir);
  // The exit code speaks for every planned cell, also those stored as failed by an earlier run.
  const plannedIds = new Set(planned.cells.map((c) => c.cellId));
  const stored = new ResultStore(resultsDir).readCells().filter((r) => plannedIds.has(r.cellId));
  const storedFailed = stored.filter((r) => r.status === 'failed').length;
  const storedDiverged = stored.filter((r) => r.status === 'diverged').length;
  if (!summary.ok || storedFailed > 0) {
    process.stdout.write(
      `${storedFailed} cell${storedFailed === 1 ? '' : 's'} failed: see ${path.join(path.relative(process.cwd(), resultsDir), 'logs')} and the errorCode column; \`${runCommandLine(file, overrides, { ...opts, rerunFailed: true })}\` runs them again\n`,
    );
  }
  if (storedDiverged > 0) {
    process.stdout.write(
      `${storedDiverged} cell${storedDiverged === 1 ? '' : 's'} diverged (stored as results, excluded from every mean): see the errorCode and errorMessage columns\n`,
    );
  }
  // the exit code says whether every planned cell succeeded: failed and diverged cells both count
  if (!summary.ok || storedFailed > 0 || storedDiverged > 0) process.exitCode = 1;
}

/** `ser cell FILE --index N`: one cell in this process (a worker or a Slurm array task). */
export async function cellCommand(file: string, overrides: string[], opts: { index: number; results?: string }): Promise<void> {
  const logger = consoleLogger({ prefix: `[cell ${opts.index}]` });
  const { loaded, planned, resultsDir } = await plan(file, overrides, opts.results, logger);
  const cell = planned.cells.find((c) => c.index === opts.index);
  if (!cell) {
    throw new SerError(
      'USAGE',
      `cell index ${opts.index} is out of range: ${file} has ${planned.cells.length} cells (0..${planned.cells.length - 1}); see \`ser plan ${file}\``,
    );
  }
  const workers = Math.max(1, Number.parseInt(process.env.SER_WORKERS ?? '1', 10) || 1);
  // N cells side by side share the cores: each engine's own threads (wasm, the native kernels) and
  // the native spectrogram frames get cores / N
  const share = Math.max(1, Math.floor(os.availableParallelism() / workers));
  await initEngine({ backend: loaded.config.engine.backend, ...engineEnv(), logger, threads: share });
  setFeatureThreads(share);
  applyFeaturesEnv();
  const progress = createProgressPrinter(process.stderr);
  const row = await runCell({
    cell,
    registry: plugins,
    resultsDir,
    cacheDir: cacheDir(),
    corpus: planned.corpusOf(cell),
    gitCommit: gitCommit(),
    logger,
    progress,
    extractThreads: Math.max(1, Math.floor(os.availableParallelism() / workers)),
    onExtractProgress: createExtractProgressPrinter(process.stderr, { label: `[cell ${cell.index}]` }),
  });
  const fmt = (v: number | null) => (v === null ? '-' : (100 * v).toFixed(1));
  process.stderr.write(
    `[cell ${cell.index}] ${row.status}: UA ${fmt(row.ua)} WA ${fmt(row.wa)} (${row.epochs} epochs, ${row.seconds.toFixed(1)} s)${row.errorMessage ? ` ${row.errorCode}: ${row.errorMessage}` : ''}\n`,
  );
  // A failed or diverged cell is a stored result: the worker itself succeeded.
}

/** What `ser submit` left out because an earlier submit still has it queued or running. */
function alreadyQueuedLine(sub: SlurmSubmission): string {
  const jobs = [...new Set(sub.alreadyQueued.map((a) => a.jobId))].join(', ');
  return `${sub.alreadyQueued.length} pending cells are still queued or running in job array ${jobs} from an earlier submit; not submitted again`;
}

/** `ser submit FILE --launcher slurm`: a job array over the cells not yet stored, then a collect job. */
export async function submitCommand(
  file: string,
  overrides: string[],
  opts: {
    launcher: string;
    partition?: string;
    time?: string;
    mem?: string;
    cpus?: number;
    gpus?: number;
    maxParallel?: number;
    results?: string;
    dryRun?: boolean;
    wait?: boolean;
  },
): Promise<void> {
  const logger = consoleLogger();
  const { loaded, planned, resultsDir } = await plan(file, overrides, opts.results, logger);
  const reportFile = path.join(resultsDir, 'report.html');
  const slurm = new SlurmLauncher({
    workerCommand: workerCommand(),
    collectCommand: [...workerCommand(), 'report', resultsDir, '--out', reportFile, '--consolidate'],
    partition: opts.partition,
    time: opts.time,
    mem: opts.mem,
    cpus: opts.cpus,
    gpus: opts.gpus,
    maxParallel: opts.maxParallel,
    cwd: process.cwd(),
    dryRun: opts.dryRun,
    wait: opts.wait,
    pollSeconds: 2,
    env: {
      SER_RESULTS_DIR: resultsDir,
      ...(process.env.SER_BACKEND ? { SER_BACKEND: process.env.SER_BACKEND } : {}),
      ...(process.env.SER_CACHE_DIR ? { SER_CACHE_DIR: process.env.SER_CACHE_DIR } : {}),
    },
  });
  const launcher: Launcher = slurm;
  if (opts.dryRun) {
    // print what would be submitted; touch nothing in the results folder
    const store = new ResultStore(resultsDir);
    const pending = planned.cells.filter((c) => !store.hasCell(c.cellId));
    if (pending.length === 0) {
      process.stdout.write(`${loaded.config.name}: all ${planned.cells.length} cells are already stored in ${resultsDir}; nothing to submit\n`);
      return;
    }
    await slurm.launch({
      experimentFile: path.resolve(file),
      overrides,
      cells: pending,
      resultsDir,
      workers: opts.maxParallel ?? pending.length,
      retries: 0,
      onEvent: () => {},
    });
    const sub = slurm.lastSubmission!;
    if (sub.alreadyQueued.length > 0) process.stdout.write(`# ${alreadyQueuedLine(sub)}\n`);
    process.stdout.write(
      sub.script + (sub.collectScript ? `\n# the collect job (submitted with --dependency=afterany:<array job>):\n${sub.collectScript}` : ''),
    );
    return;
  }
  const summary = await runSweep({
    cells: planned.cells,
    experimentFile: path.resolve(file),
    overrides,
    resultsDir,
    launcher,
    workers: opts.maxParallel ?? planned.cells.length,
    retries: 0,
    baseConfig: loaded.config,
  });
  const sub = slurm.lastSubmission;
  if (!sub) {
    process.stdout.write(`${loaded.config.name}: all ${summary.total} cells are already stored in ${resultsDir}; nothing to submit\n`);
    return;
  }
  if (sub.alreadyQueued.length > 0) process.stdout.write(`${alreadyQueuedLine(sub)}\n`);
  if (sub.cellIndices.length > 0) {
    process.stdout.write(
      `submitted ${sub.cellIndices.length} of ${summary.total} cells as job array ${sub.arrayJobId} (script ${path.relative(process.cwd(), sub.scriptFile)}), ` +
        `collect job ${sub.collectJobId} writes ${reportFile}; logs in ${path.join(resultsDir, 'slurm', 'logs')}\n`,
    );
  }
  if (opts.wait) {
    process.stdout.write(`${loaded.config.name}: ${summary.done} ok, ${summary.diverged} diverged, ${summary.failed} failed\n`);
    if (!summary.ok) process.exitCode = 1;
  }
}
