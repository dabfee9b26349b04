// A sweep over a corpus with every kind of bad file (empty, not audio, truncated, silent, shorter
// than one frame), through the real CLI: the skipped files show in the console line of each cell,
// in cells.arrow (skippedAudio, skippedAudioIds) and in the report; a test fold that loses a whole
// class to bad files fails with FOLD_MISSING_CLASS instead of a UA over fewer classes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultStore } from '@ser/store';
import { ser, tempDir, writeToneWav } from './test-support.js';

const work = tempDir('bad-corpus');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const BAD_KINDS: Record<string, (file: string) => void> = {
  empty: (file) => fs.writeFileSync(file, ''),
  text: (file) => fs.writeFileSync(file, 'not a wav file'),
  truncated: (file) => {
    writeToneWav(file, 1, 1);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 44 + 1001)); // the header promises 32000 data bytes
  },
  silent: (file) => {
    writeToneWav(file, 1, 1);
    const bytes = fs.readFileSync(file);
    bytes.fill(0, 44);
    fs.writeFileSync(file, bytes);
  },
  short: (file) => {
    writeToneWav(file, 0.005, 1); // 80 samples: shorter than one 640-sample frame
  },
};

/** 4 speakers x 2 classes x 3 utterances; `bad` maps utterance ids to a kind of bad file. */
function corpus(dir: string, bad: Record<string, string>): string {
  const lines = ['path,label,speaker'];
  for (const speaker of ['s1', 's2', 's3', 's4']) {
    for (const [c, label] of ['calm', 'loud'].entries()) {
      for (let k = 0; k < 3; k++) {
        const id = `${speaker}-${label}-${k}`;
        const file = path.join(dir, `${id}.wav`);
        if (bad[id]) {
          fs.mkdirSync(dir, { recursive: true });
          BAD_KINDS[bad[id]](file);
        } else {
          writeToneWav(file, 0.6 + 0.1 * k, c * 2 + (speaker === 's1' ? 0 : 0.3));
        }
        lines.push(`${id}.wav,${label},${speaker}`);
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'manifest.csv'), lines.join('\n') + '\n');
  return path.join(dir, 'manifest.csv');
}

function experiment(name: string, manifest: string, results: string): string {
  const file = path.join(work, `${name}.yaml`);
  fs.writeFileSync(
    file,
    [
      `name: ${name}`,
      'defaults: { features: logmel-recipe, model: cnn-birnn-small, loss: softmax, trainer: demo }',
      `dataset: { id: manifest, path: ${manifest}, onBadAudio: skip, protocol: { id: leave-one-speaker-out, validationSpeakers: 1 } }`,
      'trainer: { epochs: 1, batchSize: 4 }',
      `output: { dir: ${results} }`,
      '',
    ].join('\n'),
  );
  return file;
}

const env = () => ({ SER_CACHE_DIR: path.join(work, 'cache') });

describe('a sweep over a corpus with bad files', () => {
  it('shows the skipped files in the console, cells.arrow and the report', () => {
    const bad = { 's2-calm-0': 'empty', 's2-loud-1': 'text', 's3-calm-1': 'truncated', 's3-loud-2': 'silent', 's4-calm-2': 'short' };
    const results = path.join(work, 'results-some');
    const file = experiment('bad-some', corpus(path.join(work, 'some'), bad), results);
    const run = ser(['run', file, '--workers', '1', '--no-report'], env());
    expect(run.status, run.stdout + run.stderr).toBe(0);
    // every cell trains on folds where some of the 5 bad files are: each console line counts them
    expect(run.stderr).toMatch(/cell \d+ \(-, fold s1, seed 0\): ok in [^,]+, UA [\d.]+%, 5 utterances skipped \(bad audio\)/);
    const rows = new ResultStore(results).readCells();
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r.status, `${r.errorCode}: ${r.errorMessage}`).toBe('ok');
      expect(r.skippedAudioIds.slice().sort()).toEqual(Object.keys(bad).sort());
      expect(r.skippedAudio).toBe(5);
    }
    const codes = fs
      .readdirSync(path.join(results, 'logs'))
      .map((f) => fs.readFileSync(path.join(results, 'logs', f), 'utf8'))
      .join('\n');
    for (const code of ['AUDIO_EMPTY', 'AUDIO_UNREADABLE', 'AUDIO_TRUNCATED', 'AUDIO_SILENT', 'AUDIO_TOO_SHORT']) expect(codes).toContain(code);
    const report = ser(['report', results], env());
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/4 of 4 cells left out utterances for bad audio .*s2-calm-0/);
  });

  it('fails the fold that loses a class to bad files, naming them, and exits 1', () => {
    const bad = { 's2-loud-0': 'silent', 's2-loud-1': 'truncated', 's2-loud-2': 'short' };
    const results = path.join(work, 'results-class');
    const file = experiment('bad-class', corpus(path.join(work, 'class'), bad), results);
    const run = ser(['run', file, '--workers', '1', '--no-report'], env());
    expect(run.status).toBe(1);
    const rows = new ResultStore(results).readCells();
    const s2 = rows.find((r) => r.fold === 's2')!;
    expect(s2).toMatchObject({ status: 'failed', errorCode: 'FOLD_MISSING_CLASS', skippedAudio: 3 });
    expect(s2.errorMessage).toMatch(/test split has no loud .*skipped for bad audio \(s2-loud-0, s2-loud-1, s2-loud-2\)/);
    expect(rows.filter((r) => r.fold !== 's2').every((r) => r.status === 'ok')).toBe(true);
  });
});
