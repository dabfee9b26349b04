import fs from 'node:fs';
import { SerError, writeFileAtomic, type StateDict, type StateTensor } from '@ser/core';

const MAGIC = 'SERCKPT1';

/** One tensor's place in the blob. */
interface TensorEntry {
  dtype: 'float32' | 'float64';
  shape: number[];
  /** Byte offset from the start of the blob (a multiple of 8). */
  offset: number;
  length: number;
}

/** A checkpoint: JSON metadata plus named tensors (model, loss, optimiser, best-so-far). */
export interface CheckpointData {
  meta: Record<string, unknown>;
  tensors: StateDict;
}

/**
 * Writes a checkpoint atomically (writeFileAtomic): "SERCKPT1", a uint32 LE header length, the
 * JSON header (meta + a table of tensors), zero padding to 8 bytes, then the tensors' raw bytes
 * (little-endian). A tensor is stored as float32 when every value survives Math.fround (all tf
 * variables do), else float64, so restoring is exact either way. Non-finite numbers and -0 in
 * `meta` survive too ("__NaN", "__Infinity", "__-Infinity", "__-0").
 */
export function writeCheckpoint(file: string, data: CheckpointData): void {
  const entries: Record<string, TensorEntry> = {};
  const arrays: (Float32Array | Float64Array)[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(data.tensors)) {
    const f32 = isFloat32(t.values);
    const arr = f32 ? Float32Array.from(t.values) : Float64Array.from(t.values);
    entries[name] = { dtype: f32 ? 'float32' : 'float64', shape: t.shape.slice(), offset, length: arr.length };
    arrays.push(arr);
    offset += Math.ceil(arr.byteLength / 8) * 8;
  }
  const header = Buffer.from(encodeJson({ format: 'ser-trainer-checkpoint', version: 1, meta: data.meta, tensors: entries }), 'utf8');
  const blobStart = Math.ceil((12 + header.length) / 8) * 8;
  const out = new Uint8Array(blobStart + offset);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  Object.values(entries).forEach((e, i) => out.set(new Uint8Array(arrays[i].buffer, arrays[i].byteOffset, arrays[i].byteLength), blobStart + e.offset));
  writeFileAtomic(file, out);
}

/** Reads a checkpoint written by writeCheckpoint; throws SerError CHECKPOINT_INVALID if it is not one. */
export function readCheckpoint(file: string): CheckpointData {
  const buf = fs.readFileSync(file);
  // copy into a fresh ArrayBuffer so typed-array views are aligned
  const bytes = new Uint8Array(buf.length);
  bytes.set(buf);
  const bad = (why: string): never => {
    throw new SerError('CHECKPOINT_INVALID', `${file} is not a readable trainer checkpoint (${why}); delete it to start the cell afresh.`, {
      details: { file },
    });
  };
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) bad('wrong magic bytes');
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  if (12 + headerLength > bytes.length) bad('header longer than the file');
  let header: { format?: string; version?: number; meta: Record<string, unknown>; tensors: Record<string, TensorEntry> };
  try {
    header = decodeJson(Buffer.from(bytes.subarray(12, 12 + headerLength)).toString('utf8'));
  } catch (err) {
    return bad(`header is not JSON: ${(err as Error).message}`);
  }
  if (header.format !== 'ser-trainer-checkpoint' || header.version !== 1) bad(`format ${header.format} version ${header.version}`);
  const blobStart = Math.ceil((12 + headerLength) / 8) * 8;
  const tensors: StateDict = {};
  for (const [name, e] of Object.entries(header.tensors)) {
    const width = e.dtype === 'float64' ? 8 : 4;
    if (blobStart + e.offset + e.length * width > bytes.length) bad(`tensor ${name} runs past the end of the file (truncated?)`);
    const view =
      e.dtype === 'float64' ? new Float64Array(bytes.buffer, blobStart + e.offset, e.length) : new Float32Array(bytes.buffer, blobStart + e.offset, e.length);
    tensors[name] = { shape: e.shape, values: Array.from(view) };
  }
  return { meta: header.meta, tensors };
}

/** Prefixes every key of a state dict: prefixState('model/', s). */
export function prefixState(prefix: string, state: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(state)) out[prefix + k] = v;
  return out;
}

/** The entries of `state` under `prefix`, with the prefix removed. */
export function unprefixState(prefix: string, state: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(state)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

function isFloat32(values: StateTensor['values']): boolean {
  for (let i = 0; i < values.length; i++) if (Math.fround(values[i]) !== values[i] && !Number.isNaN(values[i])) return false;
  return true;
}

/** JSON that keeps NaN, +-Infinity and -0 (plain JSON turns them into null and 0). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return Object.is(v, -0) ? '__-0' : `__${v}`;
    return v;
  });
}

const SPECIAL: Record<string, number> = { __NaN: NaN, __Infinity: Infinity, '__-Infinity': -Infinity, '__-0': -0 };

/** Inverse of encodeJson. */
export function decodeJson<T = any>(text: string): T {
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v in SPECIAL ? SPECIAL[v] : v));
}
