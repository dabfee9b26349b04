// `ser submit --launcher slurm` against a real one-machine Slurm (slurmctld + slurmd + munge on
// localhost, started here by tools/slurm/start-local.sh): a small sweep of tiny cells runs as a job
// array, every cell lands in the store once, the collect job writes the report; a second submit
// after deleting one cell's result runs only that cell.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { ser, tempDir, workspaceRoot } from './test-support.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const slurmInstalled = has('slurmctld') && has('slurmd') && has('sbatch') && has('munged') && process.getuid?.() === 0;
if (!slurmInstalled) console.warn('skipping the Slurm test: slurm-wlm and munge are not installed (.ci/run installs them), or not root');

const state = '/tmp/ser-slurm-test';
let work: string;
let results: string;
let experiment: string;
const env = () => ({ SER_CACHE_DIR: path.join(work, 'cache') });

describe.skipIf(!slurmInstalled)('ser submit --launcher slurm', () => {
  beforeAll(() => {
    const started = spawnSync(path.join(workspaceRoot, 'tools', 'slurm', 'start-local.sh'), [state], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`tools/slurm/start-local.sh failed:\n${started.stderr}`);
    work = tempDir('slurm');
    results = path.join(work, 'results');
    experiment = path.join(work, 'slurm-smoke.yaml');
    fs.writeFileSync(
      experiment,
      [
        'name: slurm-smoke',
        'defaults: { dataset: synthetic-demo, features: logmel-small, model: cnn-birnn-small, loss: center, trainer: demo }',
        'dataset: { speakers: 3, utterancesPerSpeakerPerClass: 2, durationS: [0.6, 0.9] }',
        'trainer: { epochs: 1, batchSize: 8 }',
        'sweep: { grid: { loss.lambda: [0, 0.01] }, folds: 2, seeds: [0] }',
        `output: { dir: ${results} }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(() => {
    spawnSync(path.join(workspaceRoot, 'tools', 'slurm', 'stop-local.sh'), [state]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('--dry-run prints the array script and submits nothing', () => {
    const r = ser(['submit', experiment, '--launcher', 'slurm', '--max-parallel', '2', '--dry-run'], env());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('#SBATCH --array=0-3%2');
    expect(r.stdout).toContain('CELLS=(0 1 2 3)');
    expect(r.stdout).toContain('--dependency=afterany');
    expect(fs.existsSync(results)).toBe(false); // a dry run writes nothing
  });

  it('runs every cell once as an array job and the collect job writes the report', () => {
    const r = ser(['submit', experiment, '--launcher', 'slurm', '--max-parallel', '2', '--wait'], env());
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submitted 4 of 4 cells as job array \d+/);
    const store = new ResultStore(results);
    const rows = store.readCells();
    expect(rows.map((c) => c.cellId).sort()).toEqual([...new Set(rows.map((c) => c.cellId))].sort());
    expect(rows).toHaveLength(4);
    expect(rows.every((c) => c.status === 'ok')).toBe(true);
    expect(fs.existsSync(path.join(results, 'report.html'))).toBe(true);
    expect(fs.readdirSync(path.join(results, 'slurm', 'logs')).filter((f) => /^\d+_\d\.out$/.test(f))).toHaveLength(4);
  });

  it('a second submit after losing one result runs only that cell', () => {
    const store = new ResultStore(results);
    const before = store.readCells();
    const lost = before[1];
    store.removeCell(lost.cellId);
    fs.rmSync(path.join(results, 'report.html'));
    const r = ser(['submit', experiment, '--launcher', 'slurm', '--wait'], env());
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submitted 1 of 4 cells/);
    const after = store.readCells();
    expect(after).toHaveLength(4);
    for (const row of before) {
      const now = after.find((a) => a.cellId === row.cellId)!;
      if (row.cellId === lost.cellId) expect(now.finishedAt > row.finishedAt).toBe(true);
      else expect(now.finishedAt).toBe(row.finishedAt);
    }
    expect(fs.existsSync(path.join(results, 'report.html'))).toBe(true);
  });

  it('a submit while an earlier array still has the cells queued does not submit them again', () => {
    const store = new ResultStore(results);
    const ledger = path.join(results, 'slurm', 'submissions.jsonl');
    const lines = () => fs.readFileSync(ledger, 'utf8').trim().split('\n').length;
    const before = lines();
    for (const row of store.readCells().slice(0, 2)) store.removeCell(row.cellId);
    // one task at a time, and held: the array is surely still in the queue when the next submit looks
    const first = ser(['submit', experiment, '--launcher', 'slurm', '--max-parallel', '1'], env());
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/submitted 2 of 4 cells as job array (\d+)/);
    const jobId = /job array (\d+)/.exec(first.stdout)![1];
    spawnSync('scontrol', ['hold', jobId]); // a task already running keeps running; the array stays queued
    const again = ser(['submit', experiment, '--launcher', 'slurm'], env());
    spawnSync('scontrol', ['release', jobId]);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`pending cells are still queued or running in job array ${jobId}`);
    expect(again.stdout).not.toMatch(/submitted \d+ of/);
    // --wait waits for the earlier array it left the cells to
    const waited = ser(['submit', experiment, '--launcher', 'slurm', '--wait'], env());
    expect(waited.status, waited.stdout + waited.stderr).toBe(0);
    expect(lines()).toBe(before + 1); // one new array only
    expect(store.readCells()).toHaveLength(4);
  });
});
