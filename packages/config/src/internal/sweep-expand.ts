// Sweep points: grid (cartesian, key order) x zip (elementwise), then explicit points. Each point is
// applied to the composed config like an override layer and the result validated again, so a bad
// grid value is reported at the sweep key that produced it.
import { stableHash } from '@ser/core';
import { deepFreeze } from '@ser/core';
import type { ExperimentConfig, PluginSchemas, SweepSpec } from '../types.js';
import { problemAt, problemText } from './problems.js';
import type { Problem } from './problems.js';
import { deleteUnder, lookup } from './source-map.js';
import type { SourceEntry } from './source-map.js';
import type { SourceLocation } from '../types.js';
import { cloneTree, isPlainObject, setPaths } from './tree.js';
import type { Tree } from './tree.js';
import { validateValue } from './validate.js';

/** One sweep point: its dotted-path parameters and its validated, frozen config. */
export interface SweepPoint {
  /** Position in the expanded sweep (0-based), the runner's sweepIndex. */
  index: number;
  /** Dotted key path -> value, e.g. { 'loss.lambda': 0.01, 'loss.alpha': 0.5 }. */
  params: Record<string, unknown>;
  /** The experiment config with the point applied; its `sweep` is the default (one point), so it does not change when the sweep grows. */
  config: ExperimentConfig;
  /** stableHash of config. */
  hash: string;
}

interface Assignment {
  key: string;
  value: unknown;
  /** Where the value was written (grid/zip item or points entry) and where its key was. */
  valueAt: string[];
  keyAt: string[];
}

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;
const NOT_SWEEPABLE: Record<string, string> = {
  sweep: 'the sweep cannot sweep itself',
  seed: 'seeds are an axis of their own: use sweep.seeds',
  name: 'all points share the experiment name',
  output: 'all points share the output folder',
};

/** Checks the sweep's keys and zip lengths; returns problems (empty when the sweep can be expanded). */
export function checkSweep(sweep: SweepSpec, sources: Map<string, SourceEntry>): Problem[] {
  const problems: Problem[] = [];
  const checkKey = (key: string, at: string[]): void => {
    const segments = key.split('.');
    if (!segments.every((s) => KEY_SEGMENT.test(s))) {
      problems.push(problemAt(sources, at, `'${key}' is not a key path: use dot-separated keys, e.g. loss.lambda`, 'key'));
    } else if (NOT_SWEEPABLE[segments[0]]) {
      problems.push(problemAt(sources, at, `'${key}' cannot be swept: ${NOT_SWEEPABLE[segments[0]]}`, 'key'));
    }
  };
  for (const key of Object.keys(sweep.grid)) checkKey(key, ['sweep', 'grid', key]);
  for (const key of Object.keys(sweep.zip)) {
    checkKey(key, ['sweep', 'zip', key]);
    if (key in sweep.grid) problems.push(problemAt(sources, ['sweep', 'zip', key], `'${key}' is in both sweep.grid and sweep.zip; keep it in one`, 'key'));
  }
  sweep.points.forEach((point, j) => {
    for (const key of Object.keys(point)) checkKey(key, ['sweep', 'points', String(j), key]);
  });
  const lengths = Object.entries(sweep.zip).map(([k, v]) => [k, v.length] as const);
  if (new Set(lengths.map(([, n]) => n)).size > 1) {
    problems.push(problemAt(sources, ['sweep', 'zip'], `zip keys must have equal lengths, found ${lengths.map(([k, n]) => `${k}: ${n}`).join(', ')}`, 'key'));
  }
  return problems;
}

function assignmentsOf(sweep: SweepSpec): Assignment[][] {
  let combos: Assignment[][] = [[]];
  for (const [key, values] of Object.entries(sweep.grid)) {
    combos = combos.flatMap((c) => values.map((value, i) => [...c, { key, value, valueAt: ['sweep', 'grid', key, String(i)], keyAt: ['sweep', 'grid', key] }]));
  }
  const zipKeys = Object.keys(sweep.zip);
  if (zipKeys.length > 0) {
    const n = sweep.zip[zipKeys[0]].length;
    combos = combos.flatMap((c) =>
      Array.from({ length: n }, (_, i) => [
        ...c,
        ...zipKeys.map((key) => ({ key, value: sweep.zip[key][i], valueAt: ['sweep', 'zip', key, String(i)], keyAt: ['sweep', 'zip', key] })),
      ]),
    );
  }
  const explicit = sweep.points.map((point, j) =>
    Object.entries(point).map(([key, value]) => ({ key, value, valueAt: ['sweep', 'points', String(j), key], keyAt: ['sweep', 'points', String(j), key] })),
  );
  return [...combos, ...explicit];
}

/**
 * Expands and validates every point of `sweep` over `composed` (the config before validation).
 * `baseTexts` are the base config's problem lines: a point repeating one of them adds nothing.
 */
export function expandPoints(
  composed: Tree,
  sweep: SweepSpec,
  plugins: PluginSchemas,
  baseTexts: ReadonlySet<string>,
): { points: SweepPoint[]; problems: Problem[] } {
  const all = assignmentsOf(sweep);
  const found = new Map<string, { problem: Problem; indices: number[] }>();
  const points: SweepPoint[] = [];
  const seen = new Set<string>();
  all.forEach((assignments, i) => {
    const tree = cloneTree(composed);
    delete tree.value.sweep;
    const located = assignments.map((a) => {
      const keyLoc: SourceLocation = lookup(composed.sources, a.keyAt)?.key ?? { kind: 'unknown' };
      const valueLoc: SourceLocation = lookup(composed.sources, a.valueAt)?.value ?? keyLoc;
      return { segments: a.key.split('.'), value: a.value, entry: { key: keyLoc, value: valueLoc } };
    });
    deleteUnder(tree.sources, ['sweep']);
    const problems = setPaths(tree, located, []);
    const value = structuredClone(tree.value);
    problems.push(...validateValue(value, plugins, tree.sources));
    for (const p of problems) {
      const text = problemText({ ...p, context: undefined });
      if (baseTexts.has(text)) continue;
      const known = found.get(text);
      if (known) known.indices.push(i);
      else found.set(text, { problem: { ...p, context: undefined }, indices: [i] });
    }
    if (problems.length > 0) return;
    const hash = stableHash(value);
    if (seen.has(hash)) return; // an identical config is the same cell: run it once
    seen.add(hash);
    points.push({
      index: points.length,
      params: Object.fromEntries(assignments.map((a) => [a.key, a.value])),
      config: deepFreeze(value) as unknown as ExperimentConfig,
      hash,
    });
  });
  const problems = [...found.values()].map(({ problem, indices }) => {
    const shown = indices.slice(0, 5).map(String).join(', ') + (indices.length > 5 ? `, ... (${indices.length} in all)` : '');
    const params = indices.length === 1 ? `: ${all[indices[0]].map((a) => `${a.key}=${JSON.stringify(a.value)}`).join(', ')}` : '';
    return { ...problem, context: `sweep point${indices.length > 1 ? 's' : ''} ${shown} of ${all.length}${params}` };
  });
  return { points, problems };
}

/** True when the validated value's sweep has the shape checkSweep and expandPoints need. */
export function isSweepSpec(v: unknown): v is SweepSpec {
  return isPlainObject(v) && isPlainObject(v.grid) && isPlainObject(v.zip) && Array.isArray(v.points);
}
