import { describe, expect, it } from 'vitest';
import { buildReport, uaWa } from './build-report.js';
import { handRows, makeCell } from './test-rows.js';

const close = (x: number | null | undefined, y: number) => expect(x).toBeCloseTo(y, 12);

describe('buildReport tables', () => {
  const report = buildReport(handRows(), { bootstrap: { resamples: 2000 } });
  const t = report.tables[0];
  const point = (label: string) => t.points.find((p) => p.label === label)!;

  it('groups cells by point and gives mean, sample std and n of fold-averaged UA / WA', () => {
    expect(report.tables).toHaveLength(1);
    expect(report.warnings).toEqual([]);
    expect(t.points.map((p) => p.label)).toEqual(['center loss.alpha=0.5 loss.lambda=0.01', 'center loss.alpha=0.5 loss.lambda=0.1', 'softmax']);
    const soft = point('softmax');
    expect(soft.cells).toMatchObject({ total: 4, ok: 4, diverged: 0, failed: 0 });
    close(soft.ua.mean, 0.65); // (.50 + .70 + .75 + .65) / 4
    close(soft.ua.std, Math.sqrt((0.15 ** 2 + 0.05 ** 2 + 0.1 ** 2 + 0) / 3));
    expect(soft.ua.n).toBe(4);
    close(soft.wa.mean, (2 / 4 + 4 / 7 + 3 / 4 + 5 / 7) / 4);
    const center = point('center loss.alpha=0.5 loss.lambda=0.01');
    close(center.ua.mean, 0.85); // (.75 + .90 + 1.0 + .75) / 4
    close(center.ua.std, Math.sqrt((0.1 ** 2 + 0.05 ** 2 + 0.15 ** 2 + 0.1 ** 2) / 3));
  });

  it('counts diverged and failed cells separately and keeps them out of the means', () => {
    const big = point('center loss.alpha=0.5 loss.lambda=0.1');
    expect(big.cells).toMatchObject({ total: 4, ok: 2, diverged: 1, failed: 1 });
    close(big.ua.mean, 0.7); // (.60 + .80) / 2: the diverged cell's .30 is not in it
    close(big.ua.std, Math.sqrt(0.02));
    expect(big.ua.n).toBe(2);
    expect(t.excluded).toEqual({ diverged: 1, failed: 1 });
    expect(big.pooledUa.n).toBe(0); // no predictions for this point
  });

  it("pools all folds' test predictions per seed, separately from the fold average", () => {
    const soft = point('softmax');
    // seed 0: angry 3/7, sad 3/4 -> UA 33/56, WA 6/11; seed 1: angry 6/7, sad 2/4 -> UA 19/28, WA 8/11
    close(soft.pooledUa.mean, (33 / 56 + 19 / 28) / 2);
    close(soft.pooledUa.std, Math.abs(33 / 56 - 19 / 28) / Math.SQRT2);
    close(soft.pooledWa.mean, 7 / 11);
    expect(soft.pooledUa.n).toBe(2);
    expect(soft.pooledUa.mean).not.toBeCloseTo(soft.ua.mean!, 3);
    const center = point('center loss.alpha=0.5 loss.lambda=0.01');
    // seed 0: angry 5/7, sad 4/4 -> 6/7; seed 1: angry 7/7, sad 3/4 -> 7/8
    close(center.pooledUa.mean, (6 / 7 + 7 / 8) / 2);
    close(center.pooledWa.mean, (9 / 11 + 10 / 11) / 2);
  });

  it('averages per-class recall over ok cells', () => {
    const soft = point('softmax');
    close(soft.perClassRecall.angry.mean, (0.5 + 0.4 + 1 + 0.8) / 4);
    close(soft.perClassRecall.sad.mean, (0.5 + 1 + 0.5 + 0.5) / 4);
    expect(t.classes).toEqual(['angry', 'sad']);
  });

  it('picks the best point per loss id by mean UA', () => {
    expect(t.best.map((b) => [b.group, b.label])).toEqual([
      ['center', 'center loss.alpha=0.5 loss.lambda=0.01'],
      ['softmax', 'softmax'],
    ]);
    const byAlpha = buildReport(handRows(), { bestBy: 'loss.alpha', bootstrap: { resamples: 10 } }).tables[0].best;
    expect(byAlpha.map((b) => [b.group, b.label])).toEqual([
      ['-', 'softmax'],
      ['0.5', 'center loss.alpha=0.5 loss.lambda=0.01'],
    ]);
  });

  describe('tests every point against the softmax baseline over matched (fold, seed) pairs, with Holm', () => {
    const row = (label: string) => report.significance[0].rows.find((r) => r.label === label)!;

    it('picks softmax as the baseline and says by which rule', () => {
      const sig = report.significance[0];
      expect(sig.baseline?.label).toBe('softmax');
      expect(sig.baseline?.rule).toMatch(/softmax/);
      expect(point('softmax').baseline).toBe(true);
    });

    it('pairs all four cells of a point; tied differences take the normal approximation; the CI spans the differences', () => {
      const center = row('center loss.alpha=0.5 loss.lambda=0.01');
      expect(center.pairs).toBe(4);
      close(center.meanDifference, 0.2); // .25, .20, .25, .10
      // all four differences positive, but .25 ties with .25: normal approximation, not exact 0.125
      expect(center.wilcoxon?.method).toBe('normal');
      expect(center.ci![0]).toBeGreaterThanOrEqual(0.1);
      expect(center.ci![1]).toBeLessThanOrEqual(0.25);
    });

    it('leaves out the cells without a pair (the diverged and the failed one)', () => {
      const big = row('center loss.alpha=0.5 loss.lambda=0.1');
      expect(big.pairs).toBe(2); // f1 s0 and f2 s1 only
      close(big.meanDifference, (0.6 - 0.5 + 0.8 - 0.65) / 2);
    });

    it('adjusts with Holm over m = 2: the smaller p doubled, the larger one max(own, first adjusted)', () => {
      const sig = report.significance[0];
      const sorted = sig.rows.map((r) => r.p!).sort((a, b) => a - b);
      const holm = sig.rows.map((r) => r.pHolm!);
      expect(Math.min(...holm)).toBeCloseTo(Math.min(1, 2 * sorted[0]), 12);
      expect(Math.max(...holm)).toBeCloseTo(Math.max(Math.min(1, 2 * sorted[0]), sorted[1]), 12);
    });
  });

  it('takes the baseline from a params filter, and refuses an ambiguous one', () => {
    const r = buildReport(handRows(), { baseline: { 'loss.lambda': 0.1 }, bootstrap: { resamples: 10 } });
    expect(r.significance[0].baseline?.label).toBe('center loss.alpha=0.5 loss.lambda=0.1');
    expect(() => buildReport(handRows(), { baseline: { lossId: 'center' } })).toThrow(/matches 2 points.*add params/);
  });

  it('reports protocols separately with a warning, never mixing them', () => {
    const rows = handRows();
    rows.cells.push(makeCell({ cellId: 'x', classMap: 'binary', lossId: 'softmax', params: { 'loss.id': 'softmax' }, ua: 0.9, wa: 0.9 }));
    const r = buildReport(rows, { bootstrap: { resamples: 10 } });
    expect(r.tables.map((x) => x.protocol.classMap)).toEqual(['4-class', 'binary']);
    expect(r.warnings.join('\n')).toMatch(/2 different protocols/);
    expect(r.tables[0].points.find((p) => p.label === 'softmax')!.ua.n).toBe(4);
  });

  it('keeps one row per (point, fold, seed), preferring ok, and warns', () => {
    const rows = handRows();
    rows.cells.push(makeCell({ cellId: 'dup', lossId: 'softmax', params: { 'loss.id': 'softmax' }, fold: 'f1', seed: 0, status: 'failed' }));
    const r = buildReport(rows, { bootstrap: { resamples: 10 } });
    expect(r.warnings.join('\n')).toMatch(/1 duplicate/);
    const soft = r.tables[0].points.find((p) => p.label === 'softmax')!;
    expect(soft.cells).toMatchObject({ ok: 4, failed: 0, duplicates: 1 });
  });

  it('throws REPORT_EMPTY without cells', () => {
    expect(() => buildReport({ cells: [] })).toThrow(/no cells/);
  });
});

describe('uaWa', () => {
  it('is the mean recall over classes with support, and accuracy', () => {
    const r = uaWa([
      { label: 'a', prediction: 'a' },
      { label: 'a', prediction: 'b' },
      { label: 'a', prediction: 'a' },
      { label: 'b', prediction: 'b' },
    ])!;
    close(r.ua, (2 / 3 + 1) / 2);
    close(r.wa, 3 / 4);
  });
});
