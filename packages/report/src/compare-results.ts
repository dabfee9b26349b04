import {
  groupTestPredictions,
  pairedDifferences,
  pairedTests,
  summarisePoints,
  type PointSummary,
  type SignificanceRow,
  type Summary,
} from './build-report.js';
import { protocolId, protocolKeyOf, protocolTitle, type ProtocolKey } from './internal/points.js';
import { summarise } from './internal/stats.js';
import type { CellRow, ResultRows } from './rows.js';

/** Options of compareResults. */
export interface CompareOptions {
  /** Names shown for the two result sets; default 'A' and 'B'. */
  labels?: { a: string; b: string };
  bootstrap?: { resamples?: number; level?: number; seed?: number };
}

/** One config point present in both result sets: B - A on test UA over matched (fold, seed). */
export interface ComparisonRow extends SignificanceRow {
  /** Mean UA of A and of B over the matched pairs only (so meanDifference = b.mean - a.mean). */
  a: Summary;
  b: Summary;
  /** Ok cells of the point in each set, matched or not. */
  okA: number;
  okB: number;
}

/** The comparison within one protocol. */
export interface ProtocolComparison {
  protocol: ProtocolKey;
  id: string;
  title: string;
  rows: ComparisonRow[];
  /** Points present only in A, or only in B (by label). */
  onlyA: string[];
  onlyB: string[];
}

/** `ser compare A B`: two result sets, the same point/fold/seed matched, B - A with the paired test. */
export interface Comparison {
  kind: 'comparison';
  title: string;
  labels: { a: string; b: string };
  warnings: string[];
  level: number;
  resamples: number;
  seed: number;
  protocols: ProtocolComparison[];
}

/**
 * Matches the two result sets by protocol, point (loss, model, params), fold and seed; for each
 * point in both, the mean UA difference B - A with a paired bootstrap CI, Wilcoxon p and Holm p.
 */
export function compareResults(a: ResultRows, b: ResultRows, options: CompareOptions = {}): Comparison {
  const labels = options.labels ?? { a: 'A', b: 'B' };
  const level = options.bootstrap?.level ?? 0.95;
  const resamples = options.bootstrap?.resamples ?? 10_000;
  const seed = options.bootstrap?.seed ?? 0;
  const warnings: string[] = [];
  const sideA = byProtocol(a.cells);
  const sideB = byProtocol(b.cells);
  const predA = groupTestPredictions(a.predictions ?? []);
  const predB = groupTestPredictions(b.predictions ?? []);
  const ids = [...new Set([...sideA.keys(), ...sideB.keys()])].sort();
  const protocols: ProtocolComparison[] = [];
  for (const id of ids) {
    const ca = sideA.get(id);
    const cb = sideB.get(id);
    if (!ca || !cb) {
      const only = ca ? labels.a : labels.b;
      warnings.push(`Warning: protocol ${protocolTitle(protocolKeyOf((ca ?? cb)![0]))} is only in ${only}; nothing to compare it with.`);
      continue;
    }
    const pa = summarisePoints(ca, predA).points;
    const pb = summarisePoints(cb, predB).points;
    const mapA = new Map(pa.map((p) => [p.key, p]));
    const mapB = new Map(pb.map((p) => [p.key, p]));
    const both = pb.filter((p) => mapA.has(p.key));
    const tests = pairedTests(
      both.map((p) => ({ key: p.key, label: p.label, differences: pairedDifferences(p, mapA.get(p.key)!) })),
      { level, resamples, seed },
    );
    const rows: ComparisonRow[] = tests.map((t, i) => {
      const pB = both[i];
      const pA = mapA.get(pB.key)!;
      const [ua, ub] = matchedUa(pA, pB);
      return { ...t, a: summarise(ua), b: summarise(ub), okA: pA.cells.ok, okB: pB.cells.ok };
    });
    protocols.push({
      protocol: protocolKeyOf(ca[0]),
      id,
      title: protocolTitle(protocolKeyOf(ca[0])),
      rows,
      onlyA: pa.filter((p) => !mapB.has(p.key)).map((p) => p.label),
      onlyB: pb.filter((p) => !mapA.has(p.key)).map((p) => p.label),
    });
  }
  if (protocols.length > 1) {
    warnings.push(
      `Warning: ${protocols.length} different protocols (dataset, classMap, protocol) are present; each is compared under its own header, never across.`,
    );
  }
  return { kind: 'comparison', title: `Comparison: ${labels.b} - ${labels.a}`, labels, warnings, level, resamples, seed, protocols };
}

function byProtocol(cells: readonly CellRow[]): Map<string, CellRow[]> {
  const map = new Map<string, CellRow[]>();
  for (const c of cells) {
    const id = protocolId(protocolKeyOf(c));
    const list = map.get(id);
    if (list) list.push(c);
    else map.set(id, [c]);
  }
  return map;
}

function matchedUa(a: PointSummary, b: PointSummary): [number[], number[]] {
  const ref = new Map(a.okCells.map((c) => [`${c.fold}\u0000${c.seed}`, c.ua]));
  const ua: number[] = [];
  const ub: number[] = [];
  for (const c of b.okCells) {
    const x = ref.get(`${c.fold}\u0000${c.seed}`);
    if (typeof x === 'number' && Number.isFinite(x) && typeof c.ua === 'number' && Number.isFinite(c.ua)) {
      ua.push(x);
      ub.push(c.ua);
    }
  }
  return [ua, ub];
}
