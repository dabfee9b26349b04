// Test helper: writes WAV files of any common layout from per-channel float samples in [-1, 1].

/** A WAV file: format 1 (PCM), 3 (float) or 0xfffe (extensible with sub-format `subformat`). */
export function makeWav(options: {
  channels: Float64Array[];
  sampleRateHz: number;
  bits: 8 | 16 | 24 | 32 | 64;
  float?: boolean;
  extensible?: boolean;
  declaredExtraBytes?: number; // makes the data chunk claim more bytes than it holds (a truncated file)
}): Uint8Array {
  const { channels, sampleRateHz, bits } = options;
  const nCh = channels.length;
  const n = channels[0].length;
  const bps = bits / 8;
  const dataBytes = n * nCh * bps;
  const fmtSize = options.extensible ? 40 : 16;
  const buf = new ArrayBuffer(12 + 8 + fmtSize + 8 + dataBytes);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const str = (o: number, s: string) => [...s].forEach((ch, i) => (u8[o + i] = ch.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, buf.byteLength - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  const code = options.float ? 3 : 1;
  v.setUint16(20, options.extensible ? 0xfffe : code, true);
  v.setUint16(22, nCh, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * nCh * bps, true);
  v.setUint16(32, nCh * bps, true);
  v.setUint16(34, bits, true);
  let o = 36;
  if (options.extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(38, bits, true);
    v.setUint32(40, nCh === 2 ? 3 : 4, true);
    v.setUint32(44, code, true); // sub-format GUID: code-0000-0010-8000-00aa00389b71
    u8.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
    o = 60;
  }
  str(o, 'data');
  v.setUint32(o + 4, dataBytes + (options.declaredExtraBytes ?? 0), true);
  o += 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nCh; c++) {
      const x = channels[c][i];
      if (options.float && bits === 32) v.setFloat32(o, x, true);
      else if (options.float) v.setFloat64(o, x, true);
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

/** The value a writer of `bits` stores for x, as the decoder should read it back. */
export function quantised(x: number, bits: number, float: boolean): number {
  if (float) return bits === 32 ? Math.fround(x) : x;
  if (bits === 8) return Math.round(x * 127) / 128;
  if (bits === 16) return Math.round(x * 32767) / 32768;
  if (bits === 24) return Math.round(x * 8388607) / 8388608;
  return Math.round(x * 2147483647) / 2147483648;
}
