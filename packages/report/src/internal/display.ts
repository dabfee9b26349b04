// Report and comparison -> format-neutral tables: text cells for the human formats (percent,
// mean ± sd) and raw values for CSV, plus protocol columns that only CSV carries.
import { canonicalJson } from '@ser/core';
import type { Report } from '../build-report.js';
import type { Comparison } from '../compare-results.js';
import type { Summary } from './stats.js';

export type RawValue = string | number | boolean | null;

export interface Column {
  header: string;
  /** Column name(s) in CSV; a column may expand to several raw values (mean, std). */
  csv: string[];
  align: 'left' | 'right';
  csvOnly?: boolean;
}

export interface Cell {
  text: string;
  raw: RawValue[];
}

export interface DisplayTable {
  /** Which kind of table, the same across protocols: 'points', 'best', 'recall', 'significance', 'comparison'. */
  id: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
  notes: string[];
}

export interface DisplaySection {
  header: string;
  tables: DisplayTable[];
  notes: string[];
}

export interface Display {
  title: string;
  warnings: string[];
  sections: DisplaySection[];
}

const MISSING = '-';

export function pct(x: number | null | undefined, digits = 2): string {
  return typeof x === 'number' && Number.isFinite(x) ? (100 * x).toFixed(digits) : MISSING;
}

export function signedPct(x: number | null | undefined, digits = 2): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return MISSING;
  const s = (100 * x).toFixed(digits);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s;
}

export function pm(s: Summary, digits = 2): string {
  if (s.mean === null) return MISSING;
  return s.std === null ? pct(s.mean, digits) : `${pct(s.mean, digits)} ± ${pct(s.std, digits)}`;
}

export function formatP(p: number | null | undefined): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return MISSING;
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(1);
}

function ci(c: [number, number] | null): string {
  return c ? `[${signedPct(c[0])}, ${signedPct(c[1])}]` : MISSING;
}

const protocolColumns: Column[] = [
  { header: 'dataset', csv: ['dataset'], align: 'left', csvOnly: true },
  { header: 'classMap', csv: ['classMap'], align: 'left', csvOnly: true },
  { header: 'protocol', csv: ['protocol'], align: 'left', csvOnly: true },
];

function cell(text: string, ...raw: RawValue[]): Cell {
  return { text, raw };
}

function summaryCell(s: Summary): Cell {
  return cell(pm(s), s.mean, s.std);
}

/** The tables of a report, one section per protocol. */
export function reportDisplay(report: Report): Display {
  const sections: DisplaySection[] = report.tables.map((t, i) => {
    const proto = [
      cell(t.protocol.dataset, t.protocol.dataset),
      cell(t.protocol.classMap, t.protocol.classMap),
      cell(t.protocol.protocol, t.protocol.protocol),
    ];
    const sig = report.significance[i];
    const tables: DisplayTable[] = [];
    tables.push({
      id: 'points',
      title: 'UA / WA per config point (%)',
      columns: [
        ...protocolColumns,
        { header: 'Point', csv: ['point'], align: 'left' },
        { header: 'loss', csv: ['lossId', 'params'], align: 'left', csvOnly: true },
        { header: 'n', csv: ['n'], align: 'right' },
        { header: 'div.', csv: ['diverged'], align: 'right' },
        { header: 'fail.', csv: ['failed'], align: 'right' },
        { header: 'UA fold-avg', csv: ['uaMean', 'uaStd'], align: 'right' },
        { header: 'WA fold-avg', csv: ['waMean', 'waStd'], align: 'right' },
        { header: 'UA pooled', csv: ['uaPooledMean', 'uaPooledStd'], align: 'right' },
        { header: 'WA pooled', csv: ['waPooledMean', 'waPooledStd'], align: 'right' },
        { header: 'seeds', csv: ['pooledSeeds'], align: 'right' },
        { header: 'baseline', csv: ['baseline'], align: 'left', csvOnly: true },
      ],
      rows: t.points.map((p) => [
        ...proto,
        cell(p.baseline ? `${p.label} (baseline)` : p.label, p.label),
        cell(p.lossId, p.lossId, canonicalJson(p.params)),
        cell(String(p.cells.ok), p.cells.ok),
        cell(String(p.cells.diverged), p.cells.diverged),
        cell(String(p.cells.failed), p.cells.failed),
        summaryCell(p.ua),
        summaryCell(p.wa),
        summaryCell(p.pooledUa),
        summaryCell(p.pooledWa),
        cell(String(p.pooledUa.n), p.pooledUa.n),
        cell(String(p.baseline), p.baseline),
      ]),
      notes: [
        `n = ok cells (folds x seeds) behind each figure; ${t.excluded.diverged} diverged (div.) and ${t.excluded.failed} failed (fail.) cells are counted separately and excluded from every mean.`,
        "UA fold-avg / WA fold-avg: mean ± sample sd over cells of each cell's test UA / WA.",
        "UA pooled / WA pooled: all folds' test predictions of one seed together, then mean ± sd over seeds (n = seeds).",
      ],
    });
    const groupBy = t.best[0]?.groupBy ?? 'lossId';
    tables.push({
      id: 'best',
      title: `Best point per ${groupBy} (by mean fold-averaged UA, %)`,
      columns: [
        ...protocolColumns,
        { header: groupBy, csv: ['group'], align: 'left' },
        { header: 'Best point', csv: ['point'], align: 'left' },
        { header: 'n', csv: ['n'], align: 'right' },
        { header: 'UA fold-avg', csv: ['uaMean', 'uaStd'], align: 'right' },
        { header: 'WA fold-avg', csv: ['waMean', 'waStd'], align: 'right' },
      ],
      rows: t.best.map((b) => [...proto, cell(b.group, b.group), cell(b.label, b.label), cell(String(b.ua.n), b.ua.n), summaryCell(b.ua), summaryCell(b.wa)]),
      notes: [],
    });
    tables.push({
      id: 'recall',
      title: 'Per-class recall (%, mean ± sd over ok cells)',
      columns: [
        ...protocolColumns,
        { header: 'Point', csv: ['point'], align: 'left' },
        { header: 'n', csv: ['n'], align: 'right' },
        ...t.classes.map((c) => ({ header: c, csv: [`recall.${c}.mean`, `recall.${c}.std`], align: 'right' as const })),
      ],
      rows: t.points.map((p) => [
        ...proto,
        cell(p.label, p.label),
        cell(String(p.cells.ok), p.cells.ok),
        ...t.classes.map((c) => summaryCell(p.perClassRecall[c] ?? { mean: null, std: null, n: 0 })),
      ]),
      notes: [],
    });
    const levelPct = `${Math.round(sig.level * 1000) / 10}%`;
    const m = sig.rows.filter((r) => r.p !== null).length;
    tables.push({
      id: 'significance',
      title: sig.baseline ? `Significance against the baseline ${sig.baseline.label} (test UA, paired)` : 'Significance (no baseline)',
      columns: [
        ...protocolColumns,
        { header: 'Point', csv: ['point'], align: 'left' },
        { header: 'baseline', csv: ['baseline'], align: 'left', csvOnly: true },
        { header: 'pairs', csv: ['pairs'], align: 'right' },
        { header: 'ΔUA (pp)', csv: ['meanDifference'], align: 'right' },
        { header: `${levelPct} CI (bootstrap)`, csv: ['ciLow', 'ciHigh'], align: 'right' },
        { header: `${levelPct} CI (Bonferroni)`, csv: ['ciSimultaneousLow', 'ciSimultaneousHigh'], align: 'right' },
        { header: 'W', csv: ['W'], align: 'right' },
        { header: 'p (Wilcoxon)', csv: ['p'], align: 'right' },
        { header: 'test', csv: ['test'], align: 'left' },
        { header: 'p (Holm)', csv: ['pHolm'], align: 'right' },
        { header: 'MDD (pp)', csv: ['mdd'], align: 'right' },
      ],
      rows: sig.rows.map((r) => [
        ...proto,
        cell(r.label, r.label),
        cell(sig.baseline?.label ?? '', sig.baseline?.label ?? null),
        cell(String(r.pairs), r.pairs),
        cell(signedPct(r.meanDifference), r.meanDifference),
        cell(ci(r.ci), r.ci?.[0] ?? null, r.ci?.[1] ?? null),
        cell(ci(r.ciSimultaneous), r.ciSimultaneous?.[0] ?? null, r.ciSimultaneous?.[1] ?? null),
        cell(r.wilcoxon ? String(r.wilcoxon.statistic) : MISSING, r.wilcoxon?.statistic ?? null),
        cell(formatP(r.p), r.p),
        cell(r.wilcoxon ? testName(r.wilcoxon.method) : MISSING, r.wilcoxon ? testName(r.wilcoxon.method) : null),
        cell(formatP(r.pHolm), r.pHolm),
        cell(pct(r.mdd), r.mdd),
      ]),
      notes:
        sig.baseline && m === 0
          ? [`Baseline: ${sig.baseline.label} (${sig.baseline.rule}). No other point shares an ok (fold, seed) with it: nothing to test.`]
          : sig.baseline
            ? [
                `Baseline: ${sig.baseline.label} (${sig.baseline.rule}). Pairs: the same (fold, seed) with both cells ok. ΔUA = point - baseline, in percentage points.`,
                `CI: percentile bootstrap of the mean difference, ${sig.resamples} resamples, seed ${sig.seed}; Bonferroni CI at level 1 - ${(1 - sig.level).toFixed(2)}/${m}, simultaneous over the ${m} comparisons.`,
                'p (Wilcoxon): two-sided signed-rank, zeros dropped; exact for n ≤ 25 without ties, else normal approximation with tie and continuity correction.',
                `p (Holm): Holm-Bonferroni over the ${m} comparisons in this protocol.`,
                `MDD: minimum detectable difference, the smallest true ΔUA a two-sided paired test at ${levelPct} confidence detects with 80% power given the spread of that row's differences ((t_{1-α/2,n-1} + t_{0.8,n-1}) · sd / √n); a smaller |ΔUA| with a large p is "not detectable here", not "no effect". More folds or seeds shrink it.`,
                ...sig.notes,
              ]
            : sig.notes,
    });
    return { header: `Protocol: ${t.title}`, tables, notes: [`experiments: ${t.experiments.join(', ')}`] };
  });
  return { title: report.title, warnings: report.warnings, sections };
}

function testName(method: 'exact' | 'normal' | 'none'): string {
  return method === 'exact' ? 'exact' : method === 'normal' ? 'normal approx.' : 'all zero';
}

/** The table of a comparison (B - A), one section per protocol. */
export function comparisonDisplay(c: Comparison): Display {
  const { a, b } = c.labels;
  const levelPct = `${Math.round(c.level * 1000) / 10}%`;
  const sections: DisplaySection[] = c.protocols.map((pc) => {
    const proto = [
      cell(pc.protocol.dataset, pc.protocol.dataset),
      cell(pc.protocol.classMap, pc.protocol.classMap),
      cell(pc.protocol.protocol, pc.protocol.protocol),
    ];
    const m = pc.rows.filter((r) => r.p !== null).length;
    const notes = [
      `Matched: the same point, fold and seed, ok in both ${a} and ${b}; UA ${a} / UA ${b}: mean ± sd over the matched pairs; Δ = ${b} - ${a} in percentage points.`,
      `CI: percentile bootstrap of the mean difference (${c.resamples} resamples, seed ${c.seed}); p (Wilcoxon): two-sided signed-rank; p (Holm): Holm-Bonferroni over the ${m} comparisons.`,
    ];
    if (pc.onlyA.length) notes.push(`Only in ${a} (${pc.onlyA.length}): ${pc.onlyA.join('; ')}`);
    if (pc.onlyB.length) notes.push(`Only in ${b} (${pc.onlyB.length}): ${pc.onlyB.join('; ')}`);
    return {
      header: `Protocol: ${pc.title}`,
      notes: [],
      tables: [
        {
          id: 'comparison',
          title: `${b} vs ${a}: test UA (%), paired`,
          columns: [
            ...protocolColumns,
            { header: 'Point', csv: ['point'], align: 'left' },
            { header: 'pairs', csv: ['pairs'], align: 'right' },
            { header: `UA ${a}`, csv: ['uaAMean', 'uaAStd'], align: 'right' },
            { header: `UA ${b}`, csv: ['uaBMean', 'uaBStd'], align: 'right' },
            { header: `Δ ${b} - ${a} (pp)`, csv: ['meanDifference'], align: 'right' },
            { header: `${levelPct} CI (bootstrap)`, csv: ['ciLow', 'ciHigh'], align: 'right' },
            { header: 'p (Wilcoxon)', csv: ['p'], align: 'right' },
            { header: 'p (Holm)', csv: ['pHolm'], align: 'right' },
          ],
          rows: pc.rows.map((r) => [
            ...proto,
            cell(r.label, r.label),
            cell(String(r.pairs), r.pairs),
            summaryCell(r.a),
            summaryCell(r.b),
            cell(signedPct(r.meanDifference), r.meanDifference),
            cell(ci(r.ci), r.ci?.[0] ?? null, r.ci?.[1] ?? null),
            cell(formatP(r.p), r.p),
            cell(formatP(r.pHolm), r.pHolm),
          ]),
          notes,
        },
      ],
    };
  });
  return { title: c.title, warnings: c.warnings, sections };
}
