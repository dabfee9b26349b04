import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav, quantisedWavSample, writeWav } from './testing.js';

const view = (u8: Uint8Array) => new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
const ascii = (u8: Uint8Array, at: number, n: number) => String.fromCharCode(...u8.subarray(at, at + n));

describe('encodeWav', () => {
  it('writes a canonical 44-byte PCM header and interleaves the channels', () => {
    const u8 = encodeWav({
      channels: [
        [0.5, -0.5],
        [0.25, -1],
      ],
      sampleRateHz: 8000,
      bits: 16,
    });
    const v = view(u8);
    expect(u8.length).toBe(44 + 2 * 2 * 2);
    expect([ascii(u8, 0, 4), ascii(u8, 8, 8), ascii(u8, 36, 4)]).toEqual(['RIFF', 'WAVEfmt ', 'data']);
    expect(v.getUint32(4, true)).toBe(u8.length - 8);
    expect([v.getUint16(20, true), v.getUint16(22, true), v.getUint32(24, true), v.getUint32(28, true), v.getUint16(32, true), v.getUint16(34, true)]).toEqual([
      1, 2, 8000, 32000, 4, 16,
    ]);
    expect(v.getUint32(40, true)).toBe(8);
    expect([0, 1, 2, 3].map((k) => v.getInt16(44 + 2 * k, true))).toEqual([16384, 8192, -16383, -32767]); // round(x * 32767), halves up
  });

  it('writes float and extensible layouts, and a data chunk that claims more than it holds', () => {
    const f = view(encodeWav({ channels: [[0.1]], sampleRateHz: 16000, bits: 32, float: true }));
    expect(f.getUint16(20, true)).toBe(3);
    expect(f.getFloat32(44, true)).toBe(Math.fround(0.1));
    const x = encodeWav({ channels: [[0]], sampleRateHz: 16000, bits: 24, extensible: true, declaredExtraBytes: 100 });
    expect(view(x).getUint16(20, true)).toBe(0xfffe);
    expect(view(x).getUint32(44, true)).toBe(1); // PCM sub-format
    expect(ascii(x, 60, 4)).toBe('data');
    expect(view(x).getUint32(64, true)).toBe(3 + 100);
  });

  it('clamps integer samples to [-1, 1] and rejects channels of different lengths', () => {
    const v = view(encodeWav({ channels: [[2, -3]], sampleRateHz: 8000, bits: 16 }));
    expect([v.getInt16(44, true), v.getInt16(46, true)]).toEqual([32767, -32767]);
    expect(() => encodeWav({ channels: [[0, 0], [0]], sampleRateHz: 8000, bits: 16 })).toThrow(/same length, got 2, 1/);
  });
});

describe('writeWav / quantisedWavSample', () => {
  it('writes a mono 16-bit file into a new folder; the stored values are what quantisedWavSample says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-core-wav-'));
    try {
      const file = path.join(dir, 'a', 'b', 'tone.wav');
      const samples = Float32Array.from({ length: 100 }, (_, i) => 0.8 * Math.sin(i / 3));
      writeWav(file, samples, 16000);
      const v = view(new Uint8Array(fs.readFileSync(file)));
      expect(v.byteLength).toBe(44 + 200);
      expect(v.getUint16(22, true)).toBe(1);
      for (const i of [0, 7, 99]) expect(v.getInt16(44 + 2 * i, true) / 32768).toBe(quantisedWavSample(samples[i], 16, false));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
