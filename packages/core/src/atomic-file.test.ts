import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-file.js';

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

  it('removeStaleTempFiles clears what a killed writer left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-core-'));
    fs.writeFileSync(path.join(dir, '.x.bin.123.abc.tmp'), 'partial');
    fs.writeFileSync(path.join(dir, 'x.bin'), 'done');
    expect(removeStaleTempFiles(dir)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['x.bin']);
    expect(removeStaleTempFiles(path.join(dir, 'missing'))).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });
});
