import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSweepPoints, loadExperiment } from './load-experiment.js';
import { MINIMAL, at, problemsOf, writeProject } from './test-helpers.js';
import { testPlugins as plugins } from './test-plugins.js';

function load(sweep: string, overrides: string[] = []) {
  const dir = writeProject({ 'exp.yaml': `${MINIMAL}sweep:\n${sweep}` });
  return loadExperiment(path.join(dir, 'exp.yaml'), { plugins, overrides });
}

describe('expandSweepPoints', () => {
  it('no sweep: one point, the base config', () => {
    const loaded = load('  folds: 2\n');
    const points = expandSweepPoints(loaded);
    expect(points).toHaveLength(1);
    expect(points[0].params).toEqual({});
    expect(points[0].config.loss).toEqual(loaded.config.loss);
    expect(loaded.config.sweep.folds).toBe(2);
  });

  it('grid: cartesian product in key order, first key slowest', () => {
    const points = expandSweepPoints(load('  grid:\n    loss.lambda: [0, 0.01, 0.1]\n    loss.alpha: [0.1, 0.5]\n'));
    expect(points.map((p) => p.params)).toEqual([
      { 'loss.lambda': 0, 'loss.alpha': 0.1 },
      { 'loss.lambda': 0, 'loss.alpha': 0.5 },
      { 'loss.lambda': 0.01, 'loss.alpha': 0.1 },
      { 'loss.lambda': 0.01, 'loss.alpha': 0.5 },
      { 'loss.lambda': 0.1, 'loss.alpha': 0.1 },
      { 'loss.lambda': 0.1, 'loss.alpha': 0.5 },
    ]);
    expect(points.map((p) => [p.config.loss.lambda, p.config.loss.alpha])).toEqual(points.map((p) => [p.params['loss.lambda'], p.params['loss.alpha']]));
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('zip: elementwise; with a grid, grid x zip; then explicit points appended', () => {
    const points = expandSweepPoints(
      load(
        '  grid: { loss.lambda: [0, 0.1] }\n' +
          '  zip: { trainer.optimizer.learningRate: [0.01, 0.001], trainer.epochs: [5, 10] }\n' +
          '  points: [ { loss.id: softmax }, { model.rnn.cell: gru, trainer.epochs: 2 } ]\n',
      ),
    );
    expect(points.map((p) => p.params)).toEqual([
      { 'loss.lambda': 0, 'trainer.optimizer.learningRate': 0.01, 'trainer.epochs': 5 },
      { 'loss.lambda': 0, 'trainer.optimizer.learningRate': 0.001, 'trainer.epochs': 10 },
      { 'loss.lambda': 0.1, 'trainer.optimizer.learningRate': 0.01, 'trainer.epochs': 5 },
      { 'loss.lambda': 0.1, 'trainer.optimizer.learningRate': 0.001, 'trainer.epochs': 10 },
      { 'loss.id': 'softmax' },
      { 'model.rnn.cell': 'gru', 'trainer.epochs': 2 },
    ]);
    expect(points[1].config.trainer.optimizer).toMatchObject({ id: 'adam', learningRate: 0.001 });
    // switching the loss id starts the loss block afresh: no center keys leak into softmax
    expect(points[4].config.loss).toEqual({ id: 'softmax' });
    expect(points[5].config.model.rnn).toEqual({ cell: 'gru', units: 16 });
  });

  it('each point config is validated, frozen, hashed, and carries the default sweep', () => {
    const loaded = load('  grid: { loss.lambda: [0, 0.1] }\n  seeds: [0, 1]\n');
    const points = expandSweepPoints(loaded);
    for (const p of points) {
      expect(Object.isFrozen(p.config.loss)).toBe(true);
      expect(p.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(p.config.sweep).toEqual({ grid: {}, points: [], zip: {}, folds: 'all', seeds: [0], retries: 1 });
      expect(p.config.features).toEqual(loaded.config.features);
    }
    expect(points[0].hash).not.toBe(points[1].hash);
    // widening the grid leaves the existing points' configs (and so their cells) unchanged
    const wider = expandSweepPoints(load('  grid: { loss.lambda: [0, 0.1, 1] }\n  seeds: [0, 1, 2]\n'));
    expect(wider.slice(0, 2).map((p) => p.hash)).toEqual(points.map((p) => p.hash));
  });

  it('identical point configs are kept once', () => {
    const points = expandSweepPoints(load('  grid: { loss.lambda: [0.01, 0.1] }\n  points: [ { loss.lambda: 0.1 }, { loss.id: softmax } ]\n'));
    expect(points.map((p) => p.params)).toEqual([{ 'loss.lambda': 0.01 }, { 'loss.lambda': 0.1 }, { 'loss.id': 'softmax' }]);
  });

  it('returns the points loadExperiment computed (loaded.points); its config alone expands to the same points given the plugins', () => {
    const loaded = load('  grid: { loss.lambda: [0, 0.1] }\n');
    expect(loaded.points.map((p) => p.params)).toEqual([{ 'loss.lambda': 0 }, { 'loss.lambda': 0.1 }]);
    expect(expandSweepPoints(loaded).map((p) => p.hash)).toEqual(loaded.points.map((p) => p.hash));
    expect(expandSweepPoints(loaded.config, plugins).map((p) => p.hash)).toEqual(loaded.points.map((p) => p.hash));
  });

  it('a config built elsewhere needs the plugins, and is validated without YAML positions', () => {
    const loaded = load('  grid: { loss.lambda: [0, 0.1] }\n');
    const copy = structuredClone(loaded.config);
    expect(() => expandSweepPoints(copy)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(expandSweepPoints(copy, plugins).map((p) => p.hash)).toEqual(expandSweepPoints(loaded).map((p) => p.hash));
    copy.sweep.grid['loss.alpha'] = [5];
    const { problems } = problemsOf(() => expandSweepPoints(copy, plugins));
    expect(problems.map((p) => [at(p), p.path])).toEqual([['unknown', 'loss.alpha']]);
    expect(problems[0].message).toMatch(/^expected number >= 0 and <= 1, found 5 \(sweep points 0, 1 of 2\)$/);
  });

  it('a point that switches the loss id and sets a key the new loss lacks is an error at that key', () => {
    const { problems } = problemsOf(() => load('  points: [ { loss.id: softmax, loss.alpha: 0.5 } ]\n'));
    expect(problems.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:6:33', 'loss.alpha', 'unknown key for loss \'softmax\' (it takes no keys besides id) (sweep point 1 of 2: loss.id="softmax", loss.alpha=0.5)'],
    ]);
  });

  it('a point that breaks a cross-key constraint is reported with the point', () => {
    const { problems } = problemsOf(() => load('  zip: { features.windowMs: [25, 80], features.nFft: [512, 1024] }\n'));
    expect(problems.map((p) => [at(p), p.path, p.message])).toEqual([
      [
        'exp.yaml:6:60',
        'features.nFft',
        'expected integer >= 1280 (the 80 ms window at 16000 Hz) or null, found 1024 (sweep point 1 of 2: features.windowMs=80, features.nFft=1024)',
      ],
    ]);
  });

  it('a key in both grid and zip is an error', () => {
    const { problems } = problemsOf(() => load('  grid: { loss.lambda: [0] }\n  zip: { loss.lambda: [1] }\n'));
    expect(problems.map((p) => [at(p), p.message])).toEqual([['exp.yaml:7:10', "'loss.lambda' is in both sweep.grid and sweep.zip; keep it in one"]]);
  });

  it('an empty value list is an error at the key', () => {
    const { problems } = problemsOf(() => load('  grid: { loss.lambda: [] }\n'));
    expect(problems.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:6:24', 'sweep.grid.loss.lambda', 'expected array with at least 1 item, found []'],
    ]);
  });
});
