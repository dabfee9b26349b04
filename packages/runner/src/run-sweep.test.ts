import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { plannedCellRow } from './cell-row.js';
import type { Launcher, LaunchRequest } from './launcher.js';
import { runSweep, type SweepEvent } from './run-sweep.js';
import { fakeCells } from './test-cells.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-sweep-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A launcher that stores an 'ok' row for every cell it is given, in this process. */
function inlineLauncher(ran: number[]): Launcher {
  return {
    name: 'inline',
    async launch(request: LaunchRequest) {
      const store = new ResultStore(request.resultsDir);
      for (const cell of request.cells) {
        ran.push(cell.index);
        store.writeCell({ cell: { ...plannedCellRow(cell), status: 'ok', ua: 0.5 }, epochs: [], predictions: [], embeddings: [], resolvedConfig: cell.config });
      }
      return { ok: request.cells.length, diverged: 0, failed: 0, crashed: 0, retries: 0 };
    },
  };
}

describe('runSweep', () => {
  it('moves a stored cell file that cannot be read aside, says where, and runs that cell again', async () => {
    const cells = fakeCells(3);
    const resultsDir = path.join(dir, 'results');
    const options = { cells, experimentFile: 'x.yaml', resultsDir, workers: 1, retries: 0 };
    await runSweep({ ...options, launcher: inlineLauncher([]) });
    const store = new ResultStore(resultsDir);
    const file = path.join(resultsDir, 'cells', `${cells[1].cellId}.arrow`);
    expect(fs.existsSync(file)).toBe(true);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100)); // cut short

    const ran: number[] = [];
    const events: SweepEvent[] = [];
    const summary = await runSweep({ ...options, launcher: inlineLauncher(ran), onEvent: (e) => events.push(e) });
    expect(ran).toEqual([1]);
    expect(summary).toMatchObject({ ok: true, done: 1, skipped: 2 });
    const corrupt = events.find((e) => e.type === 'cell-corrupt');
    expect(corrupt).toMatchObject({ type: 'cell-corrupt', cell: { index: 1 } });
    const movedTo = (corrupt as { movedTo: string }).movedTo;
    expect(path.dirname(movedTo)).toBe(path.join(resultsDir, 'corrupt'));
    expect(fs.statSync(movedTo).size).toBe(100);
    expect(
      store
        .readCells()
        .map((r) => r.cellId)
        .sort(),
    ).toEqual(cells.map((c) => c.cellId).sort());
  });

  it('refuses a second sweep on a results folder in use, naming the first; takes over a lock whose process is gone', async () => {
    const cells = fakeCells(2);
    const resultsDir = path.join(dir, 'results');
    const options = { cells, experimentFile: 'exp.yaml', overrides: ['loss.lambda=0.1'], resultsDir, workers: 1, retries: 0 };
    let second: Promise<unknown> | null = null;
    const slow: Launcher = {
      name: 'slow',
      async launch(request) {
        // while this sweep holds the folder, another one starts on it
        second = runSweep({ ...options, launcher: inlineLauncher([]) });
        await second.catch(() => undefined);
        return inlineLauncher([]).launch(request);
      },
    };
    await runSweep({ ...options, launcher: slow });
    await expect(second!).rejects.toMatchObject({ code: 'RESULTS_IN_USE' });
    await expect(second!).rejects.toThrow(/in use by another sweep: exp\.yaml loss\.lambda=0\.1 \(pid \d+/);
    expect(fs.existsSync(path.join(resultsDir, '.ser-run.lock'))).toBe(false);

    // a lock left by a killed process (a pid that does not run) does not block
    fs.writeFileSync(path.join(resultsDir, '.ser-run.lock'), JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname(), startedAt: 'then', command: 'old' }));
    const ran: number[] = [];
    await runSweep({ ...options, cells: fakeCells(3), launcher: inlineLauncher(ran) });
    expect(ran).toEqual([2]);
  });
});
