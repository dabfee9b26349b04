import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMP_HOST, writeFileAtomic } from './atomic-file.js';

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
