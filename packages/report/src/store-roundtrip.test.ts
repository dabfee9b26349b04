import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore } from '@ser/store';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { renderTable } from './render-table.js';
import { separateConfigVariants } from './config-variants.js';
import { handRows, makeCell } from './test-rows.js';

// The contract with @ser/store: rows written by ResultStore and read back give the same report.
describe('rows read back from a ResultStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ser-report-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('report the same tables as the rows written', () => {
    const rows = handRows();
    const store = new ResultStore(dir);
    for (const cell of rows.cells) {
      store.writeCell({
        cell,
        epochs: [],
        predictions: (rows.predictions ?? []).filter((p) => p.cellId === cell.cellId),
        embeddings: [],
        resolvedConfig: { params: cell.params },
      });
    }
    const back = { cells: store.readCells(), predictions: store.readPredictions(), epochs: store.readEpochs(), embeddings: store.readEmbeddings() };
    expect(back.cells).toHaveLength(rows.cells.length);
    const opts = { bootstrap: { resamples: 500 } };
    // the store keeps per-class recall as Float32: equal to 2 decimals of a percent, not to the last bit
    expect(renderTable(buildReport(back, opts), 'text')).toBe(renderTable(buildReport(rows, opts), 'text'));
    const csv = (r: typeof rows) => renderTable(buildReport(r, opts), 'csv').split(/[,\n]/);
    const [a, b] = [csv(back), csv(rows)];
    expect(a).toHaveLength(b.length);
    a.forEach((x, i) => (Number.isFinite(Number(x)) && x !== '' ? expect(Number(x)).toBeCloseTo(Number(b[i]), 6) : expect(x).toBe(b[i])));
  });

  it("keep each cell's resolved config, which tells apart a point run twice with another setting", () => {
    const store = new ResultStore(join(dir, 'variants'));
    for (const [id, epochs] of [
      ['e8', 8],
      ['e12', 12],
    ] as const) {
      const config = { seed: 0, loss: { id: 'center', lambda: 0.1 }, trainer: { epochs } };
      store.writeCell({
        cell: makeCell({ cellId: id, params: { 'loss.lambda': 0.1 }, configHash: id }),
        epochs: [],
        predictions: [],
        embeddings: [],
        resolvedConfig: config,
      });
    }
    // as `ser report` reads a folder (packages/cli readResults)
    const { cells, keys } = separateConfigVariants(store.readCells(), (c) => JSON.parse(store.readMetadata('cells', c.cellId)['ser.config']));
    expect(keys).toEqual(['trainer.epochs']);
    expect(cells.map((c) => c.params['trainer.epochs'] as number).sort((a, b) => a - b)).toEqual([8, 12]);
  });
});
