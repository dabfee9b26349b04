import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSerError } from '@ser/core';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, readCheckpoint, writeCheckpoint } from './checkpoint.js';

describe('checkpoint files', () => {
  it('round-trip tensors exactly (float32 and float64) and metadata with NaN, Infinity and -0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-ckpt-'));
    try {
      const file = path.join(dir, 'c.bin');
      const f32 = Array.from(new Float32Array([0.1, -3.5, 1e-30, 7]));
      const f64 = [0.1, Math.PI, 2 ** 40 + 1];
      const meta = { epoch: 3, best: NaN, hi: Infinity, lo: -Infinity, z: -0, nested: { list: [1, NaN] }, rng: [1, 2, 3, 4294967295] };
      writeCheckpoint(file, {
        meta,
        tensors: { 'model/w': { shape: [2, 2], values: f32 }, 'loss/x': { shape: [3], values: f64 }, empty: { shape: [0], values: [] } },
      });
      const back = readCheckpoint(file);
      expect(back.meta).toEqual(meta);
      expect(Object.is(back.meta.z, -0)).toBe(true);
      expect(back.tensors['model/w']).toEqual({ shape: [2, 2], values: f32 });
      expect(back.tensors['loss/x'].values).toEqual(f64);
      expect(back.tensors.empty.values).toEqual([]);
      expect(fs.readdirSync(dir)).toEqual(['c.bin']); // no temporary left behind

      // a truncated file is refused with CHECKPOINT_INVALID
      fs.writeFileSync(file, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 4));
      expect(() => readCheckpoint(file)).toThrow(/runs past the end/);
      fs.writeFileSync(file, 'hello world, not a checkpoint');
      let err: unknown;
      try {
        readCheckpoint(file);
      } catch (e) {
        err = e;
      }
      expect(isSerError(err, 'CHECKPOINT_INVALID')).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a 1M-parameter state as 4 bytes per value', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-ckpt-'));
    try {
      const file = path.join(dir, 'big.bin');
      const values = Array.from(new Float32Array(1 << 20).map((_, i) => Math.sin(i)));
      writeCheckpoint(file, { meta: {}, tensors: { w: { shape: [1024, 1024], values } } });
      expect(fs.statSync(file).size).toBeLessThan(4 * (1 << 20) + 1024);
      const back = readCheckpoint(file).tensors.w.values;
      // byte comparison: a deep toEqual over 1M numbers takes seconds
      expect(Buffer.from(Float64Array.from(back).buffer).equals(Buffer.from(Float64Array.from(values).buffer))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encodeJson / decodeJson keep special numbers', () => {
    expect(decodeJson(encodeJson([NaN, -Infinity, 1.5]))).toEqual([NaN, -Infinity, 1.5]);
  });
});
