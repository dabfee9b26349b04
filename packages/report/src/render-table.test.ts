import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { compareResults } from './compare-results.js';
import { renderTable } from './render-table.js';
import { handRows, makeCell } from './test-rows.js';

const report = buildReport(handRows(), { bootstrap: { resamples: 500 } });

describe('renderTable', () => {
  it('text: aligned columns, percent figures with n, notes on exclusions and pooling', () => {
    const text = renderTable(report, 'text');
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('Point') && l.includes('UA fold-avg'));
    expect(header).toBeGreaterThan(0);
    const col = lines[header].indexOf('UA fold-avg') + 'UA fold-avg'.length; // right-aligned: values end here
    const soft = lines.find((l) => l.startsWith('softmax (baseline)'))!;
    expect(soft.slice(0, col).endsWith('65.00 ± 10.80')).toBe(true);
    expect(text).toContain('excluded from every mean');
    expect(text).toContain('1 diverged (div.) and 1 failed (fail.)');
    expect(text).toMatch(/UA pooled/);
    expect(text).toContain('p (Holm)');
    expect(text).toContain('== Protocol: dataset=emodb, classMap=4-class, protocol=leave-one-speaker-out ==');
    // the dashed rule under the header is as wide as each column
    const widths = lines[header + 1].split('  ').map((s) => s.length);
    expect(widths.every((w) => w > 0)).toBe(true);
  });

  it('md: pipe tables, with label characters escaped', () => {
    const rows = handRows();
    for (const c of rows.cells) if (c.lossId === 'softmax') c.lossId = 'soft|max_<b>';
    const md = renderTable(buildReport(rows, { baseline: { 'loss.id': 'softmax' }, bootstrap: { resamples: 10 } }), 'md');
    expect(md).toContain('soft\\|max\\_&lt;b&gt;');
    expect(md).not.toContain('<b>');
    expect(md).toMatch(/^\| Point \| n \| div\. \| fail\. \| UA fold-avg/m);
    expect(md).toMatch(/^\|:---\|---:\|/m);
  });

  it('csv: raw fractions with protocol columns, one tidy block per table kind', () => {
    const csv = renderTable(report, 'csv', { table: 'points' });
    const [head, ...rows] = csv.trim().split('\n');
    const cols = head.split(',');
    expect(cols.slice(0, 4)).toEqual(['dataset', 'classMap', 'protocol', 'point']);
    const soft = rows.find((r) => r.includes(',softmax,'))!;
    const fields = Object.fromEntries(cols.map((c, i) => [c, soft.split(',')[i]]));
    expect(Number(fields.uaMean)).toBeCloseTo(0.65, 12);
    expect(Number(fields.n)).toBe(4);
    expect(fields.baseline).toBe('true');
    // params JSON holds commas and quotes: quoted per RFC 4180
    expect(csv).toContain('"{""loss.alpha"":0.5,""loss.lambda"":0.01}"');
    const all = renderTable(report, 'csv');
    expect(all.match(/^# (\w+)$/gm)).toEqual(['# points', '# best', '# recall', '# significance']);
  });

  it('tex: booktabs rules and escaped specials', () => {
    const rows = handRows();
    for (const c of rows.cells) c.dataset = 'emo_db & 100%';
    const tex = renderTable(buildReport(rows, { bootstrap: { resamples: 10 } }), 'tex');
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\midrule');
    expect(tex).toContain('\\bottomrule');
    expect(tex).toContain('emo\\_db \\& 100\\%');
    expect(tex).toContain('65.00 $\\pm$ 10.80');
    expect(tex).not.toMatch(/[^\\]_db/);
    // every row ends with \\ and has as many & as the header
    const table = tex.slice(tex.indexOf('\\toprule'), tex.indexOf('\\bottomrule'));
    const amps = table
      .split('\n')
      .filter((l) => l.endsWith('\\\\'))
      .map((l) => (l.match(/(?<!\\)&/g) ?? []).length);
    expect(new Set(amps).size).toBe(1);
  });

  it('warns once when protocols differ and prints a header per protocol', () => {
    const rows = handRows();
    rows.cells.push(makeCell({ cellId: 'x', classMap: 'binary', ua: 0.9, wa: 0.9 }));
    const text = renderTable(buildReport(rows, { bootstrap: { resamples: 10 } }), 'text');
    expect(text.match(/Warning: 2 different protocols/g)).toHaveLength(1);
    expect(text.match(/^== Protocol: /gm)).toHaveLength(2);
  });

  it('renders a comparison labelled with the two result sets', () => {
    const a = handRows();
    const b = handRows();
    for (const c of b.cells) if (c.ua !== null) c.ua = Math.min(1, c.ua + 0.01);
    const cmp = compareResults(a, b, { labels: { a: 'main', b: 'branch' }, bootstrap: { resamples: 200 } });
    const text = renderTable(cmp, 'text');
    expect(text).toContain('UA main');
    expect(text).toContain('Δ branch - main (pp)');
    expect(renderTable(cmp, 'tex')).toContain('$\\Delta$ branch - main (pp)');
  });
});
