// Plotly figure specs (plain JSON) for the HTML report. Every string that comes from the results
// (labels, class names, fold names, param values) goes through `t()`: plotly renders a subset of
// HTML in its text and decodes entities, so escaped text shows as the characters it names.
import { Rng } from '@ser/core';
import type { PointSummary, ProtocolTables } from '../build-report.js';
import { pcaProject, umapProject, type Projection2d } from '../projection.js';
import type { CellRow, EmbeddingRow, EpochRow, ParamValue } from '../rows.js';
import { escapeHtml } from './escape.js';
import { compareParam, formatParam } from './points.js';

export interface FigureSpec {
  id: string;
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** A group of figures under one heading; `size` picks the grid column width. */
export interface FigureGroup {
  heading: string;
  note?: string;
  size: 'wide' | 'small';
  figures: FigureSpec[];
}

export interface FigureOptions {
  umap: false | { seed: number; nNeighbors: number; nEpochs?: number };
  maxEmbeddingPoints: number;
  seed: number;
}

const t = (s: string) => escapeHtml(s);
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

let counter = 0;
function nextId(): string {
  counter += 1;
  return `fig-${counter}`;
}

function baseLayout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, font: { size: 13 }, x: 0.02, xanchor: 'left' },
    margin: { l: 60, r: 20, t: 40, b: 50 },
    font: { size: 11 },
    paper_bgcolor: '#fff',
    plot_bgcolor: '#fff',
    ...extra,
  };
}

/** The protocol's figures, grouped: heatmaps, learning curves, confusion, feature space, projections. */
export function protocolFigures(
  table: ProtocolTables,
  cellsById: Map<string, CellRow>,
  epochsByCell: Map<string, EpochRow[]>,
  embeddingsByCell: Map<string, EmbeddingRow[]>,
  options: FigureOptions,
): FigureGroup[] {
  const groups: FigureGroup[] = [];
  const heat = heatmaps(table);
  if (heat.length) {
    groups.push({
      heading: 'Mean UA and WA over lambda x alpha',
      note: 'Mean over ok cells (%); n = ok cells. Grey hatched cells: every cell of the point diverged or failed.',
      size: 'wide',
      figures: heat,
    });
  }
  const curves = learningCurves(table, epochsByCell);
  if (curves.length) {
    groups.push({ heading: 'Learning curves', note: 'Per point, mean over its ok cells at each epoch.', size: 'wide', figures: curves });
  }
  const baseline = table.points.find((p) => p.baseline) ?? null;
  const best = bestNonBaseline(table);
  const pair = [baseline, best].filter((p): p is PointSummary => p !== null);
  const conf = pair.flatMap((p) => confusions(p, table.classes, cellsById, p === baseline ? 'baseline' : 'best'));
  if (conf.length) {
    groups.push({
      heading: 'Confusion matrices (best point and baseline)',
      note: 'Rows: true class, columns: predicted; colour: row-normalised recall (%), text: counts summed over seeds (per fold) or over all cells (pooled).',
      size: 'small',
      figures: conf,
    });
  }
  const feat = featureStats(pair, baseline, epochsByCell);
  if (feat.length) {
    groups.push({
      heading: 'Feature space per epoch: softmax-only vs center loss',
      note: 'Intra-class distance (mean distance to the class center), inter-center distance, their ratio, and center drift; mean over ok cells.',
      size: 'wide',
      figures: feat,
    });
  }
  const proj = projections(baseline, best, embeddingsByCell, options);
  if (proj.figures.length) {
    groups.push({ heading: '2-D projections of the test embeddings', note: proj.note, size: 'wide', figures: proj.figures });
  }
  return groups;
}

function bestNonBaseline(table: ProtocolTables): PointSummary | null {
  const candidates = table.points.filter((p) => !p.baseline && p.ua.mean !== null);
  if (!candidates.length) return null;
  return [...candidates].sort((a, b) => b.ua.mean! - a.ua.mean! || b.ua.n - a.ua.n)[0];
}

function heatmaps(table: ProtocolTables): FigureSpec[] {
  const out: FigureSpec[] = [];
  // one heatmap pair per loss id and per setting of the other params (e.g. a zipped learning rate),
  // so no two points ever share a grid cell
  const restKey = (p: PointSummary) => {
    const rest = Object.keys(p.params)
      .filter((k) => k !== 'loss.lambda' && k !== 'loss.alpha' && k !== 'loss.id')
      .sort()
      .map((k) => `${k}=${formatParam(p.params[k])}`);
    return [p.lossId, p.modelId, ...rest];
  };
  const grids = new Map<string, { title: string; points: PointSummary[] }>();
  for (const p of table.points) {
    if (!('loss.lambda' in p.params && 'loss.alpha' in p.params)) continue;
    const parts = restKey(p);
    const key = JSON.stringify(parts);
    const g = grids.get(key);
    if (g) g.points.push(p);
    else grids.set(key, { title: [parts[0], ...parts.slice(2)].join(' '), points: [p] });
  }
  for (const { title: gridTitle, points: pts } of grids.values()) {
    const values = (key: string) => {
      const vs: ParamValue[] = [];
      for (const p of pts) if (!vs.some((v) => v === p.params[key])) vs.push(p.params[key]);
      return vs.sort(compareParam);
    };
    const lambdas = values('loss.lambda');
    const alphas = values('loss.alpha');
    const xs = alphas.map((a) => t(formatParam(a)));
    const ys = lambdas.map((l) => t(formatParam(l)));
    for (const metric of ['ua', 'wa'] as const) {
      const z: (number | null)[][] = [];
      const grey: (number | null)[][] = [];
      const hover: string[][] = [];
      const annotations: Record<string, unknown>[] = [];
      const shapes: Record<string, unknown>[] = [];
      lambdas.forEach((l, i) => {
        z.push([]);
        grey.push([]);
        hover.push([]);
        alphas.forEach((a, j) => {
          const p = pts.find((q) => q.params['loss.lambda'] === l && q.params['loss.alpha'] === a);
          if (!p) {
            z[i].push(null);
            grey[i].push(null);
            hover[i].push('no cells');
            return;
          }
          const s = p[metric];
          const { diverged, failed, ok } = p.cells;
          const extra = [diverged ? `${diverged} div.` : '', failed ? `${failed} fail.` : ''].filter(Boolean).join(', ');
          if (s.mean === null) {
            const word = diverged && !failed ? 'diverged' : failed && !diverged ? 'failed' : 'diverged/failed';
            z[i].push(null);
            grey[i].push(1);
            hover[i].push(`${t(p.label)}<br>${word}: ${extra}`);
            // positions as category indices: a numeric-looking category string would be read as a coordinate
            annotations.push({ x: j, y: i, text: word, showarrow: false, font: { size: 12, color: '#222' } });
            for (const k of [-0.3, 0, 0.3]) {
              shapes.push({
                type: 'line',
                xref: 'x',
                yref: 'y',
                x0: j - 0.45 + Math.max(0, k),
                y0: i - 0.45 + Math.max(0, -k),
                x1: j + 0.45 - Math.max(0, -k),
                y1: i + 0.45 - Math.max(0, k),
                line: { color: '#888', width: 1 },
              });
            }
            return;
          }
          z[i].push(100 * s.mean);
          grey[i].push(null);
          hover[i].push(
            `${t(p.label)}<br>${metric.toUpperCase()} ${(100 * s.mean).toFixed(2)} ± ${s.std === null ? '-' : (100 * s.std).toFixed(2)} (n=${ok})${extra ? `<br>${extra}` : ''}`,
          );
          annotations.push({
            x: j,
            y: i,
            text: `${(100 * s.mean).toFixed(1)}<br>n=${ok}${extra ? `<br>${extra}` : ''}`,
            showarrow: false,
            font: { size: 11, color: '#111' },
            bgcolor: 'rgba(255,255,255,0.65)',
          });
        });
      });
      out.push({
        id: nextId(),
        data: [
          {
            type: 'heatmap',
            x: xs,
            y: ys,
            z,
            text: hover,
            hoverinfo: 'text',
            colorscale: 'Viridis',
            colorbar: { title: { text: `${metric.toUpperCase()} %` } },
            xgap: 2,
            ygap: 2,
          },
          {
            type: 'heatmap',
            x: xs,
            y: ys,
            z: grey,
            text: hover,
            hoverinfo: 'text',
            colorscale: [
              [0, '#d0d0d0'],
              [1, '#d0d0d0'],
            ],
            showscale: false,
            xgap: 2,
            ygap: 2,
          },
        ],
        layout: baseLayout(`${t(gridTitle)}: mean ${metric.toUpperCase()} (%) over lambda x alpha`, {
          xaxis: { type: 'category', title: { text: 'loss.alpha' }, automargin: true },
          yaxis: { type: 'category', title: { text: 'loss.lambda' }, automargin: true },
          annotations,
          shapes,
        }),
      });
    }
  }
  return out;
}

function meanCurve(cellIds: string[], epochsByCell: Map<string, EpochRow[]>, field: keyof EpochRow): { x: number[]; y: number[]; n: number[] } {
  const acc = new Map<number, number[]>();
  for (const id of cellIds) {
    for (const e of epochsByCell.get(id) ?? []) {
      const v = e[field];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const list = acc.get(e.epoch);
      if (list) list.push(v);
      else acc.set(e.epoch, [v]);
    }
  }
  const epochs = [...acc.keys()].sort((a, b) => a - b);
  return {
    x: epochs,
    y: epochs.map((e) => acc.get(e)!.reduce((a, b) => a + b, 0) / acc.get(e)!.length),
    n: epochs.map((e) => acc.get(e)!.length),
  };
}

function learningCurves(table: ProtocolTables, epochsByCell: Map<string, EpochRow[]>): FigureSpec[] {
  const specs: [keyof EpochRow, string, number][] = [
    ['valUa', 'Validation UA (%)', 100],
    ['trainLoss', 'Train loss', 1],
  ];
  const out: FigureSpec[] = [];
  for (const [field, title, scale] of specs) {
    const data = table.points
      .map((p, k) => {
        const c = meanCurve(
          p.okCells.map((c) => c.cellId),
          epochsByCell,
          field,
        );
        return {
          type: 'scatter',
          mode: 'lines+markers',
          name: t(p.label),
          x: c.x,
          y: c.y.map((v) => v * scale),
          text: c.n.map((n) => `n=${n}`),
          line: { color: PALETTE[k % PALETTE.length], width: p.baseline ? 3 : 1.5, dash: p.baseline ? 'dash' : 'solid' },
          marker: { size: 4 },
        };
      })
      .filter((d) => d.x.length > 0);
    if (!data.length) continue;
    out.push({
      id: nextId(),
      data,
      layout: baseLayout(title, { xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: title } }, legend: { font: { size: 10 } } }),
    });
  }
  return out;
}

function confusions(point: PointSummary, classes: string[], cellsById: Map<string, CellRow>, role: string): FigureSpec[] {
  const cells = point.okCells.map((c) => cellsById.get(c.cellId)).filter((c): c is CellRow => !!c && c.confusion.length > 0);
  if (!cells.length) return [];
  const folds = [...new Set(cells.map((c) => c.fold))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const sum = (list: CellRow[]) => {
    const m = classes.map(() => classes.map(() => 0));
    for (const c of list) {
      // map the cell's class order onto the protocol's
      const idx = c.classes.map((name) => classes.indexOf(name));
      c.confusion.forEach((row, i) => row.forEach((v, j) => idx[i] >= 0 && idx[j] >= 0 && (m[idx[i]][idx[j]] += v)));
    }
    return m;
  };
  const fig = (m: number[][], title: string): FigureSpec => {
    const z = m.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (total ? (100 * v) / total : null));
    });
    return {
      id: nextId(),
      data: [
        {
          type: 'heatmap',
          x: classes.map(t),
          y: classes.map(t),
          z,
          text: m.map((row) => row.map(String)),
          texttemplate: '%{text}',
          hovertemplate: 'true %{y}<br>predicted %{x}<br>%{z:.1f}% of the row (%{text})<extra></extra>',
          // explicit light-to-dark blues (plotly's named 'Blues' runs dark to light)
          colorscale: [
            [0, '#f7fbff'],
            [0.5, '#6baed6'],
            [1, '#08306b'],
          ],
          zmin: 0,
          zmax: 100,
          showscale: false,
        },
      ],
      layout: baseLayout(title, {
        xaxis: { type: 'category', title: { text: 'predicted', standoff: 8 }, tickangle: -30, automargin: true },
        yaxis: { type: 'category', title: { text: 'true', standoff: 8 }, autorange: 'reversed', automargin: true },
        margin: { l: 60, r: 10, t: 48, b: 40 },
      }),
    };
  };
  const head = `${role}: ${t(point.label)}`;
  return [
    fig(sum(cells), `${head}<br>pooled (${cells.length} cells)`),
    ...folds.map((f) => fig(sum(cells.filter((c) => c.fold === f)), `${head}<br>fold ${t(f)}`)),
  ];
}

function featureStats(pair: PointSummary[], baseline: PointSummary | null, epochsByCell: Map<string, EpochRow[]>): FigureSpec[] {
  if (!pair.length) return [];
  const fields: [keyof EpochRow, string][] = [
    ['intraClassDistance', 'Intra-class distance'],
    ['interCenterDistance', 'Inter-center distance'],
    ['distanceRatio', 'Ratio intra / inter'],
    ['centerDrift', 'Center drift'],
  ];
  const out: FigureSpec[] = [];
  for (const [field, title] of fields) {
    const data = pair
      .map((p) => {
        const c = meanCurve(
          p.okCells.map((c) => c.cellId),
          epochsByCell,
          field,
        );
        return {
          type: 'scatter',
          mode: 'lines+markers',
          name: t(`${p === baseline ? 'softmax-only (baseline)' : 'center loss (best)'}: ${p.label}`),
          x: c.x,
          y: c.y,
          line: { color: p === baseline ? '#7f7f7f' : '#d62728', dash: p === baseline ? 'dash' : 'solid' },
        };
      })
      .filter((d) => d.x.length > 0);
    if (!data.length) continue;
    out.push({
      id: nextId(),
      data,
      layout: baseLayout(title, { xaxis: { title: { text: 'epoch' } }, legend: { orientation: 'h', y: -0.25, font: { size: 10 } } }),
    });
  }
  return out;
}

function projections(
  baseline: PointSummary | null,
  best: PointSummary | null,
  embeddingsByCell: Map<string, EmbeddingRow[]>,
  options: FigureOptions,
): { figures: FigureSpec[]; note: string } {
  const pts = [baseline, best].filter((p): p is PointSummary => p !== null);
  if (!pts.length) return { figures: [], note: '' };
  const hasTest = (id: string) => (embeddingsByCell.get(id) ?? []).some((e) => e.split === 'test');
  // the same (fold, seed) for both, so the pictures differ only by the loss
  let chosen: { fold: string; seed: number } | null = null;
  for (const c of pts[0].okCells) {
    if (!hasTest(c.cellId)) continue;
    if (pts.length === 1 || pts[1].okCells.some((d) => d.fold === c.fold && d.seed === c.seed && hasTest(d.cellId))) {
      chosen = { fold: c.fold, seed: c.seed };
      break;
    }
  }
  if (!chosen) return { figures: [], note: '' };
  const figures: FigureSpec[] = [];
  const methods: ('PCA' | 'UMAP')[] = options.umap ? ['PCA', 'UMAP'] : ['PCA'];
  const notes: string[] = [];
  for (const method of methods) {
    for (const p of pts) {
      const cellId = p.okCells.find((c) => c.fold === chosen!.fold && c.seed === chosen!.seed)!.cellId;
      const rows = embeddingsByCell.get(cellId) ?? [];
      let test = rows.filter((e) => e.split === 'test');
      if (test.length > options.maxEmbeddingPoints) {
        test = new Rng(options.seed).shuffle([...test]).slice(0, options.maxEmbeddingPoints);
      }
      const centers = rows.filter((e) => e.split === 'center');
      let proj: Projection2d;
      try {
        proj =
          method === 'PCA'
            ? pcaProject(
                test.map((e) => e.embedding),
                centers.map((e) => e.embedding),
                { seed: options.seed },
              )
            : umapProject(
                test.map((e) => e.embedding),
                centers.map((e) => e.embedding),
                options.umap ? options.umap : {},
              );
      } catch (err) {
        notes.push(`${method} of ${p.label} skipped: ${(err as Error).message}`);
        continue;
      }
      const labels = [...new Set([...test.map((e) => e.label), ...centers.map((e) => e.label)])].sort();
      const color = (l: string) => PALETTE[labels.indexOf(l) % PALETTE.length];
      const data: Record<string, unknown>[] = labels.map((l) => {
        const idx = test.map((e, i) => (e.label === l ? i : -1)).filter((i) => i >= 0);
        return {
          type: 'scatter',
          mode: 'markers',
          name: t(l),
          legendgroup: t(l),
          x: idx.map((i) => proj.points[i][0]),
          y: idx.map((i) => proj.points[i][1]),
          text: idx.map((i) => t(test[i].utteranceId)),
          hovertemplate: '%{text}<extra>%{fullData.name}</extra>',
          marker: { size: 5, color: color(l), opacity: 0.75 },
        };
      });
      if (centers.length && proj.extra.length === centers.length) {
        data.push({
          type: 'scatter',
          mode: 'markers',
          name: 'class centers',
          x: proj.extra.map((q) => q[0]),
          y: proj.extra.map((q) => q[1]),
          text: centers.map((e) => t(e.label)),
          hovertemplate: 'center of %{text}<extra></extra>',
          marker: { size: 15, symbol: 'x', color: centers.map((e) => color(e.label)), line: { width: 2, color: '#000' } },
        });
      }
      const role = p === baseline ? 'softmax-only (baseline)' : 'center loss (best)';
      const explained = proj.explained ? ` (${(100 * proj.explained[0]).toFixed(0)}% + ${(100 * proj.explained[1]).toFixed(0)}% of variance)` : '';
      figures.push({
        id: nextId(),
        data,
        layout: baseLayout(`${method}: ${t(role)}<br>${t(p.label)}${explained}`, {
          margin: { l: 50, r: 20, t: 56, b: 40 },
          xaxis: { zeroline: false },
          yaxis: { zeroline: false },
          legend: { font: { size: 10 } },
        }),
      });
    }
  }
  const umapNote = options.umap ? `; UMAP via umap-js, seed ${options.umap.seed}, nNeighbors ${options.umap.nNeighbors}; centers fitted in the same map` : '';
  notes.unshift(
    `Test embeddings of fold ${chosen.fold}, seed ${chosen.seed} (the same cell pair for both points), at most ${options.maxEmbeddingPoints} points; X: class centers (split 'center') through the same transform. PCA by power iteration${umapNote}.`,
  );
  return { figures, note: notes.join(' ') };
}

/** Resets figure ids (each renderHtml call numbers from 1, so output is reproducible). */
export function resetFigureIds(): void {
  counter = 0;
}
