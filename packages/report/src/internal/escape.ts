const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]);
}

/**
 * JSON for inside a <script> element: '<', '>' and '&' as \u escapes, so '</script>' or '<!--'
 * in a label cannot end the element; U+2028/2029 escaped for old JS parsers. JSON.parse undoes it.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const LATEX: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '±': '$\\pm$',
  Δ: '$\\Delta$',
  '≤': '$\\leq$',
  '×': '$\\times$',
  '−': '-',
  '–': '--',
};

/** Text for LaTeX (text mode): specials escaped, the few symbols the tables use as math. */
export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^<>±Δ≤×−–]/g, (c) => LATEX[c]);
}

/** A Markdown table cell: pipes, backslashes and emphasis marks escaped, HTML made inert, one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}
