import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMP_HOST, writeFileAtomic, writeFileAtomicAsync } from './atomic-file.js';

describe('writeFileAtomic', () => {
  it('writes the whole content, replacing the old one, and leaves no temporary file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-core-'));
    const file = path.join(dir, 'sub', 'x.bin');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['x.bin']);
    fs.rmSync(dir, { recursive: true });
  });

  it('names its temporary file after this host and process, so a cleaner can tell whose it is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-core-'));
    const file = path.join(dir, 'y.txt');
    const real = fs.renameSync;
    let seen = '';
    (fs as any).renameSync = (from: string, to: string) => {
      seen = path.basename(from);
      return real(from, to);
    };
    try {
      writeFileAtomic(file, 'x', { durable: false });
    } finally {
      (fs as any).renameSync = real;
    }
    expect(seen).toMatch(new RegExp(`^\\.y\\.txt\\.${TEMP_HOST}\\.${process.pid}\\.[a-z0-9]+\\.tmp$`));
    fs.rmSync(dir, { recursive: true });
  });
});

describe('writeFileAtomicAsync', () => {
  it('writes the whole file into a folder it makes when missing, and leaves no temporary file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-atomic-async-'));
    const file = path.join(dir, 'a', 'b', 'entry.bin');
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    await Promise.all([writeFileAtomicAsync(file, data), writeFileAtomicAsync(path.join(dir, 'a', 'b', 'other.bin'), data)]);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(data);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['entry.bin', 'other.bin']);
    // a folder that cannot be made: the error comes back, nothing is left behind
    fs.writeFileSync(path.join(dir, 'plain'), 'x');
    await expect(writeFileAtomicAsync(path.join(dir, 'plain', 'x.bin'), data)).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
