// Test helpers: a throw-away folder of YAML files, and the problems a load reports.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isSerError } from '@ser/core';
import type { SerErrorCode } from '@ser/core';
import type { ConfigProblem } from './types.js';

/** Writes `files` (relative path -> text) into a new temporary folder; returns its path. */
export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ser-config-'));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Runs `fn`, expects a SerError with `code` carrying details.problems; returns the error and its problems. */
export function problemsOf(fn: () => unknown, code: SerErrorCode = 'CONFIG_INVALID'): { message: string; problems: ConfigProblem[] } {
  try {
    fn();
  } catch (err) {
    if (!isSerError(err)) throw err;
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
    return { message: err.message, problems: (err.details.problems ?? []) as ConfigProblem[] };
  }
  throw new Error(`expected SerError ${code}, nothing was thrown`);
}

/** `file:line:column` of a problem's source, or the override text. */
export function at(p: ConfigProblem): string {
  const s = p.source;
  return s.kind === 'file' ? `${path.basename(s.file)}:${s.line}:${s.column}` : s.kind === 'override' ? `override ${s.text}` : 'unknown';
}

/** The minimal valid experiment body for the test plugins. */
export const MINIMAL = `name: demo
dataset: { id: synthetic }
model: { id: cnn-birnn }
loss: { id: center }
`;
