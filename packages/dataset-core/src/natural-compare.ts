const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Orders strings with embedded numbers by value ('Session2' < 'Session10'), ties broken by code units. */
export function naturalCompare(a: string, b: string): number {
  const c = collator.compare(a, b);
  if (c !== 0) return c;
  return a < b ? -1 : a > b ? 1 : 0;
}
