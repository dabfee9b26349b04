// Key path -> position bookkeeping. Paths are arrays of segments (a sweep grid key such as
// 'loss.lambda' is one segment), stored under the segments joined by NUL so dots stay unambiguous.
import path from 'node:path';
import type { SourceLocation } from '../types.js';

export type Segments = readonly string[];

/** Where a key and its value were written; `context` says which sweep point set it, if any. */
export interface SourceEntry {
  key: SourceLocation;
  value: SourceLocation;
  context?: string;
}

export type SourceMap = Map<string, SourceEntry>;

const SEP = '\u0000';

export function pathKey(segments: Segments): string {
  return segments.join(SEP);
}

export function splitPathKey(key: string): string[] {
  return key === '' ? [] : key.split(SEP);
}

export function dotted(segments: Segments): string {
  return segments.join('.');
}

/** True when `segments` equals `prefix` or lies below it. */
export function isUnder(segments: Segments, prefix: Segments): boolean {
  return prefix.length <= segments.length && prefix.every((s, i) => segments[i] === s);
}

/** Removes every entry at or below `prefix`. */
export function deleteUnder(map: SourceMap, prefix: Segments): void {
  for (const key of [...map.keys()]) {
    if (isUnder(splitPathKey(key), prefix)) map.delete(key);
  }
}

/** The entry for `segments`, else the nearest ancestor's (values filled by schema defaults have none). */
export function lookup(map: SourceMap, segments: Segments): SourceEntry | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const entry = map.get(pathKey(segments.slice(0, n)));
    if (entry) return entry;
  }
  return undefined;
}

/** A path as users should read it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function formatLocation(loc: SourceLocation): string {
  switch (loc.kind) {
    case 'file':
      return `${displayPath(loc.file)}:${loc.line}:${loc.column}`;
    case 'override':
      return `command-line override '${loc.text}'`;
    default:
      return '(unknown position)';
  }
}
