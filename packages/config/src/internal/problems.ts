// Problems found while loading a config, before they are formatted into one line each.
import type { ConfigProblem, SourceLocation } from '../types.js';
import { dotted, formatLocation, lookup, pathKey } from './source-map.js';
import type { Segments, SourceMap } from './source-map.js';

export interface Problem {
  code: ConfigProblem['code'];
  segments: Segments;
  message: string;
  source: SourceLocation;
  /** Which sweep point(s) produced it, said after the message. */
  context?: string;
}

/**
 * A problem at `segments`, located at the key or the value written there; a path with no entry of
 * its own (a default, a missing key) is located at the nearest written ancestor's key.
 */
export function problemAt(sources: SourceMap, segments: Segments, message: string, which: 'key' | 'value', code: Problem['code'] = 'CONFIG_INVALID'): Problem {
  const exact = sources.get(pathKey(segments));
  const entry = exact ?? lookup(sources, segments);
  const source: SourceLocation = entry ? (exact ? entry[which] : entry.key) : { kind: 'unknown' };
  return { code, segments, message, source, context: entry?.context };
}

/** The problem's one line: `file:line:column path: message (context)`. */
export function problemText(p: Problem): string {
  const where = dotted(p.segments);
  const sep = where !== '' ? ` ${where}: ` : p.source.kind === 'override' ? ': ' : ' ';
  return `${formatLocation(p.source)}${sep}${p.message}${p.context ? ` (${p.context})` : ''}`;
}

export function toConfigProblem(p: Problem): ConfigProblem {
  return { code: p.code, path: dotted(p.segments), message: p.context ? `${p.message} (${p.context})` : p.message, source: p.source, text: problemText(p) };
}

/** Sorted by file, line and column (command-line overrides last), duplicates removed. */
export function sortProblems(problems: Problem[]): Problem[] {
  const rank = (s: SourceLocation): [number, string, number, number] =>
    s.kind === 'file' ? [0, s.file, s.line, s.column] : s.kind === 'override' ? [1, s.text, 0, 0] : [2, '', 0, 0];
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const t = problemText(p);
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    })
    .sort((a, b) => {
      const [ra, fa, la, ca] = rank(a.source);
      const [rb, fb, lb, cb] = rank(b.source);
      return ra - rb || (fa < fb ? -1 : fa > fb ? 1 : 0) || la - lb || ca - cb;
    });
}
