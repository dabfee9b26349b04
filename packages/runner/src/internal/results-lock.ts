import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerError } from '@ser/core';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/**
 * Takes <resultsDir>/.ser-run.lock for the duration of a sweep, so that a second `ser run` on the
 * same folder stops with a message naming the first instead of training every cell a second time.
 * A lock left by a process that no longer runs (same host, pid gone: killed with -9) is taken
 * over. Returns the release function. Locks from another host are respected (a shared results folder
 * on a cluster file system); remove the file by hand if that host is gone.
 */
export function lockResults(resultsDir: string, command: string): () => void {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, '.ser-run.lock');
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return () => {
        try {
          const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
          if (owner.pid === me.pid && owner.host === me.host) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
      throw new SerError(
        'RESULTS_IN_USE',
        `${resultsDir} is in use by another sweep: ${owner.command} (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}); wait for it to finish, or stop it (its finished cells stay stored and a later run resumes). If that process is gone, delete ${file}.`,
        { details: { file, owner } },
      );
    }
    // stale (its process is gone) or unreadable: take it over
    fs.rmSync(file, { force: true });
  }
  throw new SerError('RESULTS_IN_USE', `${resultsDir}: could not take ${file}; another sweep is starting on this folder at the same moment`, {
    details: { file },
  });
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
