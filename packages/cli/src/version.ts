import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (where package.json, experiments/ and configs/ are). */
export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The code version stored with results and hashed into cell ids: the workspace's package version. */
export function cliVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')).version;
}

/** The git commit of the workspace, or 'unknown' outside a git checkout. */
export function gitCommit(): string {
  try {
    const head = fs.readFileSync(path.join(workspaceRoot, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = path.join(workspaceRoot, '.git', ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    const packed = fs.readFileSync(path.join(workspaceRoot, '.git', 'packed-refs'), 'utf8');
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The command that starts a worker process running this CLI: node + the bin (which registers tsx). */
export function workerCommand(): string[] {
  return [process.execPath, path.join(workspaceRoot, 'packages', 'cli', 'bin', 'ser.mjs')];
}
