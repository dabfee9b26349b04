import { canonicalJson } from '@ser/core';
import type { CellRow, ParamValue } from '../rows.js';

/** The comparison context: rows that differ in any of these are never compared silently. */
export interface ProtocolKey {
  dataset: string;
  classMap: string;
  protocol: string;
}

export function protocolKeyOf(cell: CellRow): ProtocolKey {
  return { dataset: cell.dataset, classMap: cell.classMap, protocol: cell.protocol };
}

export function protocolId(p: ProtocolKey): string {
  return canonicalJson([p.dataset, p.classMap, p.protocol]);
}

export function protocolTitle(p: ProtocolKey): string {
  return `dataset=${p.dataset}, classMap=${p.classMap}, protocol=${p.protocol}`;
}

/** A config point: the cells that share loss, model and sweep params within one protocol. */
export function pointKeyOf(cell: CellRow): string {
  return canonicalJson([cell.lossId, cell.modelId, cell.params]);
}

/** Human label of a point: the loss id, then its params as key=value (the 'loss.id' param is the loss id already). */
export function pointLabel(lossId: string, params: Record<string, ParamValue>): string {
  const parts = Object.keys(params)
    .filter((k) => k !== 'loss.id')
    .sort()
    .map((k) => `${k}=${formatParam(params[k])}`);
  return parts.length ? `${lossId} ${parts.join(' ')}` : lossId;
}

export function formatParam(v: ParamValue | undefined): string {
  if (v === undefined) return '-';
  if (v === null) return 'null';
  return String(v);
}

/** Orders param values: numbers numerically, then strings, booleans, null. */
export function compareParam(a: ParamValue | undefined, b: ParamValue | undefined): number {
  const rank = (v: ParamValue | undefined) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : v === null ? 3 : 4);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** Sort order of points: loss id, then each param (sorted names) by value. */
export function comparePoints(
  a: { lossId: string; modelId: string; params: Record<string, ParamValue> },
  b: { lossId: string; modelId: string; params: Record<string, ParamValue> },
): number {
  if (a.lossId !== b.lossId) return a.lossId.localeCompare(b.lossId);
  if (a.modelId !== b.modelId) return a.modelId.localeCompare(b.modelId);
  const keys = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
  for (const k of keys) {
    const c = compareParam(a.params[k], b.params[k]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Whether a cell's point matches a filter: keys are param names, or 'lossId' / 'modelId'. */
export function matchesFilter(point: { lossId: string; modelId: string; params: Record<string, ParamValue> }, filter: Record<string, ParamValue>): boolean {
  return Object.entries(filter).every(([k, v]) => {
    if (k === 'lossId') return point.lossId === v;
    if (k === 'modelId') return point.modelId === v;
    return Object.prototype.hasOwnProperty.call(point.params, k) && point.params[k] === v;
  });
}
