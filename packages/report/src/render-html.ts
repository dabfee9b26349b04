import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SerError } from '@ser/core';
import type { Report } from './build-report.js';
import { reportDisplay, type DisplayTable } from './internal/display.js';
import { escapeHtml, jsonForScript } from './internal/escape.js';
import { protocolFigures, resetFigureIds, type FigureGroup } from './internal/figures.js';
import type { CellRow, EmbeddingRow, EpochRow, ResultRows } from './rows.js';

/** Options of renderHtml. */
export interface HtmlOptions {
  /** 'inline' (default): plotly.js inside the page (~11 MB, works offline as one file); or a script src, e.g. 'plotly.min.js' copied beside it (see plotlyBundlePath). */
  plotly?: 'inline' | { src: string };
  /** UMAP projections (umap-js, seeded); false to skip them. Default { seed: 0, nNeighbors: 15, nEpochs: 200 }. */
  umap?: false | { seed?: number; nNeighbors?: number; nEpochs?: number };
  /** Test embeddings per projection, subsampled (seeded) above this. Default 1500. */
  maxEmbeddingPoints?: number;
  /** Seed of the PCA start vector and the subsampling. Default 0. */
  seed?: number;
}

/** Absolute path of the plotly.js bundle the report uses (plotly.js-dist), for copying beside the HTML. */
export function plotlyBundlePath(): string {
  return createRequire(import.meta.url).resolve('plotly.js-dist');
}

let plotlySource: string | null = null;
function plotlyInline(): string {
  if (plotlySource === null) {
    const path = plotlyBundlePath();
    try {
      // a literal '</script' inside would end the element early; '<\/' means the same to JS
      plotlySource = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
    } catch (err) {
      throw new SerError('USAGE', `renderHtml: cannot read plotly.js at ${path}; run npm install (plotly.js-dist)`, { cause: err });
    }
  }
  return plotlySource;
}

function groupBy<T extends { cellId: string }>(rows: readonly T[] | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows ?? []) {
    const list = map.get(r.cellId);
    if (list) list.push(r);
    else map.set(r.cellId, [r]);
  }
  return map;
}

/**
 * The report as one self-contained HTML page: the tables, then per protocol the heatmaps over
 * lambda x alpha, learning curves, confusion matrices, feature-space statistics and PCA / UMAP
 * projections. Text from the results is HTML-escaped; figure data sits in a JSON script element
 * with '<' written as \u003c.
 */
export function renderHtml(report: Report, rows: ResultRows, options: HtmlOptions = {}): string {
  resetFigureIds();
  const cellsById = new Map<string, CellRow>(rows.cells.map((c) => [c.cellId, c]));
  const epochsByCell = groupBy<EpochRow>(rows.epochs);
  for (const list of epochsByCell.values()) list.sort((a, b) => a.epoch - b.epoch);
  const embeddingsByCell = groupBy<EmbeddingRow>(rows.embeddings);
  const umap =
    options.umap === false ? false : { seed: options.umap?.seed ?? 0, nNeighbors: options.umap?.nNeighbors ?? 15, nEpochs: options.umap?.nEpochs ?? 200 };
  const display = reportDisplay(report);
  const figures: { id: string; data: unknown; layout: unknown }[] = [];
  const body: string[] = [];
  body.push(`<h1>${escapeHtml(report.title)}</h1>`);
  for (const w of report.warnings) body.push(`<p class="warning">${escapeHtml(w)}</p>`);
  if (report.tables.length > 1) {
    body.push(
      `<nav><ul>${report.tables.map((t, i) => `<li><a href="#protocol-${i + 1}">${escapeHtml(display.sections[i].header)}</a></li>`).join('')}</ul></nav>`,
    );
  }
  report.tables.forEach((table, i) => {
    const section = display.sections[i];
    body.push(`<section id="protocol-${i + 1}">`, `<h2>${escapeHtml(section.header)}</h2>`);
    for (const n of section.notes) body.push(`<p class="note">${escapeHtml(n)}</p>`);
    for (const t of section.tables) body.push(htmlTable(t));
    const groups: FigureGroup[] = protocolFigures(table, cellsById, epochsByCell, embeddingsByCell, {
      umap,
      maxEmbeddingPoints: options.maxEmbeddingPoints ?? 1500,
      seed: options.seed ?? 0,
    });
    for (const g of groups) {
      body.push(`<h3>${escapeHtml(g.heading)}</h3>`);
      if (g.note) body.push(`<p class="note">${escapeHtml(g.note)}</p>`);
      body.push(`<div class="grid ${g.size}">`);
      for (const f of g.figures) {
        body.push(`<div class="plot" id="${f.id}"></div>`);
        figures.push(f);
      }
      body.push('</div>');
    }
    body.push('</section>');
  });
  const plotlyTag =
    options.plotly && options.plotly !== 'inline' ? `<script src="${escapeHtml(options.plotly.src)}"></script>` : `<script>${plotlyInline()}</script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
${plotlyTag}
</head>
<body>
${body.join('\n')}
<script type="application/json" id="ser-report-figures">${jsonForScript(figures)}</script>
<script>
(function () {
  var figures = JSON.parse(document.getElementById('ser-report-figures').textContent);
  var config = { responsive: true, displaylogo: false };
  for (var i = 0; i < figures.length; i++) {
    var f = figures[i];
    Plotly.newPlot(f.id, f.data, f.layout, config);
  }
})();
</script>
</body>
</html>
`;
}

function htmlTable(t: DisplayTable): string {
  const idx = t.columns.map((c, i) => (c.csvOnly ? -1 : i)).filter((i) => i >= 0);
  const cls = (i: number) => (t.columns[i].align === 'left' ? ' class="l"' : '');
  const head = idx.map((i) => `<th${cls(i)}>${escapeHtml(t.columns[i].header)}</th>`).join('');
  const baselineCol = t.columns.findIndex((c) => c.csv[0] === 'baseline');
  const body = t.rows
    .map((r) => {
      const isBaseline = t.id === 'points' && baselineCol >= 0 && r[baselineCol].raw[0] === true;
      return `<tr${isBaseline ? ' class="baseline"' : ''}>${idx.map((i) => `<td${cls(i)}>${escapeHtml(r[i].text)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const notes = t.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<h3>${escapeHtml(t.title)}</h3>
<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>
${body || `<tr><td class="l" colspan="${idx.length}">(no rows)</td></tr>`}
</tbody></table></div>${notes ? `<ul class="note">${notes}</ul>` : ''}`;
}

const CSS = `
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 24px auto; max-width: 1500px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 2px solid #333; padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; margin: 20px 0 6px; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; text-align: right; white-space: nowrap; border-bottom: 1px solid #e3e3e3; }
th { border-bottom: 2px solid #999; background: #f6f6f6; }
th.l, td.l { text-align: left; }
tr.baseline td { background: #eef5ff; }
.table-wrap { overflow-x: auto; }
.note { color: #555; font-size: 12px; margin: 4px 0; }
ul.note { padding-left: 18px; }
.warning { background: #fff3cd; border: 1px solid #e0c060; padding: 6px 10px; }
.grid { display: grid; gap: 12px; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
.grid.small { grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.plot { height: 380px; border: 1px solid #eee; min-width: 0; }
.grid.small .plot { height: 360px; }
`;
