import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { SerError, TEMP_HOST, writeFileAtomic } from '@ser/core';
import { cellsLayout, embeddingsLayout, epochsLayout, predictionsLayout, rowsToTable, tableToRows, type TableLayout } from './internal/arrow-tables.js';
import type { CellRow, EmbeddingRow, EpochRow, PredictionRow } from './rows.js';

/** The per-cell tables, each a folder of <cellId>.arrow files. */
export type StoreTable = 'cells' | 'epochs' | 'predictions' | 'embeddings';

/** What one finished cell writes: its row, its per-epoch, per-utterance and center rows, its resolved config. */
export interface CellResult {
  cell: CellRow;
  epochs: EpochRow[];
  predictions: PredictionRow[];
  embeddings: EmbeddingRow[];
  /** The cell's frozen, resolved config; stored as JSON in the schema metadata ('ser.config'). */
  resolvedConfig: unknown;
  /**
   * Global feature normalisation of the cell's fold (features.normalisation 'global'): per-bin mean
   * and std of the training fold, stored as JSON in the schema metadata ('ser.normStats') so the
   * cell's model can be applied to new audio exactly as it was trained. Null otherwise.
   */
  normStats?: NormStatsRecord | null;
}

/** Per-bin normalisation statistics of one fold: of its training utterances (global), or per speaker (speaker). */
export interface NormStatsRecord {
  fold: string;
  /** Training utterances they were computed from (global); with speaker normalisation, all utterances of the fold. */
  utterances: number;
  mean: number[];
  std: number[];
  /** features.normalisation 'speaker': each speaker's own statistics (mean and std above are then those of the training utterances, for reference). */
  perSpeaker?: Record<string, { utterances: number; mean: number[]; std: number[] }>;
}

/** Version of the on-disk layout, in every file's metadata ('ser.format'). */
export const STORE_FORMAT = '1';

const ARROW_MAGIC = 'ARROW1';
const CELL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
// writeFileAtomic (@ser/core) names its temporary files .<name>.<pid>.<random>.tmp
const TEMP_FILE = /^\..+\.([A-Za-z0-9-]+)\.(\d+)\.[a-z0-9]*\.tmp$/;

const layouts: Record<StoreTable, TableLayout> = {
  cells: cellsLayout,
  epochs: epochsLayout,
  predictions: predictionsLayout,
  embeddings: embeddingsLayout,
};

/**
 * The Arrow result store of one experiment: <dir>/{cells,epochs,predictions,embeddings}/<cellId>.arrow
 * (Arrow IPC file format), each written atomically; the cells file is written last, so its presence
 * means the cell is done. <dir>/cells.arrow and <dir>/epochs.arrow are consolidated views.
 */
export class ResultStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  /** The path of one cell's file of one table. */
  filePath(table: StoreTable, cellId: string): string {
    return path.join(this.dir, table, `${cellId}.arrow`);
  }

  /** Writes a cell: epochs, predictions, embeddings first, the cells file last (each write, fsync, rename). */
  writeCell(result: CellResult): void {
    const { cell } = result;
    if (!CELL_ID.test(cell.cellId)) {
      throw new SerError('STORE_CORRUPT', `refusing to write cell id ${JSON.stringify(cell.cellId)}: ids are letters, digits, '-' and '_' (they name files)`);
    }
    for (const [table, rows] of [
      ['epochs', result.epochs],
      ['predictions', result.predictions],
      ['embeddings', result.embeddings],
    ] as const) {
      const stray = rows.find((r) => r.cellId !== cell.cellId);
      if (stray) {
        throw new SerError('STORE_CORRUPT', `refusing to write ${table} of cell ${cell.cellId}: a row has cellId ${JSON.stringify(stray.cellId)}`);
      }
    }
    const metadata: Record<string, string> = {
      'ser.format': STORE_FORMAT,
      'ser.cellId': cell.cellId,
      'ser.config': JSON.stringify(result.resolvedConfig ?? null),
      'ser.codeVersion': cell.codeVersion,
      'ser.gitCommit': cell.gitCommit,
      'ser.backend': cell.backend,
      'ser.versions': cell.versions,
      'ser.normStats': JSON.stringify(result.normStats ?? null),
    };
    this.writeTable('epochs', cell.cellId, result.epochs, metadata);
    this.writeTable('predictions', cell.cellId, result.predictions, metadata);
    this.writeTable('embeddings', cell.cellId, result.embeddings, metadata);
    this.writeTable('cells', cell.cellId, [cell], metadata);
  }

  /** The fold's global normalisation statistics the cell trained with, or null (none, or stored before they were kept). */
  readNormStats(cellId: string): NormStatsRecord | null {
    const json = this.readTable(this.filePath('cells', cellId)).schema.metadata.get('ser.normStats');
    return json ? (JSON.parse(json) as NormStatsRecord | null) : null;
  }

  /** True when the cell's row is stored (the cell is done: ok, diverged or failed). */
  hasCell(cellId: string): boolean {
    return fs.existsSync(this.filePath('cells', cellId));
  }

  /** Forgets a cell so it runs again: its cells file goes first (then it is no longer done), then its other files. */
  removeCell(cellId: string): void {
    for (const table of ['cells', 'epochs', 'predictions', 'embeddings'] as const) {
      fs.rmSync(this.filePath(table, cellId), { force: true });
    }
  }

  /**
   * Moves a cell whose cells file cannot be read to <dir>/corrupt/<cellId>.<time>.arrow (kept for a
   * look, out of every table) and forgets its other files, so it runs again. Returns where it went.
   */
  quarantineCell(cellId: string): string {
    const target = path.join(this.dir, 'corrupt', `${cellId}.${new Date().toISOString().replace(/[:.]/g, '-')}.arrow`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(this.filePath('cells', cellId), target);
    this.removeCell(cellId);
    return target;
  }

  /** Ids of the stored cells, sorted; temporary files of writers are ignored. */
  cellIds(): string[] {
    return this.listIds('cells');
  }

  /** All stored cell rows, in cellIds() order. */
  readCells(cellIds: readonly string[] = this.cellIds()): CellRow[] {
    return cellIds.flatMap((id) => this.readRows<CellRow>('cells', id));
  }

  /** One stored cell row; throws STORE_CORRUPT if it is not there. */
  readCell(cellId: string): CellRow {
    return this.readRows<CellRow>('cells', cellId)[0];
  }

  /** Epoch rows of the given cells (default: every done cell). */
  readEpochs(cellIds: readonly string[] = this.cellIds()): EpochRow[] {
    return cellIds.flatMap((id) => this.readRows<EpochRow>('epochs', id));
  }

  /** Prediction rows of the given cells (default: every done cell). */
  readPredictions(cellIds: readonly string[] = this.cellIds()): PredictionRow[] {
    return cellIds.flatMap((id) => this.readRows<PredictionRow>('predictions', id));
  }

  /** Embedding rows (centers included, split 'center') of the given cells (default: every done cell). */
  readEmbeddings(cellIds: readonly string[] = this.cellIds()): EmbeddingRow[] {
    return cellIds.flatMap((id) => this.readRows<EmbeddingRow>('embeddings', id));
  }

  /** The schema metadata of one cell's file ('ser.config' is the cell's resolved config as JSON). */
  readMetadata(table: StoreTable, cellId: string): Record<string, string> {
    return Object.fromEntries(this.readTable(this.filePath(table, cellId)).schema.metadata);
  }

  /**
   * Rewrites <dir>/cells.arrow and <dir>/epochs.arrow as the union of every per-cell file (params
   * and terms missing from a cell are null), atomically, with the experiment's base config in the
   * metadata ('ser.config'). Returns the row counts.
   */
  consolidate(options: { config?: unknown } = {}): { cells: number; epochs: number } {
    const ids = this.cellIds();
    const cells = this.readCells(ids);
    const epochs = this.readEpochs(ids);
    const metadata = {
      'ser.format': STORE_FORMAT,
      'ser.config': JSON.stringify(options.config ?? null),
      'ser.cellCount': String(cells.length),
      'ser.codeVersions': JSON.stringify([...new Set(cells.map((c) => c.codeVersion))].sort()),
    };
    writeFileAtomic(path.join(this.dir, 'cells.arrow'), tableToIPC(rowsToTable(cellsLayout, cells, metadata), 'file'));
    writeFileAtomic(path.join(this.dir, 'epochs.arrow'), tableToIPC(rowsToTable(epochsLayout, epochs, metadata), 'file'));
    return { cells: cells.length, epochs: epochs.length };
  }

  /**
   * Removes temporary files left by writers that were killed mid-write: those written from this
   * host by a process no longer running. Files of other hosts (a results folder shared by a
   * cluster) are never touched. (Readers ignore them anyway.) Returns how many it removed.
   */
  removeStaleTempFiles(): number {
    let removed = 0;
    for (const sub of ['', 'cells', 'epochs', 'predictions', 'embeddings']) {
      const dir = path.join(this.dir, sub);
      if (!fs.existsSync(dir)) continue;
      for (const name of fs.readdirSync(dir)) {
        const m = TEMP_FILE.exec(name);
        if (!m || m[1] !== TEMP_HOST || isRunning(Number(m[2]))) continue;
        fs.rmSync(path.join(dir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  private writeTable(table: StoreTable, cellId: string, rows: readonly object[], metadata: Record<string, string>): void {
    const bytes = tableToIPC(rowsToTable(layouts[table], rows, metadata), 'file');
    writeFileAtomic(this.filePath(table, cellId), bytes);
  }

  private listIds(table: StoreTable): string[] {
    const dir = path.join(this.dir, table);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.arrow') && !name.startsWith('.'))
      .map((name) => name.slice(0, -'.arrow'.length))
      .sort();
  }

  private readRows<R>(table: StoreTable, cellId: string): R[] {
    const file = this.filePath(table, cellId);
    return tableToRows<R>(layouts[table], this.readTable(file), file);
  }

  private readTable(file: string): Table {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (cause) {
      throw new SerError(
        'STORE_CORRUPT',
        `${file} cannot be read (${(cause as Error).message}); the cell is incomplete -- delete cells/<id>.arrow of that cell to have it run again`,
        {
          cause,
          details: { file },
        },
      );
    }
    // the IPC file format starts and ends with ARROW1; checking both catches truncation cheaply
    const head = bytes.subarray(0, 6).toString('latin1');
    const tail = bytes.subarray(bytes.length - 6).toString('latin1');
    if (bytes.length < 12 || head !== ARROW_MAGIC || tail !== ARROW_MAGIC) {
      throw new SerError(
        'STORE_CORRUPT',
        `${file} is not a complete Arrow IPC file (${bytes.length} bytes, missing the ARROW1 marks); it was not written by @ser/store -- delete it (and the cell's cells/<id>.arrow) to have the cell run again`,
        {
          details: { file },
        },
      );
    }
    try {
      return tableFromIPC(bytes);
    } catch (cause) {
      throw new SerError(
        'STORE_CORRUPT',
        `${file} is not a readable Arrow IPC file (${(cause as Error).message}); delete it (and the cell's cells/<id>.arrow) to have the cell run again`,
        {
          cause,
          details: { file },
        },
      );
    }
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
