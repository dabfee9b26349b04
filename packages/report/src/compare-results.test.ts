import { describe, expect, it } from 'vitest';
import { compareResults } from './compare-results.js';
import { handRows, makeCell } from './test-rows.js';

describe('compareResults', () => {
  it('matches point, fold and seed and tests B - A', () => {
    const a = handRows();
    const b = handRows();
    // B: softmax cells improve by .01, .02, .03, .04 (in cell order); center unchanged
    let k = 0;
    for (const c of b.cells) if (c.lossId === 'softmax') c.ua = c.ua! + 0.01 * ++k;
    b.cells.push(makeCell({ cellId: 'only-b', lossId: 'island', params: { 'loss.lambda': 1 }, ua: 0.5 }));
    const cmp = compareResults(a, b, { bootstrap: { resamples: 1000 } });
    expect(cmp.labels).toEqual({ a: 'A', b: 'B' });
    const p = cmp.protocols[0];
    const soft = p.rows.find((r) => r.label === 'softmax')!;
    expect(soft.pairs).toBe(4);
    expect(soft.meanDifference).toBeCloseTo(0.025, 12);
    expect(soft.b.mean! - soft.a.mean!).toBeCloseTo(0.025, 12);
    // all four differences positive, distinct: exact p = 2 / 2^4
    expect(soft.wilcoxon?.method).toBe('exact');
    expect(soft.p).toBe(0.125);
    const center = p.rows.find((r) => r.label === 'center loss.alpha=0.5 loss.lambda=0.01')!;
    expect(center.meanDifference).toBe(0);
    expect(center.p).toBe(1); // every difference zero
    expect(p.onlyB).toEqual(['island loss.lambda=1']);
    expect(p.onlyA).toEqual([]);
  });

  it('warns about a protocol present on one side only', () => {
    const a = handRows();
    const b = handRows();
    b.cells.push(makeCell({ cellId: 'z', dataset: 'iemocap', ua: 0.5 }));
    const cmp = compareResults(a, b, { labels: { a: 'old', b: 'new' }, bootstrap: { resamples: 10 } });
    expect(cmp.warnings.join('\n')).toMatch(/dataset=iemocap.*only in new/);
    expect(cmp.protocols).toHaveLength(1);
  });
});
