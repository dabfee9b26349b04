import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build-report.js';
import { renderHtml } from './render-html.js';
import { EVIL_LABEL, syntheticRows } from './test-rows.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');
const EVIL_EXPERIMENT = 'demo</script><script>alert(2)</script>';

const rows = syntheticRows({ experiment: EVIL_EXPERIMENT });
const report = buildReport(rows, { bootstrap: { resamples: 2000 } });
const html = renderHtml(report, rows, { umap: { seed: 0, nNeighbors: 10, nEpochs: 60 } });

describe('renderHtml (static checks)', () => {
  it('escapes every result string: no raw label, no early </script>', () => {
    expect(html).not.toContain(EVIL_LABEL);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script>alert(2)');
    // three script elements: plotly, the figure JSON, the loader; no fourth opened by a label
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    const json = html.slice(html.indexOf('id="ser-report-figures">'), html.lastIndexOf('<script>'));
    expect(json).toContain('\\u003c');
  });

  it('inlines plotly so the page needs no network, or links a bundle beside it', () => {
    expect(html.length).toBeGreaterThan(3_000_000);
    expect(html).not.toMatch(/<script[^>]+src=/);
    const linked = renderHtml(report, rows, { plotly: { src: 'plotly.min.js' }, umap: false });
    expect(linked).toContain('<script src="plotly.min.js"></script>');
    expect(linked.length).toBeLessThan(1_000_000);
  });

  it('marks diverged and failed grid points and lays out the tables per protocol', () => {
    expect(html).toContain('"text":"diverged"');
    expect(html).toContain('"text":"failed"');
    expect(html).toContain('Protocol: dataset=emodb, classMap=4-class');
    expect(html).toContain('Protocol: dataset=emodb, classMap=binary');
    expect(html).toContain('Warning: 2 different protocols');
    expect(html).toContain('p (Holm)');
  });

  it('draws one heatmap pair per setting of the other params, so points never share a grid cell', () => {
    const r = syntheticRows();
    const extra = r.cells.filter((c) => c.lossId === 'center').map((c) => ({ ...c, cellId: `${c.cellId}-lr`, params: { ...c.params, 'trainer.lr': 0.01 } }));
    r.cells.push(...extra);
    const page = renderHtml(buildReport(r, { bootstrap: { resamples: 10 } }), r, { plotly: { src: 'p.js' }, umap: false });
    expect(page).toContain('center: mean UA (%) over lambda x alpha');
    expect(page).toContain('center trainer.lr=0.01: mean UA (%) over lambda x alpha');
  });
});

describe.skipIf(!HAS_CHROMIUM)(
  `renderHtml in headless Chromium${HAS_CHROMIUM ? '' : ` (SKIPPED: no ${CHROMIUM}; install it with apt-get install -y chromium)`}`,
  () => {
    it('opens without errors, draws every plot and shows the injected label as text', async () => {
      const { chromium } = await import('playwright-core');
      mkdirSync(OUT_DIR, { recursive: true });
      const file = join(OUT_DIR, 'report.html');
      writeFileSync(file, html);
      const userDataDir = mkdtempSync(join(tmpdir(), 'ser-report-chromium-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        viewport: { width: 1400, height: 900 },
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const errors: string[] = [];
        const dialogs: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        const expected = await page.locator('div.plot').count();
        expect(expected).toBeGreaterThanOrEqual(18);
        await page.waitForFunction((n) => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n, expected, { timeout: 60_000 });
        const drawn = await page.evaluate(
          () =>
            Array.from(document.querySelectorAll('.js-plotly-plot')).filter(
              (el) => ((el as unknown as { data?: unknown[] }).data ?? []).length > 0 && el.querySelector('.main-svg'),
            ).length,
        );
        expect(drawn).toBe(expected);
        // the label is text in the tables and in the plots' SVG, never an element
        expect(await page.locator('img').count()).toBe(0);
        expect(await page.evaluate(() => document.body.innerText)).toContain(EVIL_LABEL);
        const svgTexts = await page.evaluate(() => Array.from(document.querySelectorAll('svg text')).map((t) => t.textContent ?? ''));
        expect(svgTexts.some((s) => s.includes(EVIL_LABEL))).toBe(true);
        expect(await page.title()).toContain(EVIL_EXPERIMENT);
        await page.screenshot({ path: join(OUT_DIR, 'report-top.png') });
        await page.screenshot({ path: join(OUT_DIR, 'report.png'), fullPage: true });
        expect(dialogs).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      }
    });
  },
);
