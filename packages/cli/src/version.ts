import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (where package.json, experiments/ and configs/ are). */
export const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The code version stored with results and hashed into cell ids: the workspace's package version. */
export function cliVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')).version;
}

/**
 * The git commit of the workspace as `git rev-parse HEAD` gives it, with '-dirty' appended when
 * tracked files differ from it (uncommitted edits, staged or not; untracked files do not count,
 * as in `git describe --dirty`); 'unknown' without git, outside a checkout, or when the checkout
 * found is not the workspace's own (the project copied into some other repository). Worktrees,
 * packed refs and detached heads are git's business, not ours.
 */
export function gitCommit(options: { root?: string; git?: string } = {}): string {
  const root = options.root ?? workspaceRoot;
  const git = (args: string[]) => {
    try {
      const r = spawnSync(options.git ?? 'git', ['-C', root, ...args], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
      return r.status === 0 ? r.stdout : null;
    } catch {
      return null;
    }
  };
  const out = git(['rev-parse', '--show-toplevel', 'HEAD'])?.trim().split('\n');
  if (!out || out.length !== 2 || !/^[0-9a-f]{40,64}$/.test(out[1])) return 'unknown';
  const [top, sha] = out;
  if (!sameDir(top, root)) return 'unknown';
  const changes = git(['status', '--porcelain', '--untracked-files=no']);
  // a status that fails (a broken index) says nothing about the tree: report the commit alone
  return changes !== null && changes.trim() !== '' ? `${sha}-dirty` : sha;
}

function sameDir(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** The command that starts a worker process running this CLI: node + the bin (which registers tsx). */
export function workerCommand(): string[] {
  return [process.execPath, path.join(workspaceRoot, 'packages', 'cli', 'bin', 'ser.mjs')];
}
