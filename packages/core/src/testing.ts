// Test support only: WAV fixtures for the tests of every package that reads audio.
// Import it from '@ser/core/testing' in *.test.ts files and test helpers.
import fs from 'node:fs';
import path from 'node:path';

/** What encodeWav writes: per-channel samples in [-1, 1] and the container's layout. */
export interface WavSpec {
  /** One array per channel, all the same length; integer formats clamp to [-1, 1], floats are stored as given. */
  channels: ArrayLike<number>[];
  sampleRateHz: number;
  bits: 8 | 16 | 24 | 32 | 64;
  /** IEEE float samples (bits 32 or 64) instead of PCM integers. */
  float?: boolean;
  /** WAVE_FORMAT_EXTENSIBLE (0xfffe) with the PCM or float sub-format GUID. */
  extensible?: boolean;
  /** Makes the data chunk claim this many bytes more than it holds (a truncated file). */
  declaredExtraBytes?: number;
}

/** A WAV file's bytes: format 1 (PCM), 3 (float) or 0xfffe (extensible), channels interleaved. */
export function encodeWav(spec: WavSpec): Uint8Array {
  const { channels, sampleRateHz, bits } = spec;
  const nCh = channels.length;
  const n = channels[0].length;
  if (channels.some((c) => c.length !== n)) throw new Error(`encodeWav: channels must have the same length, got ${channels.map((c) => c.length).join(', ')}`);
  const bps = bits / 8;
  const dataBytes = n * nCh * bps;
  const fmtSize = spec.extensible ? 40 : 16;
  const buf = new ArrayBuffer(12 + 8 + fmtSize + 8 + dataBytes);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const str = (o: number, s: string) => [...s].forEach((ch, i) => (u8[o + i] = ch.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, buf.byteLength - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  const code = spec.float ? 3 : 1;
  v.setUint16(20, spec.extensible ? 0xfffe : code, true);
  v.setUint16(22, nCh, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * nCh * bps, true);
  v.setUint16(32, nCh * bps, true);
  v.setUint16(34, bits, true);
  let o = 36;
  if (spec.extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(38, bits, true);
    v.setUint32(40, nCh === 2 ? 3 : 4, true);
    v.setUint32(44, code, true); // sub-format GUID: code-0000-0010-8000-00aa00389b71
    u8.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
    o = 60;
  }
  str(o, 'data');
  v.setUint32(o + 4, dataBytes + (spec.declaredExtraBytes ?? 0), true);
  o += 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nCh; c++) {
      const raw = channels[c][i];
      const x = spec.float ? raw : Math.max(-1, Math.min(1, raw));
      if (spec.float && bits === 32) v.setFloat32(o, x, true);
      else if (spec.float) v.setFloat64(o, x, true);
      else if (bits === 8) v.setUint8(o, Math.round(x * 127) + 128);
      else if (bits === 16) v.setInt16(o, Math.round(x * 32767), true);
      else if (bits === 24) {
        const q = Math.round(x * 8388607);
        v.setUint8(o, q & 0xff);
        v.setUint8(o + 1, (q >> 8) & 0xff);
        v.setUint8(o + 2, (q >> 16) & 0xff);
      } else v.setInt32(o, Math.round(x * 2147483647), true);
      o += bps;
    }
  }
  return u8;
}

/** Writes a mono PCM WAV (16-bit unless `bits` says otherwise) of samples in [-1, 1] to file, making its folder. */
export function writeWav(file: string, samples: ArrayLike<number>, sampleRateHz: number, bits: 8 | 16 | 24 | 32 = 16): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeWav({ channels: [samples], sampleRateHz, bits }));
}

/** The value encodeWav stores for x at `bits`, as a decoder scaling by 2^(bits-1) reads it back. */
export function quantisedWavSample(x: number, bits: number, float: boolean): number {
  if (float) return bits === 32 ? Math.fround(x) : x;
  if (bits === 8) return Math.round(x * 127) / 128;
  if (bits === 16) return Math.round(x * 32767) / 32768;
  if (bits === 24) return Math.round(x * 8388607) / 8388608;
  return Math.round(x * 2147483647) / 2147483648;
}
