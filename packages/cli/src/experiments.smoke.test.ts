// Every experiment under experiments/ runs one tiny epoch on data that fits it: its first cell
// (first sweep point, first fold) through the real CLI, dataset plugin, features, model, loss,
// trainer and result store; and its whole sweep plans.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { makeEmodbFixture, makeIemocapFixture, ser, sharedEmodb, tempDir, workspaceRoot } from './test-support.js';

const experimentsDir = path.join(workspaceRoot, 'experiments');
const experiments = fs
  .readdirSync(experimentsDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let work: string;
let iemocap: string;
let emodb: string | null;
const env = () => ({ SER_CACHE_DIR: path.join(work, 'cache') });

beforeAll(() => {
  work = tempDir('smoke');
  iemocap = path.join(work, 'IEMOCAP_full_release');
  makeIemocapFixture(iemocap, 1);
  const shared = sharedEmodb();
  emodb = shared ? path.join(work, 'emodb') : null;
  if (shared && emodb) makeEmodbFixture(shared, emodb, 4, 2);
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Overrides that make each experiment tiny, and point it at its fixture. */
function tinyOverrides(file: string, results: string): string[] | null {
  const common = ['trainer.epochs=1', 'trainer.minSteps=null', 'sweep.folds=1', `output.dir=${results}`];
  if (file.includes('iemocap')) return [...common, `dataset.path=${iemocap}`, 'dataset.subset=true', 'trainer.batchSize=8'];
  if (file.includes('emodb')) return emodb ? [...common, `dataset.path=${emodb}`, 'dataset.subset=true', 'trainer.batchSize=8'] : null;
  return [...common, 'dataset.speakers=4', 'dataset.utterancesPerSpeakerPerClass=2', 'dataset.durationS=[0.6,0.9]'];
}

describe('experiments/', () => {
  it('has the demo, the EMO-DB study and both IEMOCAP set-ups', () => {
    expect(experiments).toEqual(expect.arrayContaining(['demo.yaml', 'emodb-center-loss.yaml', 'dai2019-iemocap-mel.yaml', 'dai2019-iemocap-stft.yaml']));
  });

  for (const file of experiments) {
    it(`${file} validates, plans and runs its first cell for one epoch`, () => {
      const results = path.join(work, 'results', file.replace('.yaml', ''));
      const overrides = tinyOverrides(file, results);
      if (!overrides) {
        console.warn(`skipping ${file}: ../shared/data/emodb is not here`);
        return;
      }
      const rel = path.join('experiments', file);
      const validated = ser(['validate', rel, ...overrides], env());
      expect(validated.stderr + validated.stdout).toContain('valid');
      expect(validated.status).toBe(0);

      const planned = ser(['plan', rel, ...overrides], env());
      expect(planned.status, planned.stderr).toBe(0);
      expect(planned.stdout).toMatch(/time left/);

      const run = ser(['cell', rel, '--index', '0', ...overrides], env());
      expect(run.status, run.stderr).toBe(0);
      const rows = new ResultStore(results).readCells();
      expect(rows).toHaveLength(1);
      expect(rows[0].status, `${rows[0].errorCode}: ${rows[0].errorMessage}`).toBe('ok');
      expect(rows[0].epochs).toBe(1);
      expect(rows[0].ua).toBeGreaterThanOrEqual(0);
    });
  }
});
