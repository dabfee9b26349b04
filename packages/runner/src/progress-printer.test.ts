import { describe, expect, it } from 'vitest';
import { createSweepProgressPrinter } from './progress-printer.js';
import type { SweepEvent, SweepProgress } from './run-sweep.js';
import { fakeCells } from './test-cells.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean; chunks: string[] };
}

const p = (over: Partial<SweepProgress>): SweepProgress => ({ total: 4, skipped: 1, done: 1, running: 0, failed: 0, diverged: 0, etaS: null, ...over });
const [cell] = fakeCells(1);
const events: SweepEvent[] = [
  { type: 'sweep-start', progress: p({}) },
  { type: 'cell-start', cell, attempt: 1, progress: p({ running: 1 }) },
  { type: 'cell-note', cell, attempt: 1, text: '[cell 0] features: 339/339 files', progress: p({ running: 1 }) },
  { type: 'cell-end', cell, attempt: 1, status: 'ok', seconds: 75, crashed: false, progress: p({ done: 2, etaS: 150 }) },
  { type: 'sweep-end', progress: p({ done: 4, etaS: 0 }), summary: { ok: true, done: 3, failed: 0, diverged: 0, skipped: 1, total: 4, retries: 0 } },
];

describe('createSweepProgressPrinter', () => {
  it('writes plain lines per finished cell when not a TTY', () => {
    const out = sink(false);
    const print = createSweepProgressPrinter(out);
    events.forEach(print);
    expect(out.chunks.join('')).toBe(
      'sweep: 4 cells, 1 already stored\n' +
        '[cell 0] features: 339/339 files\n' +
        'cell 0 (loss.lambda=0, fold speaker-01, seed 0): ok in 1m15s [2/4 done, 0 running, 0 failed, 0 diverged, about 2m30s left]\n' +
        'sweep finished: 3 ok, 0 diverged, 0 failed, 1 skipped of 4\n',
    );
  });

  it('redraws one status line on a TTY', () => {
    const out = sink(true);
    const print = createSweepProgressPrinter(out);
    events.forEach(print);
    const text = out.chunks.join('');
    expect(text).toContain('\r\x1b[2K1/4 done, 1 running');
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('\r\x1b[2K[cell 0] features: 339/339 files\n');
    expect(text.endsWith('skipped of 4\n')).toBe(true);
  });
});
