import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadExperiment, type PluginSchemas } from '@ser/config';
import { planCells, type FoldRef } from './cell.js';

// the smallest plugin schemas config accepts (the real ones live in plugin packages the runner must not import)
const plugins: PluginSchemas = {
  datasets: [{ id: 'synthetic', description: 'test', schema: { type: 'object', properties: {} } }],
  models: [{ id: 'cnn-birnn', description: 'test', schema: { type: 'object', properties: {} } }],
  losses: [
    {
      id: 'center',
      description: 'test',
      schema: { type: 'object', properties: { lambda: { type: 'number', default: 0.01 }, alpha: { type: 'number', default: 0.5 } } },
    },
  ],
};
const folds: FoldRef[] = [
  { name: 'speaker-01', splitHash: 'aaaa' },
  { name: 'speaker-02', splitHash: 'bbbb' },
];

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-plan-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function load(sweep: string) {
  const file = path.join(dir, 'exp.yaml');
  fs.writeFileSync(
    file,
    `name: plan-test
seed: 3
dataset: { id: synthetic, protocol: { id: leave-one-speaker-out, validationSpeakers: 1 } }
model: { id: cnn-birnn }
loss: { id: center, lambda: 0.01, alpha: 0.5 }
sweep:
${sweep}
`,
  );
  return loadExperiment(file, { plugins, configsDir: dir });
}

describe('planCells', () => {
  it('expands a 2x3 grid x 2 folds x 2 seeds into 24 cells in points x folds x seeds order', () => {
    const cells = planCells(load('  grid: { loss.lambda: [0, 0.01], loss.alpha: [0.1, 0.5, 0.9] }\n  seeds: [0, 1]'), { folds, codeVersion: 'v1' });
    expect(cells).toHaveLength(24);
    expect(new Set(cells.map((c) => c.cellId)).size).toBe(24);
    expect(cells.map((c) => c.index)).toEqual([...Array(24).keys()]);
    expect(cells.slice(0, 4).map((c) => [c.pointIndex, c.fold, c.seed])).toEqual([
      [0, 'speaker-01', 0],
      [0, 'speaker-01', 1],
      [0, 'speaker-02', 0],
      [0, 'speaker-02', 1],
    ]);
    expect(cells[4].params).toEqual({ 'loss.lambda': 0, 'loss.alpha': 0.5 });
    const c = cells[5];
    expect(c.config.seed).toBe(1);
    expect(c.foldSeed).toBe(3);
    expect(c.config.loss.alpha).toBe(0.5);
    expect('sweep' in c.config).toBe(false);
    expect(Object.isFrozen(c.config.loss)).toBe(true);
    expect(c.cellId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the old ids when the grid grows or a seed is added, and adds only the new cells', () => {
    const base = planCells(load('  grid: { loss.lambda: [0, 0.01], loss.alpha: [0.1, 0.5, 0.9] }\n  seeds: [0, 1]'), { folds, codeVersion: 'v1' });
    const ids = new Set(base.map((c) => c.cellId));
    const wider = planCells(load('  grid: { loss.lambda: [0, 0.01, 0.1], loss.alpha: [0.1, 0.5, 0.9] }\n  seeds: [0, 1]'), { folds, codeVersion: 'v1' });
    expect(wider).toHaveLength(36);
    expect(wider.filter((c) => ids.has(c.cellId))).toHaveLength(24);
    expect(wider.filter((c) => !ids.has(c.cellId)).every((c) => c.params['loss.lambda'] === 0.1)).toBe(true);
    const moreSeeds = planCells(load('  grid: { loss.lambda: [0, 0.01], loss.alpha: [0.1, 0.5, 0.9] }\n  seeds: [0, 1, 2]'), { folds, codeVersion: 'v1' });
    expect(moreSeeds).toHaveLength(36);
    expect(moreSeeds.filter((c) => ids.has(c.cellId))).toHaveLength(24);
    expect(moreSeeds.filter((c) => !ids.has(c.cellId)).every((c) => c.seed === 2)).toBe(true);
  });

  it('gives new ids for new code or a changed split, and selects folds by count or name', () => {
    const exp = load('  grid: { loss.lambda: [0, 0.01] }\n  seeds: [0]');
    const a = planCells(exp, { folds, codeVersion: 'v1' });
    const b = planCells(exp, { folds, codeVersion: 'v2' });
    const c = planCells(exp, { folds: [folds[0], { name: 'speaker-02', splitHash: 'cccc' }], codeVersion: 'v1' });
    expect(b.map((x) => x.cellId).filter((id) => a.some((y) => y.cellId === id))).toEqual([]);
    expect(c.filter((x, i) => x.cellId === a[i].cellId).map((x) => x.fold)).toEqual(['speaker-01', 'speaker-01']);
    expect(planCells(load('  folds: 1\n  seeds: [0]'), { folds, codeVersion: 'v1' }).map((x) => x.fold)).toEqual(['speaker-01']);
    expect(planCells(load('  folds: [speaker-02]\n  seeds: [0, 1]'), { folds, codeVersion: 'v1' }).map((x) => x.fold)).toEqual(['speaker-02', 'speaker-02']);
    expect(() => planCells(load('  folds: [speaker-09]'), { folds, codeVersion: 'v1' })).toThrow(/speaker-09.*speaker-01, speaker-02/);
  });
});
