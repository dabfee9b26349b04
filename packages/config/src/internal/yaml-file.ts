// Reads one YAML file into a plain value plus a source map (key path -> key and value positions),
// using the yaml package's CST ranges and a LineCounter, so every later error can name line:column.
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { SerError } from '@ser/core';
import type { ConfigProblem, SourceLocation } from '../types.js';
import { displayPath, pathKey } from './source-map.js';
import type { Segments, SourceMap } from './source-map.js';

export interface ParsedYaml {
  file: string;
  value: unknown;
  sources: SourceMap;
  /** The position of the document's first content (for problems about the whole file). */
  root: SourceLocation;
}

/** Reads and parses `file`; throws CONFIG_NOT_FOUND or CONFIG_YAML_SYNTAX. `referencedFrom` is said in the not-found message. */
export function readYamlFile(file: string, referencedFrom?: string): ParsedYaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const where = referencedFrom ? ` (referenced at ${referencedFrom})` : '';
    throw new SerError('CONFIG_NOT_FOUND', `config file not found: ${displayPath(file)}${where}; check the path`, {
      cause,
      details: { file },
    });
  }
  return parseYamlText(text, file);
}

/** Parses YAML text that came from `file`; throws SerError('CONFIG_YAML_SYNTAX') listing every syntax error. */
export function parseYamlText(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((err) => {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      const source: SourceLocation = { kind: 'file', file, line: pos.line, column: pos.col };
      // The yaml package appends " at line L, column C:" and a code excerpt; the position is already in front.
      const message = `YAML syntax error: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
      return { code: 'CONFIG_YAML_SYNTAX', path: '', message, source, text: `${displayPath(file)}:${pos.line}:${pos.col} ${message}` };
    });
    throw new SerError('CONFIG_YAML_SYNTAX', problems.map((p) => p.text).join('\n'), { details: { file, problems } });
  }
  const at = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { kind: 'file', file, line: pos.line, column: pos.col };
  };
  const yamlError = (offset: number, message: string): SerError => {
    const source = at(offset);
    const text = `${displayPath(file)}:${source.kind === 'file' ? `${source.line}:${source.column}` : '1:1'} YAML error: ${message}`;
    return new SerError('CONFIG_YAML_SYNTAX', text, {
      details: { file, problems: [{ code: 'CONFIG_YAML_SYNTAX', path: '', message: `YAML error: ${message}`, source, text }] },
    });
  };
  // an alias without its anchor (`trainer: *b`) would surface as the yaml package's ReferenceError
  let unresolved: { offset: number; name: string } | null = null;
  visit(doc, {
    Alias(_, node) {
      if (!unresolved && !node.resolve(doc)) unresolved = { offset: node.range?.[0] ?? 0, name: node.source };
    },
  });
  if (unresolved) {
    const { offset, name } = unresolved as { offset: number; name: string };
    throw yamlError(offset, `the alias *${name} has no anchor &${name} before it; define the anchor first, or write the value out`);
  }
  const sources: SourceMap = new Map();
  const contents = doc.contents as Node | null;
  const root = contents?.range ? at(contents.range[0]) : at(0);
  sources.set(pathKey([]), { key: root, value: root });
  // aliases expand: a "billion laughs" document of a few lines would expand to gigabytes, so the
  // expansion is refused by size, both in the source map and in the value
  const budget = { nodes: MAX_EXPANDED_NODES };
  if (contents) {
    try {
      walk(doc, contents, [], sources, at, budget);
    } catch (err) {
      if (err instanceof AliasExpansionError) throw yamlError(err.offset, err.message);
      throw err;
    }
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (err) {
    throw yamlError(contents?.range?.[0] ?? 0, `${(err as Error).message}; a config needs few aliases -- write the repeated values out`);
  }
  return { file, value: value ?? {}, sources, root };
}

/** Nodes a config may have once its aliases are expanded; real experiments have a few hundred. */
const MAX_EXPANDED_NODES = 100_000;
/** The yaml package's limit on alias expansion (its own default is 100). */
const MAX_ALIAS_COUNT = 1000;

class AliasExpansionError extends Error {
  constructor(readonly offset: number) {
    super(
      `the document expands to more than ${MAX_EXPANDED_NODES} values through its aliases (an alias bomb?); a config needs far fewer -- write the repeated values out`,
    );
  }
}

function walk(doc: Document, node: Node, segments: Segments, sources: SourceMap, at: (offset: number) => SourceLocation, budget: { nodes: number }): void {
  if (--budget.nodes < 0) throw new AliasExpansionError(node.range?.[0] ?? 0);
  const target = isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
  if (!target) return;
  if (isMap(target)) {
    for (const item of target.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyLoc = keyNode?.range ? at(keyNode.range[0]) : at(0);
      const valueNode = item.value as Node | null;
      const valueLoc = valueNode?.range ? at(valueNode.range[0]) : keyLoc;
      const child = [...segments, key];
      sources.set(pathKey(child), { key: keyLoc, value: valueLoc });
      if (valueNode) walk(doc, valueNode, child, sources, at, budget);
    }
  } else if (isSeq(target)) {
    target.items.forEach((item, i) => {
      const itemNode = item as Node | null;
      if (!itemNode?.range) return;
      const loc = at(itemNode.range[0]);
      const child = [...segments, String(i)];
      sources.set(pathKey(child), { key: loc, value: loc });
      walk(doc, itemNode, child, sources, at, budget);
    });
  }
}
