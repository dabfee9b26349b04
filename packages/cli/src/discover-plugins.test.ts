// Plugin discovery on throwaway workspaces (plain-JS packages, so no engine is loaded), and on this
// workspace: every loss package under packages/ is found.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSerError } from '@ser/core';
import { discoverPlugins, findPluginPackages } from './discover-plugins.js';
import { tempDir, workspaceRoot } from './test-support.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

type Files = Record<string, string | object>;

/** A workspace root with these files (objects are written as JSON). */
function workspace(files: Files): string {
  const root = tempDir('discover');
  roots.push(root);
  const all: Files = { 'package.json': { name: 'ws', private: true, workspaces: ['packages/*'] }, ...files };
  for (const [rel, content] of Object.entries(all)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

const lossModule = (exportName: string, id: string) =>
  `export const ${exportName} = { id: '${id}', description: '${id} loss', schema: { type: 'object', properties: {} }, create() { return {}; } };\n`;

/** A plugin package: package.json with a `ser` field and an ESM entry. */
function pluginPackage(dir: string, name: string, ser: unknown, entry: string): Files {
  return {
    [`${dir}/package.json`]: { name, type: 'module', exports: { '.': './src/index.js' }, ser },
    [`${dir}/src/index.js`]: entry,
  };
}

/** The PLUGIN_INVALID error discoverPlugins throws for this workspace. */
async function failure(root: string): Promise<Error> {
  try {
    await discoverPlugins(root);
  } catch (err) {
    expect(isSerError(err, 'PLUGIN_INVALID'), String(err)).toBe(true);
    return err as Error;
  }
  throw new Error('discoverPlugins did not fail');
}

describe('discoverPlugins', () => {
  it('finds the losses, models and datasets that workspace packages and installed dependencies declare, and ignores other packages', async () => {
    const root = workspace({
      ...pluginPackage('packages/loss-b', '@x/loss-b', { plugin: 'loss', export: 'bLoss' }, lossModule('bLoss', 'b')),
      ...pluginPackage('packages/model-m', '@x/model-m', { plugin: 'model', export: 'mModel' }, lossModule('mModel', 'm')),
      ...pluginPackage(
        'packages/corpora',
        '@x/corpora',
        { plugin: 'dataset', export: ['one', 'two'] },
        ['one', 'two'].map((id) => `export const ${id} = { id: '${id}', description: '', schema: {}, async load() { return {}; } };\n`).join(''),
      ),
      'packages/core/package.json': { name: '@x/core', exports: { '.': './missing.js' } },
      'packages/core/README.md': 'not a plugin: no ser field, never loaded',
      // an installed loss package (npm install some-loss), a root dependency
      ...pluginPackage('node_modules/third-party-loss', 'third-party-loss', { plugin: 'loss', export: 'aLoss' }, lossModule('aLoss', 'a')),
      'package.json': { name: 'ws', private: true, workspaces: ['packages/*'], dependencies: { 'third-party-loss': '1.0.0', 'not-installed': '1.0.0' } },
    });
    const registry = await discoverPlugins(root);
    expect(registry.losses.map((l) => l.id)).toEqual(['a', 'b']);
    expect(registry.models.map((m) => m.id)).toEqual(['m']);
    expect(registry.datasets.map((d) => d.id)).toEqual(['one', 'two']);
  });

  it('lists packages by name and plugins by id, whatever the folder names and the order on disk', async () => {
    const root = workspace({
      ...pluginPackage(
        'packages/aaa',
        '@x/zzz',
        { plugin: 'loss', export: ['zetaLoss', 'alphaLoss'] },
        lossModule('zetaLoss', 'zeta') + lossModule('alphaLoss', 'alpha'),
      ),
      ...pluginPackage('packages/zzz', '@x/aaa', { plugin: 'loss', export: 'midLoss' }, lossModule('midLoss', 'mid')),
    });
    expect(findPluginPackages(root).map((p) => p.name)).toEqual(['@x/aaa', '@x/zzz']);
    const first = (await discoverPlugins(root)).losses.map((l) => l.id);
    expect(first).toEqual(['alpha', 'mid', 'zeta']);
    expect((await discoverPlugins(root)).losses.map((l) => l.id)).toEqual(first);
  });

  it('refuses a malformed ser field, naming the package, its package.json and the field it wants', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['loss', /"ser" must be an object, got "loss"/],
      [{ plugin: 'losses', export: 'bLoss' }, /"ser\.plugin" must be one of dataset, model, loss, got "losses"/],
      [{ plugin: 'loss' }, /"ser\.export" must be an export name or a non-empty list of distinct export names, got undefined/],
      [{ plugin: 'loss', export: [] }, /"ser\.export" must be .*, got \[\]/],
      [{ plugin: 'loss', export: 'b-loss' }, /"ser\.export" must be .*, got "b-loss"/],
      [{ plugin: 'loss', exports: 'bLoss' }, /"ser" has unknown key 'exports'/],
    ];
    for (const [field, message] of cases) {
      const root = workspace(pluginPackage('packages/loss-b', '@x/loss-b', field, lossModule('bLoss', 'b')));
      const err = await failure(root);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`@x/loss-b (${path.join('packages', 'loss-b')}/package.json)`);
      expect(err.message).toContain(`write "ser": { "plugin": "loss", "export": "ringLoss" }`);
    }
  });

  it('refuses an export that is missing, naming what the entry does export', async () => {
    const root = workspace(
      pluginPackage('packages/loss-b', '@x/loss-b', { plugin: 'loss', export: 'bLoss' }, lossModule('bLos', 'b') + 'export const helper = 1;\n'),
    );
    const err = await failure(root);
    expect(err.message).toContain(
      `@x/loss-b (${path.join('packages', 'loss-b')}/package.json): "ser.export" names 'bLoss', but ${path.join('src', 'index.js')} does not export it (it exports: bLos, helper)`,
    );
    expect(err.message).toContain('export the loss from the entry, or fix "ser.export"');
  });

  it('refuses an export that is not a plugin definition of its kind, saying what it lacks', async () => {
    const notLoss = workspace(
      pluginPackage('packages/loss-b', '@x/loss-b', { plugin: 'loss', export: 'bLoss' }, `export const bLoss = { id: 'B_Loss', schema: {} };\n`),
    );
    expect((await failure(notLoss)).message).toBe(
      '@x/loss-b: export \'bLoss\' is not a loss plugin definition: it needs a kebab-case string id (got "B_Loss"), a description string, a create(config, context) function; make it with defineLoss from @ser/loss-core',
    );
    // a loss declared as a dataset: datasets load, they do not create
    const wrongKind = workspace(pluginPackage('packages/loss-b', '@x/loss-b', { plugin: 'dataset', export: 'bLoss' }, lossModule('bLoss', 'b')));
    expect((await failure(wrongKind)).message).toMatch(
      /export 'bLoss' is not a dataset plugin definition: it needs a load\(config, context\) function; make it with defineDataset/,
    );
  });

  it('refuses an entry that does not load, and two packages with the same id', async () => {
    const broken = workspace(
      pluginPackage(
        'packages/loss-b',
        '@x/loss-b',
        { plugin: 'loss', export: 'bLoss' },
        `import { nothing } from 'no-such-package';\nexport const bLoss = nothing;\n`,
      ),
    );
    const err = await failure(broken);
    expect(err.message).toContain(`@x/loss-b (${path.join('packages', 'loss-b')}/package.json): loading its entry ${path.join('src', 'index.js')} failed: `);
    expect(err.message).toContain('no-such-package');
    expect(err.message).toContain('fix the package, or remove its "ser" field to leave it out');

    const twins = workspace({
      ...pluginPackage('packages/one', '@x/one', { plugin: 'loss', export: 'ringLoss' }, lossModule('ringLoss', 'ring')),
      ...pluginPackage('packages/two', '@x/two', { plugin: 'loss', export: 'myRingLoss' }, lossModule('myRingLoss', 'ring')),
    });
    expect((await failure(twins)).message).toBe(
      "loss id 'ring' is defined twice, by @x/one (ringLoss) and by @x/two (myRingLoss); plugin ids must be unique: rename the new one (results refer to ids forever)",
    );
  });
});

describe('this workspace', () => {
  it('declares every loss package under packages/ (all but loss-core) and every model package, and nothing else', () => {
    const onDisk = fs.readdirSync(path.join(workspaceRoot, 'packages')).filter((d) => /^(loss|model)-/.test(d) && !['loss-core', 'model-core'].includes(d));
    const found = findPluginPackages(workspaceRoot);
    expect(
      found
        .filter((p) => p.kind !== 'dataset')
        .map((p) => p.where)
        .sort(),
    ).toEqual(onDisk.map((d) => path.join('packages', d)).sort());
    expect(found.filter((p) => p.kind === 'dataset').map((p) => p.name)).toEqual(['@ser/datasets']);
    for (const p of found) expect(p.kind, p.name).toBe(p.name.startsWith('@ser/loss-') ? 'loss' : p.name.startsWith('@ser/model-') ? 'model' : 'dataset');
  });
});
