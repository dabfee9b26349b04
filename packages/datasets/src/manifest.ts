import fs from 'node:fs';
import path from 'node:path';
import { SerError } from '@ser/core';
import { defineDataset, type Corpus, type Utterance } from '@ser/dataset-core';
import { parseCsv } from './internal/csv.js';
import { classesSchema, fillDurations, missingFilesError, requirePath, withDefaults } from './internal/loader-utils.js';

/** Config keys of the 'manifest' dataset. */
export interface ManifestConfig {
  /** A .csv (header row) or .jsonl file with path, label, speaker and optional session, gender, id, durationS. */
  path: string;
  /** Class order; without classMap, every label must be one of these. Default: the labels sorted. */
  classes?: string[];
  /** Manifest label -> class; labels left out are not used. Default: each label is its own class. */
  classMap?: Record<string, string>;
}

type Row = Record<string, unknown>;

const schema = {
  type: 'object',
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description:
        'The manifest: CSV with a header row, or JSON Lines (.jsonl, one object per line). Fields: path (audio, relative to the manifest file), label, speaker; optional session, gender (female/male), id (default: the file stem), durationS.',
    },
    classes: classesSchema,
    classMap: {
      type: 'object',
      additionalProperties: { type: 'string', minLength: 1 },
      minProperties: 1,
      description:
        'Map from manifest labels to class names; several labels may map to one class; labels left out are not used. Default: each label is its own class.',
    },
  },
  required: ['path'],
  additionalProperties: false,
};

function readRows(file: string): { rows: Row[]; lineOf: (i: number) => number } {
  const text = fs.readFileSync(file, 'utf8');
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    const rows: Row[] = [];
    const lines: number[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (cause) {
        throw new SerError('CONFIG_INVALID', `manifest ${file}, line ${i + 1}: not valid JSON (${(cause as Error).message})`, {
          cause,
          details: { file, line: i + 1 },
        });
      }
      if (!v || typeof v !== 'object' || Array.isArray(v)) {
        throw new SerError('CONFIG_INVALID', `manifest ${file}, line ${i + 1}: expected an object {"path", "label", "speaker", ...}`, {
          details: { file, line: i + 1 },
        });
      }
      rows.push(v as Row);
      lines.push(i + 1);
    });
    return { rows, lineOf: (i) => lines[i] };
  }
  const cells = parseCsv(text);
  const header = (cells[0] ?? []).map((h) => h.trim());
  const rows = cells.slice(1).map((r) => Object.fromEntries(header.map((h, j) => [h, r[j] ?? ''])));
  // CSV rows are counted after the header; parseCsv drops blank lines, so this is the data row number + 1
  return { rows, lineOf: (i) => i + 2 };
}

function gender(value: unknown, where: string): 'female' | 'male' | undefined {
  const v = String(value ?? '')
    .trim()
    .toLowerCase();
  if (v === '' || v === 'unknown' || v === 'u' || v === 'na') return undefined;
  if (v === 'female' || v === 'f' || v === 'w') return 'female';
  if (v === 'male' || v === 'm') return 'male';
  throw new SerError('CONFIG_INVALID', `${where}: gender '${String(value)}' is not one of female, male (or f, m, empty for unknown)`, { details: { value } });
}

/** Any corpus without code: a CSV or JSONL manifest of path, label, speaker (+ session, gender, id). */
export const manifest = defineDataset<ManifestConfig>({
  id: 'manifest',
  description:
    'A generic corpus from a CSV or JSONL manifest (path, label, speaker; optional session, gender, id, durationS); paths relative to the manifest file.',
  schema,
  async load(raw, context): Promise<Corpus> {
    const config = withDefaults<ManifestConfig>(schema, raw);
    const file = requirePath('manifest', config.path, context, 'the audio (dataset.path is the manifest file itself)');
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      throw new SerError(
        'DATASET_NOT_FOUND',
        `manifest file not found: ${file} (dataset.path in ${context.configFile ?? 'the experiment config'}): point dataset.path at a .csv or .jsonl manifest`,
        { details: { path: file } },
      );
    }
    const base = path.dirname(file);
    const { rows, lineOf } = readRows(file);
    const classMap = config.classMap;
    const classes = config.classes && config.classes.length > 0 ? config.classes : undefined;
    if (classMap && classes) {
      const a = [...new Set(Object.values(classMap))].sort().join(',');
      if (a !== [...classes].sort().join(',')) {
        throw new SerError('CONFIG_INVALID', `manifest: dataset.classes [${classes.join(', ')}] must list each class of dataset.classMap once: [${a}]`, {
          details: { classes, classMap },
        });
      }
    }

    const utterances: Utterance[] = [];
    const idLine = new Map<string, number>();
    const missing: string[] = [];
    const dropped = new Map<string, number>();
    rows.forEach((row, i) => {
      const where = `manifest ${file}, line ${lineOf(i)}`;
      const get = (k: string) => (row[k] === undefined || row[k] === null ? '' : String(row[k]).trim());
      for (const k of ['path', 'label', 'speaker']) {
        if (get(k) === '') {
          throw new SerError('CONFIG_INVALID', `${where}: '${k}' is empty; every row needs path, label and speaker`, {
            details: { file, line: lineOf(i), field: k },
          });
        }
      }
      const original = get('label');
      let label = original;
      if (classMap) {
        if (classMap[original] === undefined) {
          dropped.set(original, (dropped.get(original) ?? 0) + 1);
          return;
        }
        label = classMap[original];
      } else if (classes && !classes.includes(original)) {
        throw new SerError(
          'DATASET_UNKNOWN_LABEL',
          `${where}: label '${original}' is not in dataset.classes; allowed: ${classes.join(', ')} (or map labels with dataset.classMap)`,
          {
            details: { file, line: lineOf(i), label: original, allowed: classes },
          },
        );
      }
      const audio = path.resolve(base, get('path'));
      const id = get('id') || path.basename(audio).replace(/\.[^.]*$/, '');
      const prev = idLine.get(id);
      if (prev !== undefined) {
        throw new SerError('CONFIG_INVALID', `${where}: utterance id '${id}' is also on line ${prev}; ids must be unique: add an id column`, {
          details: { file, id, lines: [prev, lineOf(i)] },
        });
      }
      idLine.set(id, lineOf(i));
      if (!fs.existsSync(audio)) missing.push(audio);
      const dur = Number(get('durationS'));
      const g = gender(row.gender, where);
      utterances.push({
        id,
        path: audio,
        speaker: get('speaker'),
        ...(get('session') ? { session: get('session') } : {}),
        ...(g ? { gender: g } : {}),
        label,
        originalLabel: original,
        ...(get('durationS') !== '' && Number.isFinite(dur) && dur >= 0 ? { durationS: dur } : {}),
      });
    });
    if (missing.length > 0) throw missingFilesError('manifest', missing, `paths are relative to ${base}: fix the manifest or restore the files`);
    if (utterances.length === 0) {
      throw new SerError(
        'CONFIG_INVALID',
        `manifest ${file}: no utterances${dropped.size ? ` (labels ${[...dropped.keys()].join(', ')} are not in dataset.classMap)` : ''}`,
        {
          details: { file },
        },
      );
    }
    if (dropped.size > 0) {
      context.logger.info(`manifest: left out labels not in dataset.classMap: ${[...dropped].map(([l, n]) => `${l} (${n})`).join(', ')}`);
    }
    const order = classMap ? (classes ?? [...new Set(Object.values(classMap))].sort()) : (classes ?? [...new Set(utterances.map((u) => u.label))].sort());
    fillDurations('manifest', utterances, context.logger);
    const mapText = classMap
      ? order
          .map(
            (c) =>
              `${c}=${Object.keys(classMap)
                .filter((k) => classMap[k] === c)
                .sort()
                .join('+')}`,
          )
          .join('; ')
      : order.join(',');
    return { dataset: 'manifest', classes: order, utterances, classMap: `${order.length}-class (${path.basename(file)}): ${mapText}` };
  },
});
