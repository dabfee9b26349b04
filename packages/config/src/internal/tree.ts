// A config value with its source map, and the two ways layers combine: deep merge (files and
// pieces) and setting a dotted path (command-line overrides, sweep points).
import type { Problem } from './problems.js';
import { deleteUnder, dotted, lookup, pathKey, splitPathKey } from './source-map.js';
import type { Segments, SourceEntry, SourceMap } from './source-map.js';

export interface Tree {
  value: Record<string, unknown>;
  sources: SourceMap;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function emptyTree(): Tree {
  return { value: {}, sources: new Map() };
}

export function cloneTree(tree: Tree): Tree {
  return { value: structuredClone(tree.value), sources: new Map(tree.sources) };
}

function copySourcesUnder(from: SourceMap, to: SourceMap, prefix: Segments): void {
  for (const [key, entry] of from) {
    const segments = splitPathKey(key);
    if (prefix.every((s, i) => segments[i] === s)) to.set(key, entry);
  }
}

/** Paths of the keys of a block other than `id`, for the `dropped` report. */
function blockKeys(block: Record<string, unknown>, at: Segments): string[] {
  return Object.keys(block)
    .filter((k) => k !== 'id')
    .map((k) => dotted([...at, k]));
}

/**
 * Merges `layer` into `base` (mutating base): objects merge key by key, arrays and scalars replace.
 * A block whose `id` the layer changes (loss: center -> softmax) starts afresh from the layer: the
 * lower layers' keys of that block belonged to the old plugin and are dropped (listed in `dropped`).
 */
export function mergeInto(base: Tree, layer: Tree, dropped: string[], at: Segments = []): void {
  let target: Record<string, unknown> = base.value;
  for (const s of at) target = target[s] as Record<string, unknown>;
  let source: Record<string, unknown> = layer.value;
  for (const s of at) source = source[s] as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    const child = [...at, key];
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current)) {
      const switched = value.id !== undefined && current.id !== undefined && value.id !== current.id;
      if (!switched) {
        const entry = layer.sources.get(pathKey(child));
        if (entry) base.sources.set(pathKey(child), entry);
        mergeInto(base, layer, dropped, child);
        continue;
      }
      dropped.push(...blockKeys(current, child));
    }
    target[key] = structuredClone(value);
    deleteUnder(base.sources, child);
    copySourcesUnder(layer.sources, base.sources, child);
  }
}

/** Gives every path at and below `at` in `value` the same source entry. */
function markUnder(value: unknown, at: Segments, entry: SourceEntry, sources: SourceMap): void {
  sources.set(pathKey(at), entry);
  if (Array.isArray(value)) value.forEach((v, i) => markUnder(v, [...at, String(i)], entry, sources));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) markUnder(v, [...at, k], entry, sources);
}

/**
 * Sets `segments` to `value` (creating objects on the way; a numeric segment indexes an existing
 * array). Setting `<block>.id` to a new id first clears that block (see mergeInto). Returns a
 * problem when the path runs through a scalar.
 */
export function setPath(tree: Tree, segments: Segments, value: unknown, entry: SourceEntry, dropped: string[]): Problem | undefined {
  let current: unknown = tree.value;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const container = current as Record<string, unknown> | unknown[];
    let next: unknown;
    if (Array.isArray(container)) {
      const index = Number(seg);
      if (!Number.isInteger(index) || index < 0 || index >= container.length) {
        return {
          code: 'CONFIG_INVALID',
          segments,
          message: `${dotted(segments.slice(0, i))} is an array of ${container.length} items; '${seg}' is not an index into it`,
          source: entry.value,
          context: entry.context,
        };
      }
      next = container[index];
    } else {
      next = container[seg];
      if (next === undefined || next === null) {
        next = {};
        container[seg] = next;
        tree.sources.set(pathKey(segments.slice(0, i + 1)), entry);
      }
    }
    if (typeof next !== 'object' || next === null) {
      const found = lookup(tree.sources, segments.slice(0, i + 1));
      const where = found?.value.kind === 'file' ? ` (set at ${found.value.file}:${found.value.line}:${found.value.column})` : '';
      return {
        code: 'CONFIG_INVALID',
        segments,
        message: `cannot set a key below ${dotted(segments.slice(0, i + 1))}: it is ${JSON.stringify(next)}, not an object${where}`,
        source: entry.value,
        context: entry.context,
      };
    }
    current = next;
  }
  const last = segments[segments.length - 1];
  if (Array.isArray(current)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index > current.length) {
      return {
        code: 'CONFIG_INVALID',
        segments,
        message: `${dotted(segments.slice(0, -1))} is an array of ${current.length} items; '${last}' is not an index into it`,
        source: entry.value,
        context: entry.context,
      };
    }
    current[index] = structuredClone(value);
  } else {
    const block = current as Record<string, unknown>;
    const parent = segments.slice(0, -1);
    if (last === 'id' && block.id !== undefined && block.id !== value && parent.length > 0) {
      dropped.push(...blockKeys(block, parent));
      for (const k of Object.keys(block)) delete block[k];
      deleteUnder(tree.sources, parent);
      tree.sources.set(pathKey(parent), entry);
    }
    block[last] = structuredClone(value);
  }
  deleteUnder(tree.sources, segments);
  markUnder(value, segments, entry, tree.sources);
  return undefined;
}

/** Sets several paths as one layer: `id` keys first (they clear their block), then the rest in order. */
export function setPaths(tree: Tree, assignments: ReadonlyArray<{ segments: Segments; value: unknown; entry: SourceEntry }>, dropped: string[]): Problem[] {
  const ordered = [
    ...assignments.filter((a) => a.segments[a.segments.length - 1] === 'id').sort((a, b) => a.segments.length - b.segments.length),
    ...assignments.filter((a) => a.segments[a.segments.length - 1] !== 'id'),
  ];
  const problems: Problem[] = [];
  for (const a of ordered) {
    const p = setPath(tree, a.segments, a.value, a.entry, dropped);
    if (p) problems.push(p);
  }
  return problems;
}
