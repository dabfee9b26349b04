// A real worker for the pool tests (excluded from the build): `node --import tsx test-pool-worker.ts
// cell SPEC.json --index N`. It does a short, seeded amount of work and writes a real CellRow into a
// real ResultStore, or misbehaves as SPEC says for its index.
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '@ser/core';
import { ResultStore } from '@ser/store';
import { failedCellRow, plannedCellRow } from './cell-row.js';
import type { PoolWorkerSpec } from './test-cells.js';

const [command, specFile, flag, indexText] = process.argv.slice(2);
if (command !== 'cell' || flag !== '--index') {
  process.stderr.write(`usage: test-pool-worker.ts cell SPEC --index N (got ${process.argv.slice(2).join(' ')})\n`);
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as PoolWorkerSpec;
const index = Number(indexText);
const cell = spec.cells[index];
const marker = (name: string) => path.join(spec.markerDir, name);
fs.mkdirSync(spec.markerDir, { recursive: true });
fs.appendFileSync(marker(`attempts-${index}`), `${process.pid}\n`);

if (spec.crash?.includes(index)) {
  process.stderr.write(`fixture: cell ${index} crashing on purpose\n`);
  process.kill(process.pid, 'SIGKILL');
}
if (
  spec.crashOnce?.includes(index) &&
  fs
    .readFileSync(marker(`attempts-${index}`), 'utf8')
    .trim()
    .split('\n').length === 1
) {
  process.stderr.write(`fixture: cell ${index} out of memory (pretend)\n`);
  process.exit(137);
}
if (spec.hang?.includes(index)) {
  setInterval(() => {}, 1000);
} else {
  await run();
}

async function run(): Promise<void> {
  const store = new ResultStore(spec.resultsDir);
  // as `ser cell` reports feature extraction: forwarded to the sweep's console; the other line stays in the log
  process.stderr.write(`[cell ${index}] features: 1/1 files (100%)\nfixture: cell ${index} working\n`);
  if (spec.barrier?.includes(index)) {
    fs.writeFileSync(marker(`started-${index}`), '');
    const deadline = Date.now() + 30_000;
    while (!spec.barrier.every((i) => fs.existsSync(marker(`started-${i}`)))) {
      if (Date.now() > deadline) {
        process.stderr.write(`fixture: cell ${index} waited 30 s for cells ${spec.barrier.join(',')} to run beside it\n`);
        process.exit(3);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  if (spec.fail?.includes(index)) {
    store.writeCell({
      cell: failedCellRow(cell, { code: 'CELL_FAILED', message: 'fixture: reported failure' }),
      epochs: [],
      predictions: [],
      embeddings: [],
      resolvedConfig: cell.config,
    });
    process.exit(1);
  }
  const rng = new Rng(cell.seed * 1000 + index);
  const [lo, hi] = spec.workMs ?? [20, 80];
  const until = Date.now() + lo + rng.int(hi - lo);
  let acc = 0;
  while (Date.now() < until) acc += Math.sqrt(rng.next());
  const ua = Number((0.4 + 0.2 * rng.next()).toFixed(4));
  const epochs = [0, 1, 2].map((epoch) => ({
    cellId: cell.cellId,
    epoch,
    lr: 0.001,
    trainLoss: 1 / (epoch + 1),
    valLoss: 1,
    valUa: ua,
    valWa: ua,
    valMacroF1: ua,
    intraClassDistance: 1,
    interCenterDistance: 2,
    distanceRatio: 0.5,
    centerDrift: acc > 0 ? 0.1 : 0,
    paddingFraction: 0,
    seconds: 0.02,
    terms: { softmax: 1, center: 0.5 },
  }));
  store.writeCell({
    cell: {
      ...plannedCellRow(cell),
      status: 'ok',
      ua,
      wa: ua,
      macroF1: ua,
      valUa: ua,
      perClassRecall: [ua, ua],
      classes: ['a', 'b'],
      confusion: [
        [1, 0],
        [0, 1],
      ],
      epochs: 3,
      bestEpoch: 2,
      seconds: 0.06,
    },
    epochs,
    predictions: [{ cellId: cell.cellId, utteranceId: 'u1', split: 'test', label: 'a', prediction: 'a', probabilities: [0.75, 0.25] }],
    embeddings: [{ cellId: cell.cellId, utteranceId: 'center:a', split: 'center', label: 'a', embedding: [0.5, 0.5] }],
    resolvedConfig: cell.config,
  });
}
