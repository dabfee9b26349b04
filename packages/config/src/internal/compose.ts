// Composition of an experiment file: `extends` files, then `defaults` pieces from configs/, then
// the file's own keys (each layer deep-merged onto the one before).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerError } from '@ser/core';
import { DEFAULTS_GROUPS } from '../core-schema.js';
import type { SourceLocation } from '../types.js';
import { problemAt, problemText, sortProblems, toConfigProblem } from './problems.js';
import type { Problem } from './problems.js';
import { deleteUnder, displayPath, formatLocation, pathKey, splitPathKey } from './source-map.js';
import type { SourceEntry, SourceMap } from './source-map.js';
import { suggest } from './suggest.js';
import { emptyTree, isPlainObject, mergeInto } from './tree.js';
import type { Tree } from './tree.js';
import { readYamlFile } from './yaml-file.js';

/** A group picked on the command line (`loss=softmax`), replacing the file's defaults entry. */
export interface GroupChoice {
  name: string;
  source: SourceLocation;
}

export interface ComposeContext {
  configsDir: string;
  groupChoices: Map<string, GroupChoice>;
  /** Set when the experiment file itself has no keys to validate (empty, a list, a scalar). */
  topLevelUnusable?: boolean;
  problems: Problem[];
  notFound: Problem[];
  dropped: string[];
}

/** The nearest `configs/` folder at or above `dir`, else the repository's own configs/. */
export function findConfigsDir(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'configs');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    if (path.dirname(d) === d) break;
  }
  return fileURLToPath(new URL('../../../../configs', import.meta.url));
}

const GROUPS: readonly string[] = DEFAULTS_GROUPS;

/** Composes `file`: its extends, its defaults (experiment files only), then its own keys. */
export function composeFile(file: string, ctx: ComposeContext, options: { stack: string[]; piece: boolean; from?: SourceLocation }): Tree {
  const from = options.from && options.from.kind !== 'unknown' ? formatLocation(options.from) : undefined;
  const parsed = readYamlFile(file, from);
  const result = emptyTree();
  if (!isPlainObject(parsed.value) || (!options.piece && Object.keys(parsed.value).length === 0)) {
    const empty = isPlainObject(parsed.value);
    ctx.problems.push({
      code: 'CONFIG_INVALID',
      segments: [],
      message: empty
        ? `${displayPath(file)} is empty: an experiment needs at least name, dataset, model and loss (or a defaults list); start from experiments/demo.yaml`
        : `expected a mapping of keys at the top of ${displayPath(file)}, found ${Array.isArray(parsed.value) ? 'a list' : JSON.stringify(parsed.value)}; an experiment is key: value lines (name, defaults, dataset, ...), see experiments/demo.yaml`,
      source: parsed.root,
    });
    // nothing else can be said about a file with no keys: its missing required keys would only repeat this
    ctx.topLevelUnusable = true;
    return result;
  }
  const doc = parsed.value;
  const stack = [...options.stack, file];

  for (const { target, at } of extendsTargets(doc.extends, parsed.sources, ctx)) {
    const resolved = path.resolve(path.dirname(file), target);
    if (stack.includes(resolved)) {
      ctx.problems.push(problemAt(parsed.sources, at, `extends cycle: ${[...stack, resolved].map(displayPath).join(' -> ')}`, 'value'));
      continue;
    }
    if (!existsSync(resolved)) {
      ctx.notFound.push(problemAt(parsed.sources, at, `extends file not found: ${displayPath(resolved)}`, 'value', 'CONFIG_NOT_FOUND'));
      continue;
    }
    mergeInto(result, composeFile(resolved, ctx, { stack, piece: options.piece, from: parsed.sources.get(pathKey(at))?.value }), ctx.dropped);
  }

  const choices = new Map<string, { name: string; entry: SourceEntry }>();
  if (doc.defaults !== undefined) {
    if (options.piece) {
      ctx.problems.push(problemAt(parsed.sources, ['defaults'], 'a config piece cannot pick defaults pieces itself; use extends', 'key'));
    } else if (!isPlainObject(doc.defaults)) {
      ctx.problems.push(
        problemAt(
          parsed.sources,
          ['defaults'],
          `expected a mapping of group -> piece name, e.g. { loss: center }, found ${JSON.stringify(doc.defaults)}`,
          'value',
        ),
      );
    } else {
      for (const [group, name] of Object.entries(doc.defaults)) {
        const at = ['defaults', group];
        if (!GROUPS.includes(group)) {
          const hint = suggest(group, GROUPS);
          ctx.problems.push(
            problemAt(parsed.sources, at, `unknown defaults group${hint ? ` (did you mean '${hint}'?)` : ''}; groups: ${GROUPS.join(', ')}`, 'key'),
          );
        } else if (typeof name !== 'string' || name === '') {
          ctx.problems.push(
            problemAt(
              parsed.sources,
              at,
              `expected the name of a piece in ${displayPath(path.join(ctx.configsDir, group))}, found ${JSON.stringify(name)}`,
              'value',
            ),
          );
        } else {
          choices.set(group, { name, entry: parsed.sources.get(pathKey(at))! });
        }
      }
    }
  }
  if (!options.piece && options.stack.length === 0) {
    for (const [group, choice] of ctx.groupChoices) choices.set(group, { name: choice.name, entry: { key: choice.source, value: choice.source } });
  }
  for (const [group, { name, entry }] of choices) {
    const pieceFile = path.join(ctx.configsDir, group, `${name}.yaml`);
    if (!existsSync(pieceFile)) {
      const available = listPieces(path.join(ctx.configsDir, group));
      const list =
        available.length > 0 ? `available ${group} pieces: ${available.join(', ')}` : `${displayPath(path.join(ctx.configsDir, group))} has no pieces`;
      const hint = suggest(name, available);
      ctx.notFound.push({
        code: 'CONFIG_NOT_FOUND',
        segments: ['defaults', group],
        message: `piece not found: ${displayPath(pieceFile)}${hint ? ` (did you mean '${hint}'?)` : ''}; ${list}`,
        source: entry.value,
      });
      continue;
    }
    const piece = composeFile(pieceFile, ctx, { stack, piece: true, from: entry.value });
    mergeInto(result, underGroup(piece, group, entry), ctx.dropped);
  }

  const own: Tree = { value: { ...doc }, sources: new Map(parsed.sources) };
  for (const key of ['defaults', 'extends']) {
    delete own.value[key];
    deleteUnder(own.sources, [key]);
  }
  own.sources.delete(pathKey([]));
  mergeInto(result, own, ctx.dropped);
  result.sources.set(pathKey([]), { key: parsed.root, value: parsed.root });
  return result;
}

function extendsTargets(value: unknown, sources: SourceMap, ctx: ComposeContext): Array<{ target: string; at: string[] }> {
  if (value === undefined) return [];
  if (typeof value === 'string') return [{ target: value, at: ['extends'] }];
  if (Array.isArray(value)) {
    const out: Array<{ target: string; at: string[] }> = [];
    value.forEach((v, i) => {
      if (typeof v === 'string') out.push({ target: v, at: ['extends', String(i)] });
      else ctx.problems.push(problemAt(sources, ['extends', String(i)], `expected a file path (string), found ${JSON.stringify(v)}`, 'value'));
    });
    return out;
  }
  ctx.problems.push(problemAt(sources, ['extends'], `expected a file path or a list of them, found ${JSON.stringify(value)}`, 'value'));
  return [];
}

/** A piece's tree placed under its group key; the group key itself points at the defaults entry. */
function underGroup(piece: Tree, group: string, entry: SourceEntry): Tree {
  const sources: SourceMap = new Map();
  for (const [key, e] of piece.sources) sources.set(pathKey([group, ...splitPathKey(key)]), e);
  sources.set(pathKey([group]), { key: entry.value, value: piece.sources.get(pathKey([]))?.value ?? entry.value });
  return { value: { [group]: piece.value }, sources };
}

/** Piece names (file stems) in a group folder, sorted. */
export function listPieces(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Throws CONFIG_NOT_FOUND listing every missing file found during composition. */
export function throwIfNotFound(notFound: Problem[]): void {
  if (notFound.length === 0) return;
  const sorted = sortProblems(notFound);
  throw new SerError('CONFIG_NOT_FOUND', sorted.map(problemText).join('\n'), { details: { problems: sorted.map(toConfigProblem) } });
}
