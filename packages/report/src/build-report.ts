import { Rng, SerError } from '@ser/core';
import { pairedBootstrap } from './bootstrap.js';
import { holmAdjust } from './holm.js';
import {
  comparePoints,
  formatParam,
  matchesFilter,
  pointKeyOf,
  pointLabel,
  protocolId,
  protocolKeyOf,
  protocolTitle,
  type ProtocolKey,
} from './internal/points.js';
import { summarise, type Summary } from './internal/stats.js';
import type { CellRow, ParamValue, PredictionRow, ResultRows } from './rows.js';
import { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
import { minimumDetectableDifference } from './power.js';

export type { ProtocolKey } from './internal/points.js';
export type { Summary } from './internal/stats.js';

/** Options of buildReport. */
export interface ReportOptions {
  title?: string;
  /** What the best point is chosen within: 'lossId' (default) or a param name such as 'loss.alpha'. */
  bestBy?: string;
  /** Params filter selecting the baseline point (keys: param names, or 'lossId' / 'modelId'); default: loss id 'softmax', else loss.lambda = 0. */
  baseline?: Record<string, ParamValue>;
  /** Paired bootstrap of the mean UA difference: 10,000 resamples, 95 %, seed 0 by default. */
  bootstrap?: { resamples?: number; level?: number; seed?: number };
}

/** Cells behind a point; only 'ok' cells enter means. */
export interface CellCounts {
  total: number;
  ok: number;
  diverged: number;
  failed: number;
  /** Extra rows for an already seen (fold, seed) of this point, dropped (ok preferred, then latest finishedAt). */
  duplicates: number;
}

/** One config point's figures (fractions in [0, 1]). */
export interface PointSummary {
  key: string;
  label: string;
  lossId: string;
  modelId: string;
  params: Record<string, ParamValue>;
  cells: CellCounts;
  /** Fold-averaged: mean and sample std of the per-cell test UA over all ok cells (folds x seeds); n = cells. */
  ua: Summary;
  wa: Summary;
  macroF1: Summary;
  /** Pooled: per seed, UA of all folds' test predictions together; mean and std over seeds; n = seeds. */
  pooledUa: Summary;
  pooledWa: Summary;
  /** Per class: mean over ok cells of the cell's test recall. */
  perClassRecall: Record<string, Summary>;
  baseline: boolean;
  /** The ok cells behind the means (fold, seed, cell id, test UA / WA). */
  okCells: { fold: string; seed: number; cellId: string; ua: number | null; wa: number | null }[];
}

/** The best point within one group (by mean fold-averaged UA). */
export interface BestPoint {
  /** 'lossId' or the param name the points were grouped by. */
  groupBy: string;
  group: string;
  pointKey: string;
  label: string;
  ua: Summary;
  wa: Summary;
}

/** All tables of one protocol (dataset, classMap, protocol). */
export interface ProtocolTables {
  protocol: ProtocolKey;
  id: string;
  title: string;
  experiments: string[];
  classes: string[];
  points: PointSummary[];
  best: BestPoint[];
  excluded: { diverged: number; failed: number };
}

/** One point against the baseline on test UA, paired over (fold, seed). */
export interface SignificanceRow {
  pointKey: string;
  label: string;
  /** Matched (fold, seed) pairs where both cells are ok. */
  pairs: number;
  /** Mean of (point UA - baseline UA) over the pairs. */
  meanDifference: number | null;
  /** Percentile bootstrap CI of the mean difference at `level` (per comparison). */
  ci: [number, number] | null;
  /** Bonferroni-widened CI at 1 - (1 - level) / m, simultaneous over the m comparisons. */
  ciSimultaneous: [number, number] | null;
  wilcoxon: WilcoxonResult | null;
  /** Wilcoxon signed-rank two-sided p, unadjusted. */
  p: number | null;
  /** Holm-Bonferroni adjusted p over the comparisons of this protocol. */
  pHolm: number | null;
  /** Minimum detectable difference of UA (a fraction, like meanDifference) of this comparison: two-sided at `level`, 80% power, from the spread of its differences (minimumDetectableDifference). */
  mdd: number | null;
}

/** Significance of every point against the baseline, within one protocol. */
export interface ProtocolSignificance {
  protocolId: string;
  title: string;
  baseline: { pointKey: string; label: string; rule: string } | null;
  metric: 'ua';
  level: number;
  resamples: number;
  seed: number;
  rows: SignificanceRow[];
  notes: string[];
}

/** The report: tables per protocol, significance per protocol, warnings. */
export interface Report {
  kind: 'report';
  title: string;
  warnings: string[];
  tables: ProtocolTables[];
  significance: ProtocolSignificance[];
}

const SEP = '\u0000';

/** Builds tables (UA/WA per point, best per group, per-class recall) and significance against a baseline, per protocol. */
export function buildReport(rows: ResultRows, options: ReportOptions = {}): Report {
  if (!rows.cells || rows.cells.length === 0) {
    throw new SerError(
      'REPORT_EMPTY',
      'buildReport: no cells in the result rows; run the sweep first (ser run EXPERIMENT) or point the report at its results folder',
    );
  }
  const bestBy = options.bestBy ?? 'lossId';
  const level = options.bootstrap?.level ?? 0.95;
  const resamples = options.bootstrap?.resamples ?? 10_000;
  const seed = options.bootstrap?.seed ?? 0;
  const testPredictions = groupTestPredictions(rows.predictions ?? []);
  const warnings: string[] = [];
  if (rows.configVariantKeys?.length) {
    warnings.push(
      `Note: some sweep points hold cells run with different settings outside the sweep (${rows.configVariantKeys.join(', ')}); each setting is reported as its own point, labelled with them (\`ser report --baseline key=value\` picks the baseline among them).`,
    );
  }
  const withSkipped = rows.cells.filter((c) => (c.skippedAudio ?? 0) > 0);
  if (withSkipped.length > 0) {
    const ids = [...new Set(withSkipped.flatMap((c) => c.skippedAudioIds ?? []))];
    const shown = ids.slice(0, 8).join(', ') + (ids.length > 8 ? `, ... (${ids.length} in all)` : '');
    warnings.push(
      `Warning: ${withSkipped.length} of ${rows.cells.length} cells left out utterances for bad audio (dataset.onBadAudio: skip): ${shown}. Their UA and WA are over the remaining utterances; the cells.arrow columns skippedAudio and skippedAudioIds say which cell lost which.`,
    );
  }

  const byProtocol = new Map<string, CellRow[]>();
  for (const cell of rows.cells) {
    const id = protocolId(protocolKeyOf(cell));
    const list = byProtocol.get(id);
    if (list) list.push(cell);
    else byProtocol.set(id, [cell]);
  }
  const protocolIds = [...byProtocol.keys()].sort();
  if (protocolIds.length > 1) {
    warnings.push(
      `Warning: ${protocolIds.length} different protocols (dataset, classMap, protocol) are present; each is reported under its own header and never compared with another.`,
    );
  }

  const tables: ProtocolTables[] = [];
  const significance: ProtocolSignificance[] = [];
  for (const id of protocolIds) {
    const cells = byProtocol.get(id)!;
    const protocol = protocolKeyOf(cells[0]);
    const { points, duplicates } = summarisePoints(cells, testPredictions);
    if (duplicates > 0) {
      warnings.push(
        `Warning: ${duplicates} duplicate cell row(s) for an already seen (point, fold, seed) with the same config under ${protocolTitle(protocol)} (a cell run again, e.g. by another code version); kept one each (ok first, then the latest finishedAt).`,
      );
    }
    const classes = unionInOrder(cells.map((c) => c.classes));
    const baseline = chooseBaseline(points, options.baseline, protocol);
    for (const p of points) p.baseline = baseline !== null && p.key === baseline.point.key;
    tables.push({
      protocol,
      id,
      title: protocolTitle(protocol),
      experiments: [...new Set(cells.map((c) => c.experiment))].sort(),
      classes,
      points,
      best: bestPoints(points, bestBy),
      excluded: {
        diverged: points.reduce((a, p) => a + p.cells.diverged, 0),
        failed: points.reduce((a, p) => a + p.cells.failed, 0),
      },
    });
    significance.push(significanceFor(id, protocol, points, baseline, { level, resamples, seed }));
  }
  return { kind: 'report', title: options.title ?? defaultTitle(rows.cells), warnings, tables, significance };
}

function defaultTitle(cells: CellRow[]): string {
  const names = [...new Set(cells.map((c) => c.experiment))].sort();
  return `SER report: ${names.join(', ')}`;
}

function unionInOrder(lists: string[][]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of lists) {
    for (const c of l) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
    }
  }
  return out;
}

/** cellId -> its test predictions. */
export function groupTestPredictions(predictions: readonly PredictionRow[]): Map<string, PredictionRow[]> {
  const map = new Map<string, PredictionRow[]>();
  for (const p of predictions) {
    if (p.split !== 'test') continue;
    const list = map.get(p.cellId);
    if (list) list.push(p);
    else map.set(p.cellId, [p]);
  }
  return map;
}

/** UA (mean recall over classes with support) and WA (accuracy) of a set of predictions. */
export function uaWa(predictions: readonly { label: string; prediction: string }[]): { ua: number; wa: number; n: number } | null {
  if (predictions.length === 0) return null;
  const support = new Map<string, number>();
  const hits = new Map<string, number>();
  let correct = 0;
  for (const p of predictions) {
    support.set(p.label, (support.get(p.label) ?? 0) + 1);
    if (p.label === p.prediction) {
      correct++;
      hits.set(p.label, (hits.get(p.label) ?? 0) + 1);
    }
  }
  let recallSum = 0;
  for (const [label, n] of support) recallSum += (hits.get(label) ?? 0) / n;
  return { ua: recallSum / support.size, wa: correct / predictions.length, n: predictions.length };
}

/** Groups cells into points (deduplicating (fold, seed)), with fold-averaged and pooled figures. */
export function summarisePoints(cells: readonly CellRow[], testPredictions: Map<string, PredictionRow[]>): { points: PointSummary[]; duplicates: number } {
  const groups = new Map<string, Map<string, CellRow>>();
  const dupes = new Map<string, number>();
  for (const cell of cells) {
    const key = pointKeyOf(cell);
    let bySlot = groups.get(key);
    if (!bySlot) groups.set(key, (bySlot = new Map()));
    const slot = `${cell.fold}${SEP}${cell.seed}`;
    const seen = bySlot.get(slot);
    if (seen) {
      dupes.set(key, (dupes.get(key) ?? 0) + 1);
      if (preferred(cell, seen)) bySlot.set(slot, cell);
    } else bySlot.set(slot, cell);
  }
  const points: PointSummary[] = [];
  for (const [key, bySlot] of groups) {
    const list = [...bySlot.values()].sort((a, b) => a.fold.localeCompare(b.fold) || a.seed - b.seed);
    const first = list[0];
    const ok = list.filter((c) => c.status === 'ok');
    const counts: CellCounts = {
      total: list.length,
      ok: ok.length,
      diverged: list.filter((c) => c.status === 'diverged').length,
      failed: list.filter((c) => c.status === 'failed').length,
      duplicates: dupes.get(key) ?? 0,
    };
    const perClass: Record<string, number[]> = {};
    for (const c of ok) {
      c.classes.forEach((name, i) => {
        (perClass[name] ??= []).push(c.perClassRecall[i]);
      });
    }
    // pooled: per seed, every fold's test predictions of that seed's ok cells together
    const seeds = [...new Set(ok.map((c) => c.seed))].sort((a, b) => a - b);
    const pooled = seeds
      .map((s) => uaWa(ok.filter((c) => c.seed === s).flatMap((c) => testPredictions.get(c.cellId) ?? [])))
      .filter((x): x is { ua: number; wa: number; n: number } => x !== null);
    points.push({
      key,
      label: pointLabel(first.lossId, first.params),
      lossId: first.lossId,
      modelId: first.modelId,
      params: first.params,
      cells: counts,
      ua: summarise(ok.map((c) => c.ua)),
      wa: summarise(ok.map((c) => c.wa)),
      macroF1: summarise(ok.map((c) => c.macroF1)),
      pooledUa: summarise(pooled.map((x) => x.ua)),
      pooledWa: summarise(pooled.map((x) => x.wa)),
      perClassRecall: Object.fromEntries(Object.entries(perClass).map(([k, v]) => [k, summarise(v)])),
      baseline: false,
      okCells: ok.map((c) => ({ fold: c.fold, seed: c.seed, cellId: c.cellId, ua: c.ua, wa: c.wa })),
    });
  }
  points.sort(comparePoints);
  return { points, duplicates: [...dupes.values()].reduce((a, b) => a + b, 0) };
}

function preferred(candidate: CellRow, current: CellRow): boolean {
  if ((candidate.status === 'ok') !== (current.status === 'ok')) return candidate.status === 'ok';
  return candidate.finishedAt > current.finishedAt;
}

function chooseBaseline(
  points: PointSummary[],
  filter: Record<string, ParamValue> | undefined,
  protocol: ProtocolKey,
): { point: PointSummary; rule: string } | null {
  if (filter) {
    const matches = points.filter((p) => matchesFilter(p, filter));
    const rule = `filter ${Object.entries(filter)
      .map(([k, v]) => `${k}=${formatParam(v)}`)
      .join(', ')}`;
    if (matches.length > 1) {
      throw new SerError(
        'USAGE',
        `buildReport: the baseline ${rule} matches ${matches.length} points under ${protocolTitle(protocol)} (${matches
          .map((p) => p.label)
          .join('; ')}); add params to the filter so that it selects one point`,
        { details: { matches: matches.map((p) => p.label) } },
      );
    }
    return matches.length ? { point: matches[0], rule } : null;
  }
  const softmax = points.filter((p) => p.lossId === 'softmax' || p.params['loss.id'] === 'softmax');
  if (softmax.length) return pickBaseline(softmax, points, "default: loss id 'softmax'");
  const lambda0 = points.filter((p) => p.params['loss.lambda'] === 0);
  if (lambda0.length) return pickBaseline(lambda0, points, 'default: loss.lambda = 0');
  return null;
}

/**
 * One of several points matching the default baseline rule, and the rule text saying which and why:
 * the one whose model the most other points share (the like-for-like reference of the loss variants,
 * not, say, a classic baseline model run with the same loss), then the most ok cells, then sweep order.
 */
function pickBaseline(matches: PointSummary[], points: PointSummary[], rule: string): { point: PointSummary; rule: string } {
  const sharing = (p: PointSummary) => points.filter((q) => q !== p && q.modelId === p.modelId).length;
  const ranked = [...matches].sort((a, b) => sharing(b) - sharing(a) || b.cells.ok - a.cells.ok || comparePoints(a, b));
  if (ranked.length === 1) return { point: ranked[0], rule };
  const others = ranked
    .slice(1)
    .map((p) => p.label)
    .join('; ');
  return {
    point: ranked[0],
    rule: `${rule}; ${ranked.length} points match, chosen: the one whose model '${ranked[0].modelId}' most other points use, then the most ok cells (also matching: ${others}; pick another with --baseline key=value)`,
  };
}

function bestPoints(points: PointSummary[], bestBy: string): BestPoint[] {
  const groups = new Map<string, PointSummary[]>();
  for (const p of points) {
    if (p.ua.mean === null) continue;
    const g = bestBy === 'lossId' ? p.lossId : bestBy === 'modelId' ? p.modelId : formatParam(p.params[bestBy]);
    const list = groups.get(g);
    if (list) list.push(p);
    else groups.set(g, [p]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([group, ps]) => {
      const best = [...ps].sort((a, b) => b.ua.mean! - a.ua.mean! || b.ua.n - a.ua.n || comparePoints(a, b))[0];
      return { groupBy: bestBy, group, pointKey: best.key, label: best.label, ua: best.ua, wa: best.wa };
    });
}

/** Paired UA differences (point - baseline) over the (fold, seed) pairs where both are ok. */
export function pairedDifferences(point: Pick<PointSummary, 'okCells'>, reference: Pick<PointSummary, 'okCells'>): number[] {
  const ref = new Map(reference.okCells.map((c) => [`${c.fold}${SEP}${c.seed}`, c.ua]));
  const out: number[] = [];
  for (const c of point.okCells) {
    const ub = ref.get(`${c.fold}${SEP}${c.seed}`);
    if (typeof c.ua === 'number' && typeof ub === 'number' && Number.isFinite(c.ua) && Number.isFinite(ub)) out.push(c.ua - ub);
  }
  return out;
}

function significanceFor(
  id: string,
  protocol: ProtocolKey,
  points: PointSummary[],
  baseline: { point: PointSummary; rule: string } | null,
  cfg: { level: number; resamples: number; seed: number },
): ProtocolSignificance {
  const base: ProtocolSignificance = {
    protocolId: id,
    title: protocolTitle(protocol),
    baseline: baseline && { pointKey: baseline.point.key, label: baseline.point.label, rule: baseline.rule },
    metric: 'ua',
    level: cfg.level,
    resamples: cfg.resamples,
    seed: cfg.seed,
    rows: [],
    notes: [],
  };
  if (!baseline) {
    base.notes.push("No baseline point (no loss id 'softmax', no loss.lambda = 0, or the baseline filter matched nothing): no significance tests.");
    return base;
  }
  const others = points.filter((p) => p !== baseline.point);
  const rows = pairedTests(
    others.map((p) => ({ key: p.key, label: p.label, differences: pairedDifferences(p, baseline.point) })),
    cfg,
  );
  const unpaired = rows.filter((r) => r.pairs === 0).length;
  if (unpaired) base.notes.push(`${unpaired} point(s) share no ok (fold, seed) pair with the baseline: not tested.`);
  return { ...base, rows };
}

/**
 * Paired tests of several comparisons: mean difference, percentile bootstrap CI (per comparison
 * and Bonferroni-simultaneous), Wilcoxon signed-rank p and Holm-adjusted p over the comparisons made.
 * Each comparison's bootstrap stream is forked from `seed` by its key, so it does not depend on order.
 */
export function pairedTests(
  comparisons: { key: string; label: string; differences: number[] }[],
  cfg: { level: number; resamples: number; seed: number },
): SignificanceRow[] {
  const m = comparisons.filter((c) => c.differences.length > 0).length;
  const simLevel = 1 - (1 - cfg.level) / Math.max(1, m);
  const rows: SignificanceRow[] = comparisons.map(({ key, label, differences: d }) => {
    if (d.length === 0) {
      return { pointKey: key, label, pairs: 0, meanDifference: null, ci: null, ciSimultaneous: null, wilcoxon: null, p: null, pHolm: null, mdd: null };
    }
    const seed = new Rng(cfg.seed).fork(key).nextUint32();
    const boot = pairedBootstrap(d, { resamples: cfg.resamples, level: cfg.level, seed });
    const sim = pairedBootstrap(d, { resamples: cfg.resamples, level: simLevel, seed });
    const w = wilcoxonSignedRank(d);
    const mdd = minimumDetectableDifference(d, { level: cfg.level, power: 0.8 });
    return { pointKey: key, label, pairs: d.length, meanDifference: boot.mean, ci: boot.ci, ciSimultaneous: sim.ci, wilcoxon: w, p: w.p, pHolm: null, mdd };
  });
  const adjusted = holmAdjust(rows.map((r) => r.p));
  rows.forEach((r, i) => (r.pHolm = adjusted[i]));
  return rows;
}
