import { describe, expect, it } from 'vitest';
import type { ExtractProgress } from '@ser/features';
import { createExtractProgressPrinter, ExtractTracker, formatSeconds, statusText, summaryText } from './progress.js';

/** A clock tests move by hand, and a stream that keeps what was written. */
function rig(isTTY: boolean, columns?: number) {
  let t = 1_000_000;
  let out = '';
  return {
    now: () => t,
    advance: (s: number) => (t += s * 1000),
    stream: { isTTY, columns, write: (text: string) => (out += text) },
    out: () => out,
  };
}
const file = (done: number, total: number, audioSeconds = 2, cached = false): ExtractProgress => ({
  done,
  total,
  path: `/c/f${done}.wav`,
  audioSeconds,
  cached,
});

describe('formatSeconds', () => {
  it('reads as seconds, minutes and seconds, or hours and minutes', () => {
    expect(formatSeconds(4.25)).toBe('4.3 s');
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(200)).toBe('3m20s');
    expect(formatSeconds(3900)).toBe('1h05m');
    expect(formatSeconds(Number.NaN)).toBe('?');
  });
});

describe('ExtractTracker', () => {
  it('audio seconds per wall second and the time left, at the pace of the files computed after the first', () => {
    const r = rig(false);
    const tr = new ExtractTracker(r.now);
    expect(tr.update(file(1, 100))).toMatchObject({ done: 1, audioRate: null, etaSeconds: null });
    r.advance(1);
    tr.update(file(2, 100));
    r.advance(1);
    const s = tr.update(file(3, 100));
    // 2 files of 2 s audio in 2 s after the first: 2 audio-s/s, 1 file/s, 97 left
    expect(s).toMatchObject({ done: 3, total: 100, audioSeconds: 6, computedAudioSeconds: 6, elapsedSeconds: 2, audioRate: 2, etaSeconds: 97 });
  });

  it('does not let files from the cache speed up the pace, and counts them', () => {
    const r = rig(false);
    const tr = new ExtractTracker(r.now);
    tr.update(file(1, 10, 2, true));
    tr.update(file(2, 10, 2, true)); // instant
    r.advance(4);
    const s = tr.update(file(3, 10, 3));
    expect(s).toMatchObject({ cached: 2, computedAudioSeconds: 3, audioRate: 0.75, etaSeconds: 28 });
  });

  it('starts over when done goes back (a second pass in the same process)', () => {
    const r = rig(false);
    const tr = new ExtractTracker(r.now);
    tr.update(file(1, 4));
    r.advance(10);
    tr.update(file(4, 4));
    r.advance(5);
    expect(tr.update(file(1, 2))).toMatchObject({ done: 1, total: 2, audioSeconds: 2, elapsedSeconds: 0 });
  });

  it('formats the status and the summary', () => {
    const s = { done: 120, total: 339, cached: 20, audioSeconds: 486, computedAudioSeconds: 400, elapsedSeconds: 4.2, audioRate: 95.24, etaSeconds: 12.4 };
    expect(statusText(s)).toBe('120/339 files (35%), 95.2 audio-s/s, about 12 s left');
    expect(summaryText({ ...s, done: 339, etaSeconds: 0 })).toBe('339 files (8.1 min of audio, 20 from the cache) in 4.2 s, 95.2 audio-s/s');
    expect(statusText({ ...s, audioRate: null, etaSeconds: null })).toBe('120/339 files (35%), time left unknown');
  });
});

describe('createExtractProgressPrinter', () => {
  it('on a TTY: one bar redrawn with \\r (not before 0.5 s, at most every 0.1 s), then the summary on its own line', () => {
    const r = rig(true, 200);
    const print = createExtractProgressPrinter(r.stream, { label: '[cell 3]', barWidth: 10, now: r.now });
    print(file(1, 5));
    r.advance(0.2);
    print(file(2, 5)); // too early for the bar
    expect(r.out()).toBe('');
    r.advance(0.8);
    print(file(3, 5));
    expect(r.out()).toBe('\r[cell 3] features [######....] 3/5 files (60%), 4.0 audio-s/s, about 1.0 s left');
    r.advance(0.05);
    print(file(4, 5)); // within 0.1 s of the last redraw: skipped
    expect(r.out()).not.toContain('4/5');
    r.advance(1);
    print(file(5, 5));
    const lines = r.out().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/60%\), 4\.0 audio-s\/s, about 1\.0 s left\r +\r\[cell 3\] features: 5 files \(10\.0 s of audio\) in 2\.0 s, 3\.9 audio-s\/s$/);
  });

  it('on a TTY: cuts the bar to the terminal width', () => {
    const r = rig(true, 30);
    const print = createExtractProgressPrinter(r.stream, { now: r.now });
    print(file(1, 50));
    r.advance(1);
    print(file(2, 50));
    expect(r.out()).toBe('\rfeatures [#.....................'.slice(0, 30));
  });

  it('in a log: no \\r, a line each tenth of the files (2 s apart at least) or every 10 s, then the summary', () => {
    const r = rig(false);
    const print = createExtractProgressPrinter(r.stream, { now: r.now });
    for (let i = 1; i <= 100; i++) {
      print(file(i, 100));
      r.advance(0.1); // 10 s in all: the tenths come every second, the 2 s floor lets every other one through
    }
    const lines = r.out().trim().split('\n');
    expect(r.out()).not.toContain('\r');
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(/^features: 21\/100 files \(21%\), 20\.0 audio-s\/s, about 7\.9 s left$/),
      expect.stringMatching(/^features: 41\/100 files \(41%\)/),
      expect.stringMatching(/^features: 61\/100 files \(61%\)/),
      expect.stringMatching(/^features: 81\/100 files \(81%\)/),
    ]);
    expect(lines.at(-1)).toBe('features: 100 files (3.3 min of audio) in 9.9 s, 20.0 audio-s/s');
  });

  it('in a log: a slow pass still gets a line every 10 s between tenths', () => {
    const r = rig(false);
    const print = createExtractProgressPrinter(r.stream, { now: r.now });
    print(file(1, 1000));
    r.advance(9);
    print(file(2, 1000));
    expect(r.out()).toBe('');
    r.advance(1);
    print(file(3, 1000));
    expect(r.out()).toBe('features: 3/1000 files (0%), 0.4 audio-s/s, about 1h23m left\n');
  });

  it('says nothing for a quick pass that found everything in the cache, but sums up one that did work', () => {
    const r = rig(false);
    const print = createExtractProgressPrinter(r.stream, { now: r.now });
    for (let i = 1; i <= 5; i++) print(file(i, 5, 1, true));
    expect(r.out()).toBe('');
    r.advance(1);
    for (let i = 1; i <= 3; i++) {
      print(file(i, 3, 1, i !== 2));
      r.advance(0.5);
    }
    expect(r.out()).toBe('features: 3 files (3.0 s of audio, 2 from the cache) in 1.0 s, 1.0 audio-s/s\n');
  });
});
