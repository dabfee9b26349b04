// Command-line overrides: `key.path=value`, the value read as a YAML scalar or flow collection
// (`loss.lambda=0.01`, `sweep.seeds=[0,1]`, `loss.id=softmax`); `group=name` picks a defaults piece.
import { parse } from 'yaml';
import { DEFAULTS_GROUPS } from '../core-schema.js';
import type { SourceLocation } from '../types.js';
import type { GroupChoice } from './compose.js';
import type { Problem } from './problems.js';
import type { SourceEntry } from './source-map.js';

export interface ParsedOverrides {
  groups: Map<string, GroupChoice>;
  sets: Array<{ segments: string[]; value: unknown; entry: SourceEntry }>;
  problems: Problem[];
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Parses overrides; malformed ones become problems (reported with the config's other problems). */
export function parseOverrides(overrides: readonly string[]): ParsedOverrides {
  const out: ParsedOverrides = { groups: new Map(), sets: [], problems: [] };
  for (const text of overrides) {
    const source: SourceLocation = { kind: 'override', text };
    const bad = (message: string): void => {
      out.problems.push({ code: 'CONFIG_INVALID', segments: [], message, source });
    };
    const eq = text.indexOf('=');
    if (eq <= 0) {
      bad('expected key.path=value, e.g. loss.lambda=0.01');
      continue;
    }
    const keyPath = text.slice(0, eq).trim();
    const segments = keyPath.split('.');
    if (!segments.every((s) => SEGMENT.test(s))) {
      bad(`'${keyPath}' is not a key path: use dot-separated keys of letters, digits, _ and -, e.g. trainer.optimizer.learningRate`);
      continue;
    }
    let value: unknown;
    try {
      value = parse(text.slice(eq + 1));
    } catch (err) {
      bad(`the value is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (segments.length === 1 && (DEFAULTS_GROUPS as readonly string[]).includes(segments[0]) && typeof value === 'string') {
      out.groups.set(segments[0], { name: value, source });
      continue;
    }
    out.sets.push({ segments, value, entry: { key: source, value: source } });
  }
  return out;
}
