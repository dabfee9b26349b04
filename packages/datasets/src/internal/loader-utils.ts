import fs from 'node:fs';
import path from 'node:path';
import { SerError, type JsonSchema, type Logger } from '@ser/core';
import type { DatasetContext, Utterance } from '@ser/dataset-core';
import { readWavInfo } from '../wav-info.js';

/** The config with every top-level `default` of the schema filled in where the key is absent. */
export function withDefaults<T>(schema: JsonSchema, config: Partial<T> | undefined): T {
  const out: Record<string, unknown> = { ...(config ?? {}) };
  const props = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [key, prop] of Object.entries(props)) {
    if (out[key] === undefined && prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  return out as T;
}

const where = (context: DatasetContext) => `dataset.path in ${context.configFile ?? 'the experiment config'}`;

/** The absolute corpus path from config.path; CONFIG_INVALID when absent. */
export function requirePath(corpusName: string, value: unknown, context: DatasetContext, holding: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SerError('CONFIG_INVALID', `${corpusName}: dataset.path is required (${where(context)}): point it at the folder holding ${holding}`, {
      details: { field: 'dataset.path' },
    });
  }
  return path.resolve(value);
}

/** SerError DATASET_NOT_FOUND in the shape "<corpus> folder not found: <path> (dataset.path in <config>): point dataset.path at the folder holding <holding>". */
export function folderNotFound(corpusName: string, dir: string, context: DatasetContext, holding: string, what = 'folder not found'): SerError {
  return new SerError('DATASET_NOT_FOUND', `${corpusName} ${what}: ${dir} (${where(context)}): point dataset.path at the folder holding ${holding}`, {
    details: { path: dir, configFile: context.configFile },
  });
}

export function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The .wav files (not hidden, e.g. macOS '._x.wav' resource forks) directly inside dir. */
export function listWavs(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => !n.startsWith('.') && n.toLowerCase().endsWith('.wav'))
    .sort();
}

/** SerError DATASET_MISSING_FILES listing the first few missing files and how many in all. */
export function missingFilesError(corpusName: string, missing: string[], fix: string): SerError {
  const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
  return new SerError('DATASET_MISSING_FILES', `${corpusName}: ${missing.length} audio file(s) missing: ${shown}; ${fix}`, {
    details: { missing: missing.slice(0, 100), count: missing.length },
  });
}

/** One emotion of a corpus: the canonical original label and the other spellings accepted in class maps. */
export interface LabelEntry {
  label: string;
  aliases: string[];
}

export interface ResolvedClassMap {
  /** canonical original label -> class name */
  map: Map<string, string>;
  classes: string[];
  /** e.g. '4-class: angry=ang; happy=exc+hap; neutral=neu; sad=sad' */
  description: string;
}

/** Checks a class map (keys: a corpus' labels or their aliases) and the optional class order. */
export function resolveClassMap(
  corpusName: string,
  vocabulary: readonly LabelEntry[],
  classMap: Record<string, string>,
  classes: string[] | undefined,
): ResolvedClassMap {
  const canonical = new Map<string, string>();
  for (const e of vocabulary) for (const a of [e.label, ...e.aliases]) canonical.set(a.toLowerCase(), e.label);
  const allowed = vocabulary.map((e) => (e.aliases.length ? `${e.label} (${e.aliases.join(', ')})` : e.label)).join(', ');
  const map = new Map<string, string>();
  for (const [key, cls] of Object.entries(classMap ?? {})) {
    const label = canonical.get(key.toLowerCase());
    if (!label) {
      throw new SerError('DATASET_UNKNOWN_LABEL', `${corpusName}: dataset.classMap key '${key}' is not a label of the corpus; allowed: ${allowed}`, {
        details: { key, allowed: vocabulary.map((e) => e.label) },
      });
    }
    if (typeof cls !== 'string' || cls === '') {
      throw new SerError('CONFIG_INVALID', `${corpusName}: dataset.classMap.${key} must be a class name, got ${JSON.stringify(cls)}`, { details: { key } });
    }
    map.set(label, cls);
  }
  if (map.size === 0) {
    throw new SerError('CONFIG_INVALID', `${corpusName}: dataset.classMap is empty; map some of these labels to class names: ${allowed}`, { details: {} });
  }
  const valueSet = [...new Set(map.values())];
  let order: string[];
  if (classes && classes.length > 0) {
    const a = [...classes].sort().join(',');
    const b = [...valueSet].sort().join(',');
    if (a !== b || new Set(classes).size !== classes.length) {
      throw new SerError(
        'CONFIG_INVALID',
        `${corpusName}: dataset.classes [${classes.join(', ')}] must list each class of dataset.classMap once: [${[...valueSet].sort().join(', ')}]`,
        { details: { classes, classMapClasses: valueSet } },
      );
    }
    order = [...classes];
  } else {
    order = valueSet.sort();
  }
  const description =
    `${order.length}-class: ` +
    order
      .map((c) => {
        const from = [...map.entries()]
          .filter(([, v]) => v === c)
          .map(([k]) => k)
          .sort();
        return `${c}=${from.join('+')}`;
      })
      .join('; ');
  return { map, classes: order, description };
}

/** What a whole release documents, restricted to the labels the class map selects. */
export interface CorpusFacts {
  /** canonical original label -> documented utterance count */
  perLabel: Record<string, number>;
  speakers: number;
  /** Where the numbers come from, named in the error. */
  source: string;
}

/**
 * Compares counts with the documented facts for the selected labels. A mismatch throws
 * DATASET_COUNT_MISMATCH naming both numbers, unless `subset` (then it only logs).
 */
export function checkFacts(
  corpusName: string,
  root: string,
  facts: CorpusFacts,
  selected: Iterable<string>,
  utterances: readonly Utterance[],
  subset: boolean,
  logger: Logger,
): void {
  const labels = [...selected].filter((l) => facts.perLabel[l] !== undefined).sort();
  const found = new Map<string, number>();
  for (const u of utterances) found.set(u.originalLabel ?? u.label, (found.get(u.originalLabel ?? u.label) ?? 0) + 1);
  const expectedTotal = labels.reduce((s, l) => s + facts.perLabel[l], 0);
  const foundTotal = labels.reduce((s, l) => s + (found.get(l) ?? 0), 0);
  const speakers = new Set(utterances.map((u) => u.speaker)).size;
  const diffs = labels.filter((l) => (found.get(l) ?? 0) !== facts.perLabel[l]).map((l) => `${l}: found ${found.get(l) ?? 0}, documented ${facts.perLabel[l]}`);
  if (speakers !== facts.speakers) diffs.push(`speakers: found ${speakers}, documented ${facts.speakers}`);
  if (diffs.length === 0 && foundTotal === expectedTotal) return;
  const summary = `found ${foundTotal} utterances of ${labels.join(', ')} where ${facts.source} documents ${expectedTotal} (${diffs.join('; ')})`;
  if (subset) {
    logger.info(`${corpusName} at ${root}: subset: ${summary}`);
    return;
  }
  throw new SerError(
    'DATASET_COUNT_MISMATCH',
    `${corpusName} at ${root}: ${summary}. Point dataset.path at the complete corpus, or set dataset.subset: true to use a part of it`,
    { details: { expected: expectedTotal, found: foundTotal, perLabelExpected: facts.perLabel, perLabelFound: Object.fromEntries(found), speakers } },
  );
}

/** Fills durationS from each WAV header (cheap: the samples are not read); unreadable headers leave it unset, with one warning. */
export function fillDurations(corpusName: string, utterances: Utterance[], logger: Logger): void {
  const bad: string[] = [];
  for (const u of utterances) {
    if (u.durationS !== undefined) continue;
    const info = readWavInfo(u.path);
    if (info) u.durationS = info.durationS;
    else bad.push(u.path);
  }
  if (bad.length > 0) {
    logger.warn(`${corpusName}: ${bad.length} file(s) have no readable WAV header (e.g. ${bad[0]}); their duration is unknown and decoding will judge them`);
  }
}

/** Shared JSON Schema pieces. */
export const subsetSchema = {
  type: 'boolean',
  default: false,
  description:
    'Allow counts that differ from the documented facts of the whole release (a part of the corpus); otherwise a mismatch fails, naming both numbers.',
};

export const classesSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
  description: 'Class order (label indices); must list each class of classMap once. Default: the class names sorted.',
};

export function classMapSchema(defaultMap: Record<string, string>, keysAre: string): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: { type: 'string', minLength: 1 },
    minProperties: 1,
    default: defaultMap,
    description: `Map from ${keysAre} to class names; several labels may map to one class; labels left out are not used.`,
  };
}

export function pathSchema(holding: string): Record<string, unknown> {
  return { type: 'string', minLength: 1, description: `The corpus folder: the one holding ${holding}.` };
}
