#!/usr/bin/env node
// The `ser` program. The workspace runs TypeScript directly through tsx, so no build step is
// needed between editing a package and running it; worker processes start this same file.
//
// The commands that load libtensorflow (NATIVE_COMMANDS) run in a child process whose stderr passes
// through TfStartupFilter: libtensorflow prints its start-up notices to fd 2 while it loads, before it
// reads TF_CPP_MIN_LOG_LEVEL, so only a filter on the file descriptor silences them. --verbose (or
// TF_CPP_MIN_LOG_LEVEL=0, asking for TensorFlow's INFO logs) shows everything TensorFlow prints.
// Warnings and errors always pass.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TfStartupFilter } from './tf-startup-filter.mjs';

/** Subcommands whose process loads the native engine: `ser cell` is every worker and Slurm task. */
const NATIVE_COMMANDS = new Set(['doctor', 'cell']);
const FILTERED = 'SER_STDERR_FILTERED';
const TTY_COLUMNS = 'SER_STDERR_TTY_COLUMNS';

const args = process.argv.slice(2);
const options = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
const verbose = options.some((a) => a === '--verbose' || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(a));
const command = args.find((a) => !a.startsWith('-'));
const wantsInfo = process.env.TF_CPP_MIN_LOG_LEVEL === '0';
// later notices (CPU feature hints, INFO and WARNING logs) respect the level: errors only
if (!verbose) process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

if (!verbose && !wantsInfo && NATIVE_COMMANDS.has(command) && process.env[FILTERED] !== '1') {
  runFiltered();
} else {
  if (process.env[FILTERED] === '1') asFilteredChild();
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}

/** This process relays: the command runs in a child whose stderr comes back through the filter. */
function runFiltered() {
  const env = { ...process.env, [FILTERED]: '1' };
  if (process.stderr.isTTY) env[TTY_COLUMNS] = String(process.stderr.columns ?? 80);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    env,
    // the IPC channel only tells the child when this process is gone (killed: it must not run on)
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
  });
  const filter = new TfStartupFilter();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const out = filter.push(chunk);
    if (out) process.stderr.write(out);
  });
  // A signal sent to this process (kill PID, the worker pool, a scheduler) is passed on, and this
  // one stays until the child has ended. Ctrl-C reaches the child from the terminal too (one
  // process group), so it may get SIGINT twice: harmless, the first one already ends it.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.on(sig, () => child.kill(sig));
  let started = false;
  child.once('spawn', () => (started = true));
  child.on('error', (err) => {
    if (started) return; // the channel's own errors: the exit code tells
    process.stderr.write(`error: could not start ${process.execPath}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('close', (code, signal) => {
    const rest = filter.end();
    if (rest) process.stderr.write(rest);
    if (signal) {
      // end the same way, so whoever started `ser` sees the signal
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code ?? 1;
  });
}

/** In the child of runFiltered: its stderr is a pipe to the parent, which draws it on a terminal or not. */
function asFilteredChild() {
  delete process.env[FILTERED]; // a `ser` this one starts filters for itself
  const columns = process.env[TTY_COLUMNS];
  delete process.env[TTY_COLUMNS];
  if (columns !== undefined) {
    // the parent's stderr is a terminal: progress bars may redraw in place
    process.stderr.isTTY = true;
    process.stderr.columns = Number(columns);
  }
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => {
      if (!exiting) process.kill(process.pid, 'SIGKILL'); // the parent was killed: so is this
    });
    process.on('exit', () => (exiting = true));
  }
}
var exiting = false;
