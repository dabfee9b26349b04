// Cells of one sweep point that were run with different settings outside the sweep: e.g. two
// `ser run`s into one folder with trainer.epochs=8 and then 12. They are different experiments, so
// the report must not keep one of them per (fold, seed) as if the other were a re-run.
import { canonicalJson } from '@ser/core';
import type { CellRow, ParamValue } from './rows.js';
import { pointKeyOf, protocolId, protocolKeyOf } from './internal/points.js';

/** What separateConfigVariants did: the cells to report, and the config keys that now tell points apart. */
export interface ConfigVariants {
  cells: CellRow[];
  /** Dotted config keys added to params, sorted; empty when no point was run with two configs. */
  keys: string[];
}

/**
 * Where a sweep point (loss, model, params, within one protocol) holds cells of different configs
 * in one (fold, seed) slot, adds to the params of every cell of that point the config keys in
 * which its cells differ (values as params: numbers, strings, booleans; other values as JSON text;
 * a key a cell lacks is null). The report then shows each config as its own point, labelled by
 * what differs, and pairs them by (fold, seed) like any two points. Reads configs (configOf) only
 * for such points. The input rows are not changed; cells with the same config in one slot (a cell
 * run again) stay duplicates for the report to choose between.
 */
export function separateConfigVariants(cells: readonly CellRow[], configOf: (cell: CellRow) => unknown): ConfigVariants {
  const byPoint = new Map<string, CellRow[]>();
  for (const c of cells) {
    const key = canonicalJson([protocolId(protocolKeyOf(c)), pointKeyOf(c)]);
    const list = byPoint.get(key);
    if (list) list.push(c);
    else byPoint.set(key, [c]);
  }
  const extra = new Map<CellRow, Record<string, ParamValue>>();
  const keys = new Set<string>();
  for (const group of byPoint.values()) {
    if (!hasConfigConflict(group)) continue;
    const flat = group.map((c) => flattenConfig(configOf(c)));
    const candidates = new Set(flat.flatMap((f) => [...f.keys()]));
    const differing = [...candidates]
      .filter((k) => k !== 'seed' && !(k in group[0].params))
      .filter((k) => new Set(flat.map((f) => canonicalJson(f.get(k) ?? null))).size > 1)
      .sort();
    if (differing.length === 0) continue; // the configs differ only in what is swept already
    group.forEach((c, i) => {
      extra.set(c, Object.fromEntries(differing.map((k) => [k, asParam(flat[i].get(k))])));
      differing.forEach((k) => keys.add(k));
    });
  }
  if (extra.size === 0) return { cells: [...cells], keys: [] };
  return {
    cells: cells.map((c) => (extra.has(c) ? { ...c, params: { ...c.params, ...extra.get(c) } } : c)),
    keys: [...keys].sort(),
  };
}

/** Whether some (fold, seed) slot of the point holds cells of two configs (configHash covers the whole cell config). */
function hasConfigConflict(group: readonly CellRow[]): boolean {
  const hashes = new Map<string, string>();
  for (const c of group) {
    const slot = canonicalJson([c.fold, c.seed]);
    const seen = hashes.get(slot);
    if (seen !== undefined && seen !== c.configHash) return true;
    hashes.set(slot, c.configHash);
  }
  return false;
}

/** Dotted key -> leaf value (arrays are leaves: a conv stack is one setting). */
function flattenConfig(config: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    for (const [k, v] of Object.entries(config)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, config);
  return out;
}

function asParam(v: unknown): ParamValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return canonicalJson(v);
}
