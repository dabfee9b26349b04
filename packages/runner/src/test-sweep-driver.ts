// Runs a whole sweep of fixture cells through runSweep + LocalPoolLauncher (excluded from the build);
// the resume test starts it as a process group and kills it at random moments.
// Usage: node --import tsx test-sweep-driver.ts SPEC.json WORKERS RETRIES
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalPoolLauncher } from './local-pool-launcher.js';
import { createSweepProgressPrinter } from './progress-printer.js';
import { runSweep } from './run-sweep.js';
import type { PoolWorkerSpec } from './test-cells.js';

const [specFile, workers, retries] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as PoolWorkerSpec;
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-pool-worker.ts');
const summary = await runSweep({
  cells: spec.cells,
  experimentFile: specFile,
  resultsDir: spec.resultsDir,
  launcher: new LocalPoolLauncher({ workerCommand: [process.execPath, '--import', 'tsx', worker] }),
  workers: Number(workers),
  retries: Number(retries),
  baseConfig: { name: 'pool-test' },
  onEvent: createSweepProgressPrinter(process.stdout),
});
process.stdout.write(`summary ${JSON.stringify(summary)}\n`);
process.exitCode = summary.ok ? 0 : 1;
