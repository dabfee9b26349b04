import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SerError, writeFileAtomic } from '@ser/core';
import { buildReport, compareResults, renderHtml, renderTable, separateConfigVariants } from '@ser/report';
import type { ResultRows, TableFormat } from '@ser/report';
import { ResultStore } from '@ser/store';

/** Reads a results folder's rows (every per-cell file), refusing a folder that is not a store. */
export function readResults(dir: string, options: { embeddings?: boolean } = {}): ResultRows {
  if (!fs.existsSync(path.join(dir, 'cells'))) {
    throw new SerError('REPORT_EMPTY', `no results in ${dir}: expected a results folder with cells/ (written by \`ser run\`), e.g. results/demo`);
  }
  const store = new ResultStore(dir);
  const stored = store.readCells();
  if (stored.length === 0) throw new SerError('REPORT_EMPTY', `${dir} holds no finished cell yet; run \`ser run\` first`);
  // a sweep point run twice into this folder with another setting outside the sweep: two points
  const { cells, keys } = separateConfigVariants(stored, (c) => JSON.parse(store.readMetadata('cells', c.cellId)['ser.config'] ?? 'null'));
  return {
    cells,
    configVariantKeys: keys,
    epochs: store.readEpochs(),
    predictions: store.readPredictions(),
    embeddings: options.embeddings === false ? [] : store.readEmbeddings(),
  };
}

/** `key=value` baseline filters, values parsed as YAML scalars (loss.lambda=0 -> number 0). */
function parseBaseline(items: string[]): Record<string, any> | undefined {
  if (items.length === 0) return undefined;
  const out: Record<string, any> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new SerError('USAGE', `--baseline expects key=value (e.g. loss.lambda=0), got '${item}'`);
    out[item.slice(0, eq)] = parse(item.slice(eq + 1));
  }
  return out;
}

/** Prints the UA/WA table of a results folder (used at the end of `ser run`). */
export function printResultsTable(dir: string): void {
  const rows = readResults(dir, { embeddings: false });
  process.stdout.write(renderTable(buildReport(rows), 'text') + '\n');
}

/** `ser report RESULTS`: the table on stdout in a format, and the HTML report when --out is given. */
export function reportCommand(dir: string, opts: { out?: string; format: TableFormat; baseline: string[]; consolidate?: boolean }): void {
  // the collect job of a cluster sweep: rebuild cells.arrow / epochs.arrow from every task's files
  if (opts.consolidate && fs.existsSync(path.join(dir, 'cells'))) new ResultStore(dir).consolidate();
  const rows = readResults(dir);
  const report = buildReport(rows, { baseline: parseBaseline(opts.baseline), title: path.basename(path.resolve(dir)) });
  process.stdout.write(renderTable(report, opts.format) + '\n');
  if (opts.out) {
    writeFileAtomic(opts.out, renderHtml(report, rows));
    process.stdout.write(`report: ${opts.out}\n`);
  }
}

/** `ser compare A B`: the same (point, fold, seed) in both, differences and a paired test. */
export function compareCommand(a: string, b: string, opts: { format: TableFormat }): void {
  const comparison = compareResults(readResults(a, { embeddings: false }), readResults(b, { embeddings: false }), { labels: { a, b } });
  process.stdout.write(renderTable(comparison, opts.format) + '\n');
}
