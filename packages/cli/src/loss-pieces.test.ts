// Every discovered loss has its config piece configs/loss/<id>.yaml (what `defaults: { loss: <id> }`
// and the override `loss=<id>` load), and the piece writes out the plugin's own defaults.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadExperiment } from '@ser/config';
import { plugins } from './plugins.js';
import { tempDir, workspaceRoot } from './test-support.js';

const configsDir = path.join(workspaceRoot, 'configs');
const work = tempDir('loss-pieces');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('configs/loss', () => {
  it('has a piece for every loss plugin and no piece without one', () => {
    const pieces = fs
      .readdirSync(path.join(configsDir, 'loss'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5));
    expect(pieces.sort()).toEqual(plugins.losses.map((l) => l.id).sort());
  });

  it.each(plugins.losses.map((l) => [l.id, l] as const))(
    'loss/%s names its id, opens with a comment, writes the schema defaults, and validates',
    (id, loss) => {
      const text = fs.readFileSync(path.join(configsDir, 'loss', `${id}.yaml`), 'utf8');
      expect(text).toMatch(/^# \S.*\n# \S/);
      const { id: pieceId, ...keys } = parse(text) as Record<string, unknown>;
      expect(pieceId).toBe(id);
      const properties = (loss.schema.properties ?? {}) as Record<string, { default?: unknown }>;
      expect(Object.keys(keys).length, 'the piece sets at least one key').toBeGreaterThan(0);
      for (const [key, value] of Object.entries(keys)) {
        expect(Object.keys(properties), `loss.${key} is a key of '${id}'`).toContain(key);
        expect(value, `loss.${key}: the piece writes the plugin default`).toEqual(properties[key].default);
      }
      const file = path.join(work, `${id}.yaml`);
      fs.writeFileSync(
        file,
        `name: piece-${id}\ndefaults: { dataset: synthetic-demo, features: logmel-small, model: cnn-birnn-small, loss: ${id}, trainer: demo }\n`,
      );
      const loaded = loadExperiment(file, { plugins, configsDir });
      expect(loaded.config.loss).toMatchObject({ id, ...keys });
    },
  );
});
