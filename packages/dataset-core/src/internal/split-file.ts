import fs from 'node:fs';
import path from 'node:path';
import { SerError } from '@ser/core';

export type SplitPart = 'train' | 'validation' | 'test';
const PARTS: readonly SplitPart[] = ['train', 'validation', 'test'];

/** Reads a split file: JSON {"<id>": "train"|"validation"|"test"} or CSV rows `id,split` (header optional). */
export function readSplitFile(file: string): Map<string, SplitPart> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (cause) {
    throw new SerError(
      'CONFIG_NOT_FOUND',
      `split file not found: ${abs} (dataset.protocol.file): point it at a JSON or CSV file of id -> train|validation|test`,
      {
        cause,
        details: { file: abs },
      },
    );
  }
  const out = new Map<string, SplitPart>();
  const put = (id: string, value: unknown, where: string) => {
    const part = typeof value === 'string' ? value.trim() : value;
    if (!PARTS.includes(part as SplitPart)) {
      throw new SerError('CONFIG_INVALID', `split file ${abs}, ${where}: split of '${id}' is ${JSON.stringify(value)}; allowed: ${PARTS.join(', ')}`, {
        details: { file: abs, id, value },
      });
    }
    if (out.has(id)) {
      throw new SerError('SPLIT_LEAKAGE', `split file ${abs}, ${where}: utterance '${id}' is listed twice; list each id once`, {
        details: { file: abs, utterance: id },
      });
    }
    out.set(id, part as SplitPart);
  };

  if (abs.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new SerError('CONFIG_INVALID', `split file ${abs} is not valid JSON: ${(cause as Error).message}`, { cause, details: { file: abs } });
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new SerError('CONFIG_INVALID', `split file ${abs}: expected a JSON object {"<utterance id>": "train"|"validation"|"test"}`, {
        details: { file: abs },
      });
    }
    for (const [id, value] of Object.entries(data as Record<string, unknown>)) put(id, value, `key '${id}'`);
    return out;
  }

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (i === 0 && cells[0].toLowerCase() === 'id' && (cells[1] ?? '').toLowerCase() === 'split') return;
    if (cells.length < 2) {
      throw new SerError('CONFIG_INVALID', `split file ${abs}, line ${i + 1}: expected 'id,split', got '${line}'`, { details: { file: abs, line: i + 1 } });
    }
    put(cells[0], cells[1], `line ${i + 1}`);
  });
  return out;
}
