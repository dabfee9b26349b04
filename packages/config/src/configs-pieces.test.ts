// Every piece under the repository's configs/ parses, starts with a comment saying what it is, and
// the pieces of the core groups (features, trainer, sweep) validate against the core schema.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from './load-experiment.js';
import { readYamlFile } from './internal/yaml-file.js';
import { writeProject } from './test-helpers.js';
import { testPlugins as plugins } from './test-plugins.js';

const configsDir = fileURLToPath(new URL('../../../configs', import.meta.url));
const groups = readdirSync(configsDir).filter((g) => !g.startsWith('.'));
const pieces = groups.flatMap((g) =>
  readdirSync(path.join(configsDir, g))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [g, f.slice(0, -5)] as const),
);

describe('configs/', () => {
  it('has the groups and pieces the experiments and README name', () => {
    expect(groups.sort()).toEqual(['dataset', 'features', 'loss', 'model', 'sweep', 'trainer']);
    for (const name of [
      'features/logmel-paper',
      'features/stft-paper',
      'features/logmel-small',
      'model/cnn-birnn-paper',
      'model/cnn-birnn-small',
      'loss/softmax',
      'loss/center',
      'trainer/paper',
      'trainer/demo',
      'dataset/emodb',
      'dataset/iemocap',
      'dataset/synthetic-demo',
      'sweep/lambda-alpha',
      'sweep/none',
      'features/logmel-recipe',
      'features/logmel-recipe-speaker',
      'model/cnn-birnn-recipe',
      'model/utterance-stats',
      'trainer/recipe',
    ]) {
      expect(pieces.map(([g, p]) => `${g}/${p}`)).toContain(name);
    }
  });

  it.each(pieces)('%s/%s parses, opens with a comment, and plugin pieces name their id', (group, name) => {
    const file = path.join(configsDir, group, `${name}.yaml`);
    expect(readFileSync(file, 'utf8')).toMatch(/^# \S/);
    const { value } = readYamlFile(file);
    expect(typeof value).toBe('object');
    if (['dataset', 'model', 'loss'].includes(group)) expect(typeof (value as { id?: unknown }).id).toBe('string');
  });

  const core = pieces.filter(([g]) => ['features', 'trainer', 'sweep'].includes(g));
  it.each(core)('%s/%s validates against the core schema', (group, name) => {
    const dir = writeProject({
      'exp.yaml': `name: piece-check\ndefaults: { ${group}: ${name} }\ndataset: { id: synthetic }\nmodel: { id: cnn-birnn }\nloss: { id: center }\n`,
    });
    const loaded = loadExperiment(path.join(dir, 'exp.yaml'), { plugins, configsDir });
    expect(loaded.sources[group]).toBeDefined();
  });

  it('logmel-small is the paper log-Mel with 64 bands; stft-paper is 1024-point magnitude', () => {
    const load = (features: string) => {
      const dir = writeProject({
        'exp.yaml': `name: t\ndefaults: { features: ${features} }\ndataset: { id: synthetic }\nmodel: { id: cnn-birnn }\nloss: { id: center }\n`,
      });
      return loadExperiment(path.join(dir, 'exp.yaml'), { plugins, configsDir }).config.features;
    };
    const paper = load('logmel-paper');
    expect(paper).toMatchObject({ sampleRateHz: 16000, kind: 'logmel', windowMs: 40, hopMs: 10, window: 'hamming', nMels: 128, spectrum: 'power' });
    expect(load('logmel-small')).toEqual({ ...paper, nMels: 64 });
    expect(load('stft-paper')).toMatchObject({ kind: 'stft', nFft: 1024, spectrum: 'magnitude', windowMs: 40, hopMs: 10 });
  });
});
