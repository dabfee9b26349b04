import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '@ser/core';
import { ResultStore } from '@ser/store';
import { fakeCells, type PoolWorkerSpec } from './test-cells.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const driver = path.join(here, 'test-sweep-driver.ts');
const checkScript = path.resolve(here, '../../../tools/check-arrow.sh');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-resume-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts the sweep driver as its own process group. With `kill`, SIGKILLs the whole group (the
 * driver and every worker) `delayMs` after the driver reported `afterCells` finished cells (0: after
 * the sweep started): random moments that still land inside the sweep on a slow machine.
 */
function runDriver(specFile: string, kill: { afterCells: number; delayMs: number } | null): Promise<{ code: number | null; killed: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', driver, specFile, '2', '1'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      out += d;
      const cellsDone = (out.match(/^cell \d+ .*: ok in/gm) ?? []).length;
      if (kill && !timer && out.startsWith('sweep:') && cellsDone >= kill.afterCells) {
        timer = setTimeout(() => {
          killed = true;
          process.kill(-child.pid!, 'SIGKILL');
        }, kill.delayMs);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed, out });
    });
  });
}

function filesEverywhere(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('runSweep resume', () => {
  it('survives SIGKILL of the whole sweep at random moments: every cell stored once, every file readable', async () => {
    const spec: PoolWorkerSpec = { resultsDir: path.join(dir, 'results'), markerDir: path.join(dir, 'markers'), cells: fakeCells(12), workMs: [30, 250] };
    const specFile = path.join(dir, 'spec.json');
    fs.writeFileSync(specFile, JSON.stringify(spec));
    const store = new ResultStore(spec.resultsDir);
    const rng = new Rng(20240607);
    let killsMidSweep = 0;
    const doneAfterKill: number[] = [];
    for (let round = 0; round < 3; round++) {
      const r = await runDriver(specFile, { afterCells: rng.int(3), delayMs: rng.int(700) });
      if (r.killed) {
        killsMidSweep++;
        doneAfterKill.push(store.cellIds().length);
      } else {
        expect(r.code, r.out).toBe(0);
        break;
      }
    }
    const final = await runDriver(specFile, null);
    expect(final.code, final.out).toBe(0);
    // the kills really landed inside the sweep, and progress survived them
    // (the seeded kill points wait for 0, 2 and 2 more finished cells, so on any machine at least
    // two kills land before the end and one of them after some cells were stored)
    expect(killsMidSweep).toBeGreaterThanOrEqual(2);
    expect(doneAfterKill.filter((n) => n < 12).length).toBeGreaterThanOrEqual(2);
    expect(doneAfterKill.some((n) => n > 0 && n < 12)).toBe(true);
    expect(final.out).toMatch(/summary .*"total":12/);

    const ids = spec.cells.map((c) => c.cellId).sort();
    const rows = store.readCells();
    expect(rows.map((r) => r.cellId)).toEqual(ids);
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
    expect(store.readEpochs()).toHaveLength(36);
    expect(store.readPredictions()).toHaveLength(12);
    expect(store.readEmbeddings()).toHaveLength(12);
    const consolidated = tableFromIPC(fs.readFileSync(path.join(spec.resultsDir, 'cells.arrow')));
    expect(consolidated.numRows).toBe(12);
    expect(new Set(consolidated.getChild('cellId')!.toArray()).size).toBe(12);
    // no temporary file of a killed writer is left, and nothing else but the tables and logs
    const stray = filesEverywhere(spec.resultsDir).filter(
      (f) => !/\/(cells|epochs|predictions|embeddings)\/[0-9a-f]{16}\.arrow$|\/(cells|epochs)\.arrow$|\/logs\/[0-9a-f]{16}\.log$/.test(f),
    );
    expect(stray).toEqual([]);
    if (spawnSync('python3', ['--version']).status === 0) {
      const check = spawnSync('bash', [checkScript, spec.resultsDir, '--expect-cells', '12'], { encoding: 'utf8' });
      expect(check.status, check.stderr + check.stdout).toBe(0);
    }
  }, 300_000);
});
