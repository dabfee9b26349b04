/**
 * One CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote, CR or LF.
 * null, undefined and non-finite numbers are the empty field.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
