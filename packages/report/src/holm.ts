/**
 * Holm-Bonferroni adjusted p values, in input order: with p sorted ascending p(1..m),
 * adj(i) = max over j <= i of min(1, (m - j + 1) p(j)). Nulls (no test) stay null and do not count in m.
 */
export function holmAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const tested = pValues
    .map((p, i) => ({ p, i }))
    .filter((x): x is { p: number; i: number } => typeof x.p === 'number' && Number.isFinite(x.p))
    .sort((a, b) => a.p - b.p || a.i - b.i);
  const m = tested.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  tested.forEach(({ p, i }, j) => {
    running = Math.max(running, Math.min(1, (m - j) * p));
    out[i] = running;
  });
  return out;
}
