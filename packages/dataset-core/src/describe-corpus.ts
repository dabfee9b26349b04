import type { Corpus } from './corpus.js';
import type { Fold } from './protocol.js';
import { naturalCompare } from './natural-compare.js';
import { splitHash } from './split-hash.js';

/** Utterances per class, every class of corpus.classes present (0 where none), in class order. */
export function classCounts(corpus: Corpus): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of corpus.classes) out[c] = 0;
  for (const u of corpus.utterances) out[u.label] = (out[u.label] ?? 0) + 1;
  return out;
}

/**
 * A plain-text report of a corpus and its folds (what `ser data describe` prints): counts and
 * durations per label, per speaker (with gender and per-label counts), per fold (train /
 * validation / test sizes and split hash), and the total duration.
 */
export function describeCorpus(corpus: Corpus, folds: readonly Fold[]): string {
  const utts = corpus.utterances;
  const counts = classCounts(corpus);
  const labels = Object.keys(counts);
  const speakers = [...new Set(utts.map((u) => u.speaker))].sort(naturalCompare);
  const known = utts.filter((u) => typeof u.durationS === 'number' && Number.isFinite(u.durationS));
  const totalS = known.reduce((s, u) => s + u.durationS!, 0);
  const out: string[] = [];

  out.push(`dataset: ${corpus.dataset}`);
  out.push(`class map: ${corpus.classMap}`);
  out.push(`utterances: ${utts.length}   speakers: ${speakers.length}   classes: ${corpus.classes.length}`);
  const missing = utts.length - known.length;
  out.push(
    `total duration: ${formatDuration(totalS)}` +
      (known.length > 0 ? `   mean ${(totalS / known.length).toFixed(2)} s per utterance` : '') +
      (missing > 0 ? `   (unknown for ${missing} utterance(s))` : ''),
  );

  out.push('', 'per label');
  const durOf = (filter: (l: string) => boolean) => known.filter((u) => filter(u.label)).reduce((s, u) => s + u.durationS!, 0);
  out.push(
    table(
      ['label', 'count', 'share', 'duration'],
      labels.map((l) => [l, String(counts[l]), pct(counts[l], utts.length), formatDuration(durOf((x) => x === l))]),
      [false, true, true, true],
    ),
  );

  out.push('', 'per speaker');
  const spkRows = speakers.map((s) => {
    const mine = utts.filter((u) => u.speaker === s);
    const genders = [...new Set(mine.map((u) => u.gender ?? 'unknown'))].join('/');
    const sessions = [...new Set(mine.map((u) => u.session).filter((x): x is string => !!x))].join('/');
    return [s, genders, sessions || '-', String(mine.length), ...labels.map((l) => String(mine.filter((u) => u.label === l).length))];
  });
  out.push(table(['speaker', 'gender', 'session', 'count', ...labels], spkRows, [false, false, false, true, ...labels.map(() => true)]));
  const genderTotals = new Map<string, number>();
  for (const u of utts) genderTotals.set(u.gender ?? 'unknown', (genderTotals.get(u.gender ?? 'unknown') ?? 0) + 1);
  out.push(`by gender: ${[...genderTotals.entries()].map(([g, n]) => `${g} ${n}`).join(', ')}`);

  if (folds.length > 0) {
    out.push('', `per fold (${folds.length})`);
    const byId = new Map(utts.map((u) => [u.id, u]));
    out.push(
      table(
        ['fold', 'train', 'validation', 'test', 'test speakers', 'split hash'],
        folds.map((f) => {
          const testSpk = [...new Set(f.test.map((id) => byId.get(id)?.speaker ?? '?'))].sort(naturalCompare);
          const shown = testSpk.length > 4 ? `${testSpk.slice(0, 4).join(',')},... (${testSpk.length})` : testSpk.join(',');
          return [f.name, String(f.train.length), String(f.validation.length), String(f.test.length), shown, splitHash(f).slice(0, 16)];
        }),
        [false, true, true, true, false, false],
      ),
    );
  }
  return out.join('\n') + '\n';
}

function pct(n: number, total: number): string {
  return total === 0 ? '-' : `${((100 * n) / total).toFixed(1)}%`;
}

function formatDuration(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(2)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
