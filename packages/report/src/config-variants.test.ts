import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { separateConfigVariants } from './config-variants.js';
import { makeCell } from './test-rows.js';
import type { CellRow } from './rows.js';

// Two runs of one sweep into one folder: the point loss.lambda=0.1 with trainer.epochs 8, then 12
// (and a changed conv stack, an array: one setting); the baseline loss.lambda=0 only once.
function twoRuns() {
  const configs = new Map<string, unknown>();
  const cells: CellRow[] = [];
  const add = (id: string, lambda: number, epochs: number, fold: string, seed: number, ua: number, conv = [16, 32]) => {
    const config = { seed, loss: { id: 'center', lambda }, trainer: { epochs, lr: 0.001 }, model: { conv } };
    configs.set(id, config);
    cells.push(makeCell({ cellId: id, params: { 'loss.lambda': lambda }, fold, seed, ua, wa: ua, configHash: JSON.stringify(config) }));
  };
  for (const [f, fold] of ['a', 'b', 'c'].entries()) {
    add(`base-${fold}`, 0, 8, fold, 0, 0.5 + f / 100);
    add(`old-${fold}`, 0.1, 8, fold, 0, 0.55 + f / 100);
    add(`new-${fold}`, 0.1, 12, fold, 0, 0.6 + f / 100, [16, 64]);
  }
  return { cells, configOf: (c: CellRow) => configs.get(c.cellId) };
}

describe('separateConfigVariants', () => {
  it('splits a point run with two configs by the keys that differ, leaving other points and the input alone', () => {
    const { cells, configOf } = twoRuns();
    const read: string[] = [];
    const out = separateConfigVariants(cells, (c) => (read.push(c.cellId), configOf(c)));
    expect(out.keys).toEqual(['model.conv', 'trainer.epochs']);
    expect(out.cells.find((c) => c.cellId === 'old-a')!.params).toEqual({ 'loss.lambda': 0.1, 'model.conv': '[16,32]', 'trainer.epochs': 8 });
    expect(out.cells.find((c) => c.cellId === 'new-b')!.params).toEqual({ 'loss.lambda': 0.1, 'model.conv': '[16,64]', 'trainer.epochs': 12 });
    expect(out.cells.find((c) => c.cellId === 'base-a')!.params).toEqual({ 'loss.lambda': 0 });
    expect(read.every((id) => !id.startsWith('base'))).toBe(true); // configs read only where a slot conflicts
    expect(cells.find((c) => c.cellId === 'old-a')!.params).toEqual({ 'loss.lambda': 0.1 });
  });

  it('changes nothing where every slot holds one config (a cell run again keeps its config hash)', () => {
    const { cells, configOf } = twoRuns();
    const single = cells.filter((c) => !c.cellId.startsWith('new'));
    const rerun = { ...single[1], cellId: 'rerun', codeVersion: '1' };
    const out = separateConfigVariants([...single, rerun], configOf);
    expect(out.keys).toEqual([]);
    expect(out.cells.map((c) => c.params)).toEqual([...single, rerun].map((c) => c.params));
  });

  it('gives the report one point per config, paired by (fold, seed), and a note naming the keys', () => {
    const { cells, configOf } = twoRuns();
    const { cells: separated, keys } = separateConfigVariants(cells, configOf);
    const r = buildReport({ cells: separated, configVariantKeys: keys }, { baseline: { 'loss.lambda': 0 }, bootstrap: { resamples: 100 } });
    expect(r.tables[0].points.map((p) => [p.label, p.cells.total, p.cells.duplicates])).toEqual([
      ['center loss.lambda=0', 3, 0],
      ['center loss.lambda=0.1 model.conv=[16,32] trainer.epochs=8', 3, 0],
      ['center loss.lambda=0.1 model.conv=[16,64] trainer.epochs=12', 3, 0],
    ]);
    expect(r.warnings.join('\n')).toMatch(/different settings outside the sweep \(model\.conv, trainer\.epochs\)/);
    expect(r.warnings.join('\n')).not.toMatch(/duplicate/);
    expect(r.significance[0].rows.map((row) => row.pairs)).toEqual([3, 3]);
  });
});
