// A loss package made by `npx nx g @ser/generators:loss` (packages/loss-ring: the template plus its
// formula line and one config key) trains through the real CLI once it is registered in
// plugins.ts: config validation against its schema, a sweep over its keys, one tiny cell of the
// demo experiment, and its term stored as an epochs column.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { ser, tempDir } from './test-support.js';

let work: string;
const env = () => ({ SER_CACHE_DIR: path.join(work, 'cache') });
const demo = path.join('experiments', 'demo.yaml');

/** The demo experiment, tiny, with the ring loss in place of center loss and a one-point sweep over ring's own keys. */
const overrides = (results: string) => [
  'trainer.epochs=1',
  'sweep.folds=1',
  'sweep.seeds=[0]',
  'dataset.speakers=4',
  'trainer.minSteps=null',
  'dataset.utterancesPerSpeakerPerClass=2',
  'dataset.durationS=[0.6,0.9]',
  `output.dir=${results}`,
  'loss.id=ring',
  // the demo sweeps center loss' alpha, which ring does not have: replace its grid and points
  'sweep.grid={loss.lambda: [0.1], loss.radius: [2]}',
  'sweep.points=[]',
];

beforeAll(() => {
  work = tempDir('generated-loss');
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a generated loss package (ring)', () => {
  it("is validated against its own schema: loss.radius must be > 0", () => {
    const r = ser(['validate', demo, ...overrides(path.join(work, 'invalid')), 'loss.radius=0'], env());
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/loss\.radius: expected number > 0, found 0/);
  });

  it('plans a sweep over its keys and trains one cell of the demo experiment for one epoch', () => {
    const results = path.join(work, 'results');
    const planned = ser(['plan', demo, ...overrides(results)], env());
    expect(planned.status, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/1 cells, 0 stored, 1 to run/);
    expect(planned.stdout).toContain('loss.lambda=0.1 loss.radius=2');

    const run = ser(['cell', demo, '--index', '0', ...overrides(results)], env());
    expect(run.status, run.stderr).toBe(0);

    const store = new ResultStore(results);
    const cells = store.readCells();
    expect(cells).toHaveLength(1);
    const cell = cells[0];
    expect(cell.status, `${cell.errorCode}: ${cell.errorMessage}`).toBe('ok');
    expect(cell.lossId).toBe('ring');
    expect(cell.params).toEqual({ 'loss.lambda': 0.1, 'loss.radius': 2 });
    expect(cell.epochs).toBe(1);

    const epochs = store.readEpochs([cell.cellId]);
    expect(epochs).toHaveLength(1);
    // the terms the loss names become the columns term.softmax and term.ring
    expect(Object.keys(epochs[0].terms).sort()).toEqual(['ring', 'softmax']);
    expect(Number.isFinite(epochs[0].terms.ring)).toBe(true);
    expect(epochs[0].terms.ring).toBeGreaterThan(0);
    expect(epochs[0].terms.softmax).toBeGreaterThan(0);
  });
});
