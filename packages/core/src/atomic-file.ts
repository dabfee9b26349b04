import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** This machine's name as it appears in temporary file names (shared folders: whose writer it was). */
export const TEMP_HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, '-');

/** .<name>.<host>.<pid>.<random>.tmp beside the file: a cleaner can tell a dead writer on this host from a live one elsewhere. */
function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${TEMP_HOST}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/**
 * Writes a file so readers see the old content or the whole new content, never a part:
 * write to a temporary file in the same folder, fsync it, rename it over the target, fsync the folder.
 * `durable: false` skips both fsyncs: still atomic for readers, but a power cut may leave the old
 * or an empty file -- for caches whose entries are validated on read and can be recomputed.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const durable = options.durable ?? true;
  const dir = path.dirname(file);
  const tmp = tempPathFor(file);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // the folder is missing: make it only then (a mkdir per write costs as much as the write)
    fs.mkdirSync(dir, { recursive: true });
    fd = fs.openSync(tmp, 'w');
  }
  try {
    fs.writeFileSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true }); // e.g. the disk is full: leave nothing behind
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  if (!durable) return;
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // some file systems refuse fsync on a folder; the rename itself is still atomic
  }
}

/**
 * writeFileAtomic without blocking this thread: the same temporary file + rename, on libuv's
 * threads, so a caller can compute the next thing while the file system works. Not fsynced
 * (`durable: false` semantics): for caches whose entries are validated on read.
 */
export async function writeFileAtomicAsync(file: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = tempPathFor(file);
  try {
    await fs.promises.writeFile(tmp, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(tmp, data);
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
