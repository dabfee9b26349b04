// Helpers for the CLI's end-to-end tests: run `ser` as a user would, in a child process.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeWav } from '@ser/core/testing';
import { workerCommand, workspaceRoot } from './version.js';

export { workspaceRoot };

export interface SerRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ser ARGS` from the workspace root with extra environment; waits for it. */
export function ser(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot): SerRun {
  const [node, bin] = workerCommand();
  const r = spawnSync(node, [bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like ser() but asynchronous, so several can run at once or a test can kill one. */
export function serAsync(args: string[], env: Record<string, string> = {}): Promise<SerRun> {
  const [node, bin] = workerCommand();
  return new Promise((resolve) => {
    const child = spawn(node, [bin, ...args], { cwd: workspaceRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ser-${prefix}-`));
}

/** The real EMO-DB subset beside the project (../shared/data/emodb), or null when absent. */
export function sharedEmodb(): string | null {
  const dir = path.resolve(workspaceRoot, '..', 'shared', 'data', 'emodb');
  return fs.existsSync(path.join(dir, 'wav')) ? dir : null;
}

/** A 16 kHz 16-bit mono WAV of a voiced-like tone (pitch and loudness vary by `variant`). */
export function writeToneWav(file: string, durationS: number, variant: number): void {
  const sr = 16000;
  const n = Math.round(durationS * sr);
  const samples = new Float64Array(n);
  const f0 = 110 + 40 * variant;
  const amp = 4000 + 2500 * variant;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t * (1 + 0.02 * Math.sin(2 * Math.PI * 3 * t))) / h;
    samples[i] = Math.round(amp * v * 0.4 + 300 * Math.sin(i * 12.9898 + variant)) / 32767;
  }
  writeWav(file, samples, sr);
}

/**
 * A tiny corpus in IEMOCAP's published layout: Session1..5, each with a female and a male
 * speaker, one improvised dialog, `perClass` utterances of each of neu, hap, exc, ang, sad.
 */
export function makeIemocapFixture(root: string, perClass = 1): void {
  const codes = ['neu', 'hap', 'exc', 'ang', 'sad'];
  for (let s = 1; s <= 5; s++) {
    for (const g of ['F', 'M']) {
      const dialog = `Ses0${s}${g}_impro01`;
      const lines = ['% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]', ''];
      let k = 0;
      codes.forEach((code, ci) => {
        for (let r = 0; r < perClass; r++) {
          const utt = `${dialog}_${g}${String(k).padStart(3, '0')}`;
          const start = 2 * k;
          lines.push(`[${start.toFixed(4)} - ${(start + 1.2).toFixed(4)}]\t${utt}\t${code}\t[2.5000, 2.5000, 2.5000]`, '');
          writeToneWav(path.join(root, `Session${s}`, 'sentences', 'wav', dialog, `${utt}.wav`), 0.8 + 0.1 * r, ci % 4);
          k++;
        }
      });
      const labelDir = path.join(root, `Session${s}`, 'dialog', 'EmoEvaluation');
      fs.mkdirSync(labelDir, { recursive: true });
      fs.writeFileSync(path.join(labelDir, `${dialog}.txt`), lines.join('\n'));
    }
  }
}

/** A copy of part of the real EMO-DB subset: `perSpeakerClass` files per (speaker, emotion) for the first `speakers` speakers. */
export function makeEmodbFixture(source: string, root: string, speakers: number, perSpeakerClass: number): number {
  const files = fs
    .readdirSync(path.join(source, 'wav'))
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const wanted = [...new Set(files.map((f) => f.slice(0, 2)))].slice(0, speakers);
  const taken = new Map<string, number>();
  fs.mkdirSync(path.join(root, 'wav'), { recursive: true });
  let n = 0;
  for (const f of files) {
    const key = f.slice(0, 2) + f[5];
    if (!wanted.includes(f.slice(0, 2)) || (taken.get(key) ?? 0) >= perSpeakerClass) continue;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    fs.copyFileSync(path.join(source, 'wav', f), path.join(root, 'wav', f));
    n++;
  }
  return n;
}
