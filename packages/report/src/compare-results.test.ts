import { describe, expect, it } from 'vitest';
import { compareResults } from './compare-results.js';
import { handRows, makeCell } from './test-rows.js';

describe('compareResults', () => {
  describe('matches point, fold and seed and tests B - A', () => {
    // B: softmax cells improve by .01, .02, .03, .04 (in cell order); center unchanged; island only in B
    const compare = () => {
      const a = handRows();
      const b = handRows();
      let k = 0;
      for (const c of b.cells) if (c.lossId === 'softmax') c.ua = c.ua! + 0.01 * ++k;
      b.cells.push(makeCell({ cellId: 'only-b', lossId: 'island', params: { 'loss.lambda': 1 }, ua: 0.5 }));
      return compareResults(a, b, { bootstrap: { resamples: 1000 } });
    };
    const row = (label: string) => compare().protocols[0].rows.find((r) => r.label === label)!;

    it('labels the sides A and B by default', () => {
      expect(compare().labels).toEqual({ a: 'A', b: 'B' });
    });

    it('pairs the four matched softmax cells; the mean difference is B - A', () => {
      const soft = row('softmax');
      expect(soft.pairs).toBe(4);
      expect(soft.meanDifference).toBeCloseTo(0.025, 12);
      expect(soft.b.mean! - soft.a.mean!).toBeCloseTo(0.025, 12);
    });

    it('four positive distinct differences: the exact Wilcoxon p = 2 / 2^4', () => {
      const soft = row('softmax');
      expect(soft.wilcoxon?.method).toBe('exact');
      expect(soft.p).toBe(0.125);
    });

    it('an unchanged point: difference 0 and p = 1 (every difference zero)', () => {
      const center = row('center loss.alpha=0.5 loss.lambda=0.01');
      expect(center.meanDifference).toBe(0);
      expect(center.p).toBe(1);
    });

    it('lists the points present on one side only', () => {
      const p = compare().protocols[0];
      expect(p.onlyB).toEqual(['island loss.lambda=1']);
      expect(p.onlyA).toEqual([]);
    });
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
