import { SerError, csvField } from '@ser/core';
import type { Report } from './build-report.js';
import type { Comparison } from './compare-results.js';
import { comparisonDisplay, reportDisplay, type Display, type DisplayTable } from './internal/display.js';
import { escapeLatex, escapeMarkdown } from './internal/escape.js';

/** Output formats of renderTable. */
export type TableFormat = 'text' | 'md' | 'csv' | 'tex';

/** Which tables: all (default), or one kind ('points', 'best', 'recall', 'significance', 'comparison'). */
export interface RenderTableOptions {
  table?: 'all' | 'points' | 'best' | 'recall' | 'significance' | 'comparison';
}

/**
 * Renders a report's (or a comparison's) tables: 'text' (aligned columns), 'md' (pipe tables),
 * 'csv' (raw fractions, one tidy block per table kind with the protocol as columns) or 'tex'
 * (booktabs). Each protocol gets its own header; a warning line when more than one is present.
 */
export function renderTable(report: Report | Comparison, format: TableFormat, options: RenderTableOptions = {}): string {
  const display = report.kind === 'comparison' ? comparisonDisplay(report) : reportDisplay(report);
  const which = options.table ?? 'all';
  if (which !== 'all') {
    for (const s of display.sections) s.tables = s.tables.filter((t) => t.id === which);
  }
  switch (format) {
    case 'text':
      return renderText(display);
    case 'md':
      return renderMarkdown(display);
    case 'csv':
      return renderCsv(display, which);
    case 'tex':
      return renderLatex(display);
    default:
      throw new SerError('USAGE', `renderTable: unknown format '${String(format)}'; use text, md, csv or tex`);
  }
}

function visible(t: DisplayTable): { headers: string[]; aligns: ('left' | 'right')[]; rows: string[][] } {
  const idx = t.columns.map((c, i) => (c.csvOnly ? -1 : i)).filter((i) => i >= 0);
  return {
    headers: idx.map((i) => t.columns[i].header),
    aligns: idx.map((i) => t.columns[i].align),
    rows: t.rows.map((r) => idx.map((i) => r[i].text)),
  };
}

function renderText(d: Display): string {
  const out: string[] = [d.title, '='.repeat(d.title.length)];
  for (const w of d.warnings) out.push(w);
  for (const s of d.sections) {
    out.push('', `== ${s.header} ==`);
    for (const n of s.notes) out.push(n);
    for (const t of s.tables) {
      const v = visible(t);
      const width = v.headers.map((h, i) => Math.max(h.length, ...v.rows.map((r) => r[i].length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => (v.aligns[i] === 'right' ? c.padStart(width[i]) : c.padEnd(width[i])))
          .join('  ')
          .trimEnd();
      out.push('', t.title, line(v.headers), width.map((w) => '-'.repeat(w)).join('  '));
      if (v.rows.length === 0) out.push('(no rows)');
      for (const r of v.rows) out.push(line(r));
      for (const n of t.notes) out.push(`  ${n}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function renderMarkdown(d: Display): string {
  const out: string[] = [`# ${escapeMarkdown(d.title)}`];
  for (const w of d.warnings) out.push('', `> **${escapeMarkdown(w)}**`);
  for (const s of d.sections) {
    out.push('', `## ${escapeMarkdown(s.header)}`);
    for (const n of s.notes) out.push('', escapeMarkdown(n));
    for (const t of s.tables) {
      const v = visible(t);
      out.push('', `### ${escapeMarkdown(t.title)}`, '');
      out.push(`| ${v.headers.map(escapeMarkdown).join(' | ')} |`);
      out.push(`|${v.aligns.map((a) => (a === 'right' ? '---:' : ':---')).join('|')}|`);
      for (const r of v.rows) out.push(`| ${r.map(escapeMarkdown).join(' | ')} |`);
      if (t.notes.length) out.push('', ...t.notes.map((n) => `- ${escapeMarkdown(n)}`));
    }
  }
  return `${out.join('\n')}\n`;
}

function renderCsv(d: Display, which: string): string {
  // one tidy block per table kind, all protocols in it (the protocol is columns)
  const kinds: string[] = [];
  for (const s of d.sections) for (const t of s.tables) if (!kinds.includes(t.id)) kinds.push(t.id);
  const blocks = kinds.map((kind) => {
    const tables = d.sections.flatMap((s) => s.tables.filter((t) => t.id === kind));
    // per-class columns can differ between protocols: the union of headers, empty where absent
    const headers: string[] = [];
    for (const t of tables) for (const c of t.columns) for (const h of c.csv) if (!headers.includes(h)) headers.push(h);
    const lines = [headers.map(csvField).join(',')];
    for (const t of tables) {
      const names = t.columns.flatMap((c) => c.csv);
      for (const r of t.rows) {
        const values = r.flatMap((c, i) => t.columns[i].csv.map((_, k) => c.raw[k] ?? null));
        const byName = new Map(names.map((n, i) => [n, values[i]]));
        lines.push(headers.map((h) => csvField(byName.get(h))).join(','));
      }
    }
    return which === 'all' ? [`# ${kind}`, ...lines].join('\n') : lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

function renderLatex(d: Display): string {
  const comment = (text: string) => `% ${escapeLatex(text).replace(/\r?\n/g, ' ')}`;
  const out: string[] = [comment(d.title), '% needs \\usepackage{booktabs}'];
  for (const w of d.warnings) out.push(comment(w));
  for (const s of d.sections) {
    out.push('', comment(`==== ${s.header} ====`));
    for (const t of s.tables) {
      const v = visible(t);
      out.push(
        '\\begin{table}[ht]',
        '\\centering',
        '\\small',
        `\\caption{${escapeLatex(t.title)} --- ${escapeLatex(s.header)}}`,
        `\\begin{tabular}{${v.aligns.map((a) => (a === 'right' ? 'r' : 'l')).join('')}}`,
        '\\toprule',
        `${v.headers.map(escapeLatex).join(' & ')} \\\\`,
        '\\midrule',
        ...v.rows.map((r) => `${r.map(escapeLatex).join(' & ')} \\\\`),
        '\\bottomrule',
        '\\end{tabular}',
      );
      if (t.notes.length) out.push(`\\par\\footnotesize ${t.notes.map(escapeLatex).join(' ')}`);
      out.push('\\end{table}', '');
    }
  }
  return `${out.join('\n')}\n`;
}
