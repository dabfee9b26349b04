import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitCommit } from './version.js';
import { tempDir } from './test-support.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=ser', '-c', 'user.email=ser@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with one commit of a.txt; returns its folder and the commit. */
function repo(): { dir: string; sha: string } {
  const dir = tempDir('git');
  dirs.push(dir);
  git(dir, 'init', '-q');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one\n');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-q', '-m', 'one');
  return { dir, sha: git(dir, 'rev-parse', 'HEAD') };
}

describe('gitCommit', () => {
  it('is the HEAD commit of a clean checkout', () => {
    const { dir, sha } = repo();
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(gitCommit({ root: dir })).toBe(sha);
  });

  it('marks a tree with uncommitted edits to tracked files -dirty (staged or not), but not for untracked files', () => {
    const { dir, sha } = repo();
    fs.writeFileSync(path.join(dir, 'new.txt'), 'untracked\n');
    expect(gitCommit({ root: dir })).toBe(sha);
    fs.writeFileSync(path.join(dir, 'a.txt'), 'two\n');
    expect(gitCommit({ root: dir })).toBe(`${sha}-dirty`);
    git(dir, 'add', 'a.txt');
    expect(gitCommit({ root: dir })).toBe(`${sha}-dirty`);
  });

  it('follows packed refs and a new commit', () => {
    const { dir } = repo();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'two\n');
    git(dir, 'commit', '-q', '-am', 'two');
    git(dir, 'pack-refs', '--all');
    expect(gitCommit({ root: dir })).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it("reads a worktree's own HEAD (a .git file, not a folder)", () => {
    const { dir, sha } = repo();
    const wt = path.join(dir, '..', `${path.basename(dir)}-wt`);
    dirs.push(wt);
    git(dir, 'worktree', 'add', '-q', '-b', 'side', wt);
    fs.writeFileSync(path.join(wt, 'a.txt'), 'side\n');
    git(wt, 'commit', '-q', '-am', 'side');
    const sideSha = git(wt, 'rev-parse', 'HEAD');
    expect(fs.statSync(path.join(wt, '.git')).isFile()).toBe(true);
    expect(sideSha).not.toBe(sha);
    expect(gitCommit({ root: wt })).toBe(sideSha);
    expect(gitCommit({ root: dir })).toBe(sha);
  });

  it("is 'unknown' outside a checkout, inside someone else's, and without git", () => {
    const plain = tempDir('nogit');
    dirs.push(plain);
    expect(gitCommit({ root: plain })).toBe('unknown');
    const { dir } = repo();
    const nested = path.join(dir, 'vendored');
    fs.mkdirSync(nested);
    expect(gitCommit({ root: nested })).toBe('unknown');
    expect(gitCommit({ root: dir, git: path.join(plain, 'no-such-git') })).toBe('unknown');
  });
});
