// A new loss is the generator plus its formula. Two checks:
// - the generator (tools/generators) run into a throwaway workspace, one formula line written in,
//   gives a package that plugin discovery loads and that computes the written formula, with no
//   other edit (no plugin list, no CLI dependency);
// - packages/loss-ring, made by the same generator, trains through the real CLI, picked by its
//   config piece (`loss=ring`, configs/loss/ring.yaml): validation against its schema, a sweep over
//   its keys, one tiny cell of the demo experiment, and its term stored as an epochs column.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { ResultStore } from '@ser/store';
import { discoverPlugins } from './discover-plugins.js';
import { ser, tempDir, workspaceRoot } from './test-support.js';

let work: string;
const env = () => ({ SER_CACHE_DIR: path.join(work, 'cache') });
const demo = path.join('experiments', 'demo.yaml');

/** The demo experiment, tiny, with the ring loss (its config piece) in place of center loss and a one-point sweep over ring's own keys. */
const overrides = (results: string) => [
  'trainer.epochs=1',
  'sweep.folds=1',
  'sweep.seeds=[0]',
  'dataset.speakers=4',
  'trainer.minSteps=null',
  'dataset.utterancesPerSpeakerPerClass=2',
  'dataset.durationS=[0.6,0.9]',
  `output.dir=${results}`,
  'loss=ring',
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

describe('the loss generator plus one formula line', () => {
  it('gives a package that plugin discovery loads, computing that formula, with no other edit', async () => {
    // the generator as nx runs it (CommonJS), on an in-memory tree written out to a throwaway workspace
    const lossGenerator = createRequire(import.meta.url)('@ser/generators/src/loss/generator.cjs');
    const tree = createTreeWithEmptyWorkspace();
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts']) {
      tree.write(`packages/loss-softmax/${file}`, fs.readFileSync(path.join(workspaceRoot, 'packages', 'loss-softmax', file)));
    }
    await lossGenerator(tree, { name: 'smoke-spread', description: 'Smoke test: softmax plus the variance of the embedding norms.', skipInstall: true });
    const root = path.join(work, 'workspace');
    for (const change of tree.listChanges()) {
      if (change.type === 'DELETE' || !/^(packages\/loss-smoke-spread|configs)\//.test(change.path)) continue;
      fs.mkdirSync(path.dirname(path.join(root, change.path)), { recursive: true });
      fs.writeFileSync(path.join(root, change.path), change.content!);
    }
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, workspaces: ['packages/*'] }));
    fs.copyFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), path.join(root, 'tsconfig.base.json'));
    // the generated code imports @ser/engine and @ser/loss-core from the real workspace's node_modules
    fs.symlinkSync(path.join(workspaceRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    expect(fs.readFileSync(path.join(root, 'configs', 'loss', 'smoke-spread.yaml'), 'utf8')).toContain('id: smoke-spread\nlambda: 0.01\n');

    // the formula: var_i ||z_i||
    const file = path.join(root, 'packages', 'loss-smoke-spread', 'src', 'smoke-spread-loss.ts');
    const source = fs.readFileSync(file, 'utf8');
    const fillIn = source.split('\n').filter((l) => l.includes('FILL IN'));
    expect(fillIn).toHaveLength(1);
    fs.writeFileSync(
      file,
      source.replace(fillIn[0], '          const term = tf.moments(tf.sqrt(tf.add(tf.sum(tf.square(inputs.embeddings), 1), 1e-12))).variance as tf.Scalar;'),
    );

    const registry = await discoverPlugins(root);
    expect(registry.losses.map((l) => l.id)).toEqual(['smoke-spread']);
    const definition = registry.losses[0];
    expect(Object.keys(definition.schema.properties as object).sort()).toEqual(['classWeights', 'labelSmoothing', 'lambda']);

    await tf.setBackend('cpu');
    const loss = definition.create({ lambda: 0.5, classWeights: null, labelSmoothing: 0 }, { numClasses: 2, embeddingDim: 2, seed: 0, logger: silentLogger });
    // norms 5 and 1: variance ((5 - 3)^2 + (1 - 3)^2) / 2 = 4; zero logits: softmax ln 2
    const embeddings = tf.tensor2d([
      [3, 4],
      [0, 1],
    ]);
    const logits = tf.zeros([2, 2]) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1], 'int32');
    const out = loss.compute({ embeddings, logits, labels });
    expect(out.terms.smokeSpread.dataSync()[0]).toBeCloseTo(4, 5);
    expect(out.total.dataSync()[0]).toBeCloseTo(Math.log(2) + 0.5 * 4, 5);
    tf.dispose([embeddings, logits, labels, out.total, ...Object.values(out.terms)]);
    loss.dispose();
  });
});

describe('a generated loss package (ring) in the CLI', () => {
  it('is validated against its own schema: loss.radius must be > 0', () => {
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
