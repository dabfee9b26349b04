import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSerError, TEMP_HOST } from '@ser/core';
import { ResultStore } from './result-store.js';
import { sampleResult } from './test-rows.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function expectCorrupt(fn: () => unknown, file: string): void {
  try {
    fn();
  } catch (err) {
    expect(isSerError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as Error).message).toContain(file);
    return;
  }
  throw new Error('expected STORE_CORRUPT');
}

describe('ResultStore', () => {
  describe('round-trips a written cell', () => {
    let store: ResultStore;
    let r: ReturnType<typeof sampleResult>;
    beforeEach(() => {
      store = new ResultStore(dir);
      r = sampleResult('cell-a');
      store.writeCell(r);
    });

    it('hasCell and cellIds see a cell once it is written', () => {
      const empty = new ResultStore(path.join(dir, 'other'));
      expect(empty.hasCell('cell-a')).toBe(false);
      expect(empty.cellIds()).toEqual([]);
      expect(store.hasCell('cell-a')).toBe(true);
      expect(store.cellIds()).toEqual(['cell-a']);
    });

    it('the cell row, with the params in their own types (number, string, boolean, null)', () => {
      expect(store.readCells()).toEqual([r.cell]);
      expect(store.readCell('cell-a').params).toEqual({ 'loss.lambda': 0.01, 'loss.id': 'center', 'model.bidirectional': true, 'loss.margin': null });
    });

    it('the epochs, predictions and embeddings', () => {
      expect(store.readEpochs()).toEqual(r.epochs);
      expect(store.readPredictions(['cell-a'])).toEqual(r.predictions);
      expect(store.readEmbeddings()).toEqual(r.embeddings);
    });

    it("the metadata: the resolved config, the code version and the engine's versions", () => {
      const meta = store.readMetadata('epochs', 'cell-a');
      expect(JSON.parse(meta['ser.config'])).toEqual(r.resolvedConfig);
      expect(meta['ser.codeVersion']).toBe('0.1.0');
      expect(JSON.parse(meta['ser.versions'])).toEqual({ tfjs: '4.22.0' });
    });
  });

  it('stores params as param.* columns and lists as List<Float32> / List<Utf8>', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    const t = tableFromIPC(fs.readFileSync(store.filePath('cells', 'cell-a')));
    const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types['param.loss.lambda']).toBe('Float64');
    expect(types['param.loss.id']).toBe('Utf8');
    expect(types['param.model.bidirectional']).toBe('Bool');
    expect(types.perClassRecall).toBe('List<Float32>');
    expect(types.classes).toBe('List<Utf8>');
    expect(types.confusion).toBe('Utf8');
    const e = tableFromIPC(fs.readFileSync(store.filePath('epochs', 'cell-a')));
    expect(e.schema.fields.map((f) => f.name)).toContain('term.center');
  });

  it('a cell is not done until its cells file is there, and readers skip the half-written cell', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    // the state a writer killed between the epochs file and the cells file leaves behind
    const partial = new ResultStore(dir);
    fs.copyFileSync(store.filePath('epochs', 'cell-a'), path.join(dir, 'epochs', 'cell-b.arrow'));
    expect(partial.hasCell('cell-b')).toBe(false);
    expect(partial.cellIds()).toEqual(['cell-a']);
    expect(partial.readEpochs().every((e) => e.cellId === 'cell-a')).toBe(true);
  });

  it('ignores temporary files of killed writers and removes those whose writer on this host is gone', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    const dead = path.join(dir, 'cells', `.cell-b.arrow.${TEMP_HOST}.2147483646.k3j4.tmp`);
    const live = path.join(dir, 'epochs', `.cell-c.arrow.${TEMP_HOST}.${process.pid}.a1.tmp`);
    // another node of a cluster writing into the shared folder: its pid means nothing here
    const elsewhere = path.join(dir, 'cells', `.cell-d.arrow.node-17.2147483646.z9.tmp`);
    fs.writeFileSync(dead, 'ARROW1 half a file');
    fs.writeFileSync(live, 'ARROW1 being written');
    fs.writeFileSync(elsewhere, 'ARROW1 being written on node-17');
    expect(store.cellIds()).toEqual(['cell-a']);
    expect(store.readCells()).toHaveLength(1);
    expect(store.removeStaleTempFiles()).toBe(1);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(elsewhere)).toBe(true);
  });

  it('consolidates all cells into cells.arrow and epochs.arrow with a unified schema', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    store.writeCell(sampleResult('cell-b', { sweepIndex: 1, params: { 'loss.lambda': 0.1, 'trainer.epochs': 3 } }, ['softmax']));
    expect(store.consolidate({ config: { name: 'demo', sweep: { seeds: [1] } } })).toEqual({ cells: 2, epochs: 4 });
    const cells = tableFromIPC(fs.readFileSync(path.join(dir, 'cells.arrow')));
    expect(cells.numRows).toBe(2);
    expect(cells.getChild('param.loss.lambda')!.toArray()).toEqual(new Float64Array([0.01, 0.1]));
    expect(cells.getChild('param.trainer.epochs')!.get(0)).toBeNull();
    expect(cells.getChild('param.loss.id')!.get(1)).toBeNull();
    expect(JSON.parse(cells.schema.metadata.get('ser.config')!)).toEqual({ name: 'demo', sweep: { seeds: [1] } });
    const epochs = tableFromIPC(fs.readFileSync(path.join(dir, 'epochs.arrow')));
    expect(epochs.numRows).toBe(4);
    expect(epochs.getChild('term.center')!.get(3)).toBeNull();
    // the consolidated view is not a cell
    expect(store.cellIds()).toEqual(['cell-a', 'cell-b']);
  });

  it('reports a foreign or truncated file as STORE_CORRUPT naming the file', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    const foreign = path.join(dir, 'cells', 'cell-x.arrow');
    fs.writeFileSync(foreign, 'id,ua\n1,0.5\n');
    expectCorrupt(() => store.readCells(), foreign);
    fs.rmSync(foreign);
    const good = fs.readFileSync(store.filePath('predictions', 'cell-a'));
    fs.writeFileSync(store.filePath('predictions', 'cell-a'), good.subarray(0, good.length - 40));
    expectCorrupt(() => store.readPredictions(), store.filePath('predictions', 'cell-a'));
    fs.rmSync(store.filePath('epochs', 'cell-a'));
    expectCorrupt(() => store.readEpochs(), store.filePath('epochs', 'cell-a'));
  });

  it('removeCell makes a cell not done and drops its files', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    store.writeCell(sampleResult('cell-b'));
    store.removeCell('cell-a');
    expect(store.hasCell('cell-a')).toBe(false);
    expect(store.cellIds()).toEqual(['cell-b']);
    expect(fs.existsSync(store.filePath('embeddings', 'cell-a'))).toBe(false);
    expect(store.readEmbeddings()).toHaveLength(2);
  });

  it('refuses rows of another cell and ids that are not file names', () => {
    const store = new ResultStore(dir);
    const r = sampleResult('cell-a');
    r.epochs[1].cellId = 'cell-b';
    expect(() => store.writeCell(r)).toThrow(/cell-b/);
    expect(() => store.writeCell(sampleResult('../up'))).toThrow(/cell id/);
    expect(store.cellIds()).toEqual([]);
  });
});

const checkScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tools/check-arrow.sh');
const hasPython = spawnSync('python3', ['--version']).status === 0;

describe.runIf(hasPython)('tools/check-arrow.sh (pyarrow + DuckDB)', () => {
  it('reads every file of a store written here, and fails on a corrupt one', () => {
    const store = new ResultStore(dir);
    store.writeCell(sampleResult('cell-a'));
    store.writeCell(sampleResult('cell-b', { status: 'failed', errorCode: 'CELL_FAILED', ua: null, params: { 'loss.lambda': 'x' } }, []));
    store.consolidate({ config: { name: 'demo' } });
    const ok = spawnSync('bash', [checkScript, dir, '--expect-cells', '2'], { encoding: 'utf8' });
    expect(ok.stderr + ok.stdout).toContain('2 cells, 4 epochs, 4 predictions, 4 embeddings; 0 problems');
    expect(ok.status).toBe(0);
    fs.writeFileSync(store.filePath('embeddings', 'cell-b'), 'not arrow');
    const bad = spawnSync('bash', [checkScript, dir], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(store.filePath('embeddings', 'cell-b'));
  }, 600_000);
});
