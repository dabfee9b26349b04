import { Bool, Field, Float32, Float64, Int32, List, Schema, Table, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { SerError } from '@ser/core';

/** How a row property maps to an Arrow column. */
type Kind = 'string' | 'nullableString' | 'int' | 'float' | 'nullableFloat' | 'floatList' | 'stringList' | 'json';

/**
 * One table's layout: fixed columns named like the row properties, plus an optional family of
 * dynamic columns '<prefix><key>' holding one record property (params, terms).
 */
export interface TableLayout {
  table: 'cells' | 'epochs' | 'predictions' | 'embeddings';
  fixed: ReadonlyArray<readonly [string, Kind]>;
  /** Columns added after the first files were written: a file without one reads as this value (it predates the column). */
  addedLater?: Readonly<Record<string, () => unknown>>;
  dynamic?: { prefix: string; property: string; kind: 'param' | 'nullableFloat' };
}

export const cellsLayout: TableLayout = {
  table: 'cells',
  fixed: [
    ['cellId', 'string'],
    ['experiment', 'string'],
    ['sweepIndex', 'int'],
    ['fold', 'string'],
    ['seed', 'int'],
    ['status', 'string'],
    ['errorCode', 'nullableString'],
    ['errorMessage', 'nullableString'],
    ['ua', 'nullableFloat'],
    ['wa', 'nullableFloat'],
    ['macroF1', 'nullableFloat'],
    ['valUa', 'nullableFloat'],
    ['perClassRecall', 'floatList'],
    ['classes', 'stringList'],
    ['confusion', 'json'],
    ['epochs', 'int'],
    ['bestEpoch', 'int'],
    ['seconds', 'float'],
    ['lossId', 'string'],
    ['modelId', 'string'],
    ['dataset', 'string'],
    ['classMap', 'string'],
    ['protocol', 'string'],
    ['backend', 'string'],
    ['versions', 'string'],
    ['configHash', 'string'],
    ['splitHash', 'string'],
    ['codeVersion', 'string'],
    ['gitCommit', 'string'],
    ['finishedAt', 'string'],
    ['skippedAudio', 'int'],
    ['skippedAudioIds', 'stringList'],
  ],
  addedLater: { skippedAudio: () => 0, skippedAudioIds: () => [] },
  dynamic: { prefix: 'param.', property: 'params', kind: 'param' },
};

export const epochsLayout: TableLayout = {
  table: 'epochs',
  fixed: [
    ['cellId', 'string'],
    ['epoch', 'int'],
    ['lr', 'float'],
    ['trainLoss', 'float'],
    ['valLoss', 'float'],
    ['valUa', 'float'],
    ['valWa', 'float'],
    ['valMacroF1', 'float'],
    ['intraClassDistance', 'float'],
    ['interCenterDistance', 'float'],
    ['distanceRatio', 'float'],
    ['centerDrift', 'float'],
    ['paddingFraction', 'nullableFloat'],
    ['seconds', 'float'],
  ],
  addedLater: { paddingFraction: () => null },
  dynamic: { prefix: 'term.', property: 'terms', kind: 'nullableFloat' },
};

export const predictionsLayout: TableLayout = {
  table: 'predictions',
  fixed: [
    ['cellId', 'string'],
    ['utteranceId', 'string'],
    ['split', 'string'],
    ['label', 'string'],
    ['prediction', 'string'],
    ['probabilities', 'floatList'],
  ],
};

export const embeddingsLayout: TableLayout = {
  table: 'embeddings',
  fixed: [
    ['cellId', 'string'],
    ['utteranceId', 'string'],
    ['split', 'string'],
    ['label', 'string'],
    ['embedding', 'floatList'],
  ],
};

const floatListType = () => new List(new Field('item', new Float32(), true));
const stringListType = () => new List(new Field('item', new Utf8(), true));

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case 'string':
    case 'nullableString':
    case 'json':
      return new Utf8();
    case 'int':
      return new Int32();
    case 'float':
    case 'nullableFloat':
      return new Float64();
    case 'floatList':
      return floatListType();
    case 'stringList':
      return stringListType();
  }
}

/**
 * The column type of a param over all rows: Float64 if every non-null value is a number, Bool if
 * every one is a boolean, else Utf8 (mixed values written as text). All-null gives Utf8.
 */
function paramType(values: unknown[]): { type: DataType; convert: (v: unknown) => unknown } {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return { type: new Float64(), convert: (v) => v ?? null };
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return { type: new Bool(), convert: (v) => v ?? null };
  return { type: new Utf8(), convert: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)) };
}

function convertFixed(kind: Kind, value: unknown, name: string): unknown {
  switch (kind) {
    case 'json':
      return JSON.stringify(value ?? null);
    case 'int':
    case 'float':
      if (typeof value !== 'number') {
        throw new SerError('STORE_CORRUPT', `refusing to write column '${name}': expected a number, got ${JSON.stringify(value)}`);
      }
      return value;
    case 'string':
      if (typeof value !== 'string') {
        throw new SerError('STORE_CORRUPT', `refusing to write column '${name}': expected a string, got ${JSON.stringify(value)}`);
      }
      return value;
    case 'floatList':
    case 'stringList':
      if (!Array.isArray(value)) {
        throw new SerError('STORE_CORRUPT', `refusing to write column '${name}': expected an array, got ${JSON.stringify(value)}`);
      }
      return value;
    default:
      return value ?? null;
  }
}

/** Builds an Arrow table from rows; dynamic keys are the union over rows (missing ones null), in order of first appearance. */
export function rowsToTable(layout: TableLayout, rows: readonly object[], metadata: Record<string, string>): Table {
  const fields: Field[] = [];
  const columns: Record<string, Vector> = {};
  const get = (row: object, key: string) => (row as Record<string, unknown>)[key];
  for (const [name, kind] of layout.fixed) {
    const type = arrowType(kind);
    fields.push(new Field(name, type, true));
    columns[name] = vectorFromArray(
      rows.map((r) => convertFixed(kind, get(r, name), name)),
      type,
    );
  }
  if (layout.dynamic) {
    const { prefix, property, kind } = layout.dynamic;
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      for (const k of Object.keys((get(r, property) as Record<string, unknown>) ?? {})) {
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
    }
    for (const k of keys) {
      const values = rows.map((r) => ((get(r, property) as Record<string, unknown>) ?? {})[k] ?? null);
      const { type, convert } = kind === 'param' ? paramType(values) : { type: new Float64(), convert: (v: unknown) => v };
      fields.push(new Field(prefix + k, type, true));
      columns[prefix + k] = vectorFromArray(values.map(convert), type);
    }
  }
  const schema = new Schema(fields, new Map(Object.entries({ ...metadata, 'ser.table': layout.table })));
  return new Table(schema, columns);
}

function readValue(kind: Kind, v: unknown): unknown {
  if (v === null || v === undefined) {
    if (kind === 'floatList' || kind === 'stringList') return [];
    return null;
  }
  switch (kind) {
    case 'json':
      return JSON.parse(v as string);
    case 'floatList':
    case 'stringList':
      return Array.from(v as Iterable<unknown>);
    default:
      return v;
  }
}

/** Reads rows back from a table written by rowsToTable; `file` names the source in errors. */
export function tableToRows<R>(layout: TableLayout, table: Table, file: string): R[] {
  const table_ = table.schema.metadata.get('ser.table');
  if (table_ !== layout.table) {
    throw new SerError(
      'STORE_CORRUPT',
      `${file}: schema metadata 'ser.table' is ${JSON.stringify(table_ ?? null)}, expected '${layout.table}'; the file was not written by @ser/store -- move it out of the results folder`,
      {
        details: { file },
      },
    );
  }
  const n = table.numRows;
  const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
  for (const [name, kind] of layout.fixed) {
    const col = table.getChild(name);
    const earlier = layout.addedLater?.[name];
    if (!col && earlier) {
      for (const r of rows) r[name] = earlier();
      continue;
    }
    if (!col) {
      throw new SerError(
        'STORE_CORRUPT',
        `${file}: column '${name}' is missing; the file is not a complete @ser/store '${layout.table}' table -- delete it to have the cell run again`,
        {
          details: { file, column: name },
        },
      );
    }
    for (let i = 0; i < n; i++) {
      try {
        rows[i][name] = readValue(kind, col.get(i));
      } catch (cause) {
        throw new SerError(
          'STORE_CORRUPT',
          `${file}: column '${name}' row ${i} cannot be read (${(cause as Error).message}); delete the file to have the cell run again`,
          {
            cause,
            details: { file, column: name, row: i },
          },
        );
      }
    }
  }
  if (layout.dynamic) {
    const { prefix, property } = layout.dynamic;
    for (const r of rows) r[property] = {};
    for (const field of table.schema.fields) {
      if (!field.name.startsWith(prefix)) continue;
      const key = field.name.slice(prefix.length);
      const col = table.getChild(field.name)!;
      for (let i = 0; i < n; i++) {
        const v = col.get(i);
        // a null in a per-cell file is a real null param; a null term means the cell had no such term
        if (v === null && layout.dynamic.kind === 'nullableFloat') continue;
        (rows[i][property] as Record<string, unknown>)[key] = v;
      }
    }
  }
  return rows as R[];
}
