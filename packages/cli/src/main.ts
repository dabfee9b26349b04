// `ser`: the command-line program. The only place that reads argv, the environment and sets
// exit codes; everything else is a library call with a logger passed in.
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { consoleLogger, isSerError } from '@ser/core';
import { cliVersion } from './version.js';

// Command modules load on use: a worker running `ser cell` never loads the report's plotly.js.
const doctor = () => import('./commands/doctor.js');
const configCommands = () => import('./commands/config-commands.js');
const sweepCommands = () => import('./commands/sweep-commands.js');
const reportCommands = () => import('./commands/report-commands.js');
const dataCommands = () => import('./commands/data-commands.js');

const collect = (value: string, previous: string[]) => [...previous, value];

function buildProgram(): Command {
  const program = new Command('ser')
    .description('Speech-emotion-recognition experiments: center loss and its variants, swept from YAML configs.')
    .version(cliVersion(), '-V, --version')
    .option('-v, --verbose', 'debug logging')
    .showHelpAfterError('(run with --help for usage)')
    // before the subcommands are defined, so they inherit it: main() maps errors to exit codes
    .exitOverride();

  program
    .command('doctor')
    .description('print the platform, the engine chosen, its versions (tfjs, libtensorflow) and a matMul throughput figure')
    .option('--backend <id>', 'auto | tfjs-node-gpu | tfjs-node | wasm | cpu (default: SER_BACKEND or auto)')
    .action(async (opts) => (await doctor()).doctorCommand(opts));

  program
    .command('schema')
    .description('write the JSON Schema of experiment configs (for yaml-language-server and other editors)')
    .option('--out <file>', 'where to write it', 'ser.schema.json')
    .action(async (opts) => (await configCommands()).schemaCommand(opts));

  program
    .command('validate')
    .description('check an experiment config: every problem with its file, line and column')
    .argument('<file>', 'experiment YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .option('--print', 'print the resolved config')
    .action(async (file, overrides, opts) => (await configCommands()).validateCommand(file, overrides, opts));

  program
    .command('plan')
    .description("print the sweep's cells, how many are done, and an estimate of the time left")
    .argument('<file>', 'experiment YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .option('--results <dir>', 'results folder (default: output.dir of the config)')
    .action(async (file, overrides, opts) => (await sweepCommands()).planCommand(file, overrides, opts));

  program
    .command('run')
    .description('run the cells of a sweep not yet stored, in parallel worker processes (a rerun resumes)')
    .argument('<file>', 'experiment YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .option('--workers <n>', 'cells at once (default: fits the machine)', (v) => Number.parseInt(v, 10))
    .option('--results <dir>', 'results folder (default: output.dir of the config)')
    .option('--rerun-failed', 'run cells stored as failed again')
    .option('--no-report', 'skip the UA/WA table at the end')
    .action(async (file, overrides, opts) => (await sweepCommands()).runCommand(file, overrides, opts));

  program
    .command('cell')
    .description('run one cell of a sweep in this process (what workers and Slurm array tasks run)')
    .argument('<file>', 'experiment YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .requiredOption('--index <n>', 'the cell index (see `ser plan`)', (v) => Number.parseInt(v, 10))
    .option('--set <k=v>', 'an override (repeatable; same as a positional override)', collect, [])
    .option('--results <dir>', 'results folder (default: output.dir of the config)')
    .action(async (file, overrides, opts) => (await sweepCommands()).cellCommand(file, [...overrides, ...opts.set], opts));

  program
    .command('submit')
    .description('submit the cells not yet stored to a cluster as a job array, plus a job that collects results and writes the report')
    .argument('<file>', 'experiment YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .addOption(new Option('--launcher <name>', 'where to run').choices(['slurm']).makeOptionMandatory())
    .option('--partition <p>', 'Slurm partition')
    .option('--time <t>', 'wall time per cell, e.g. 02:00:00')
    .option('--mem <m>', 'memory per cell, e.g. 16G')
    .option('--cpus <c>', 'CPUs per cell', (v) => Number.parseInt(v, 10))
    .option('--gpus <g>', 'GPUs per cell', (v) => Number.parseInt(v, 10))
    .option('--max-parallel <k>', 'array tasks at once', (v) => Number.parseInt(v, 10))
    .option('--results <dir>', 'results folder on a shared file system (default: output.dir of the config)')
    .option('--dry-run', 'print the sbatch script, submit nothing')
    .option('--wait', 'wait until the jobs have left the queue')
    .action(async (file, overrides, opts) => (await sweepCommands()).submitCommand(file, overrides, opts));

  program
    .command('report')
    .description('UA/WA tables, significance against the baseline, and the HTML report of a results folder')
    .argument('<results>', 'results folder')
    .option('--out <file>', 'write the HTML report here')
    .addOption(new Option('--format <f>', 'table format on stdout').choices(['text', 'md', 'csv', 'tex']).default('text'))
    .option('--baseline <k=v>', "baseline point, e.g. loss.lambda=0 (default: lambda 0 or loss 'softmax')", collect, [])
    .option('--consolidate', "first rebuild cells.arrow and epochs.arrow from the per-cell files (what a cluster sweep's collect job runs)")
    .action(async (results, opts) => (await reportCommands()).reportCommand(results, opts));

  program
    .command('compare')
    .description('compare two result sets cell by cell (same point, fold and seed) with a paired test')
    .argument('<a>', 'results folder A')
    .argument('<b>', 'results folder B')
    .addOption(new Option('--format <f>', 'table format').choices(['text', 'md', 'csv', 'tex']).default('text'))
    .action(async (a, b, opts) => (await reportCommands()).compareCommand(a, b, opts));

  const data = program.command('data').description('look at corpora');
  data
    .command('describe')
    .description("counts per label, speaker and fold, total duration and split hashes of a config's dataset")
    .argument('<file>', 'experiment or dataset YAML')
    .argument('[overrides...]', 'key.path=value overrides')
    .action(async (file, overrides) => (await dataCommands()).dataDescribeCommand(file, overrides));
  data
    .command('synth')
    .description('write the built-in synthetic corpus as WAV files with a manifest.csv')
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 0)
    .option('--speakers <n>', 'synthetic speakers', (v) => Number.parseInt(v, 10))
    .option('--per-class <n>', 'utterances per speaker and class', (v) => Number.parseInt(v, 10))
    .option('--difficulty <d>', 'class overlap in [0, 1]', (v) => Number.parseFloat(v))
    .action(async (opts) => (await dataCommands()).dataSynthCommand(opts));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err: any) {
    if (err?.code === 'commander.helpDisplayed' || err?.code === 'commander.version' || err?.code === 'commander.help') return 0;
    if (typeof err?.code === 'string' && err.code.startsWith('commander.')) return 2;
    const logger = consoleLogger();
    if (isSerError(err)) {
      logger.error(`[${err.code}] ${err.message}`);
      if (program.opts().verbose && err.cause) logger.error(String((err.cause as Error)?.stack ?? err.cause));
      return err.code === 'USAGE' ? 2 : 1;
    }
    logger.error(err?.stack ?? String(err));
    return 1;
  }
}

// Run when executed (bin/ser.mjs imports this file).
const entry = process.argv[1] ? fs.realpathSync(process.argv[1]) : '';
if (entry.endsWith(path.join('cli', 'bin', 'ser.mjs')) || entry.endsWith(path.join('cli', 'src', 'main.ts'))) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
