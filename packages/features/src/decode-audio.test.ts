import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav, quantisedWavSample } from '@ser/core/testing';
import { decodeAudioBytes, decodeAudioFile, sniffAudioFormat } from './decode-audio.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-decode-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const fixtures = path.join(import.meta.dirname, 'fixtures', 'signals');

const left = Float64Array.from({ length: 300 }, (_, i) => 0.8 * Math.sin(i * 0.1));
const right = Float64Array.from({ length: 300 }, (_, i) => 0.5 * Math.cos(i * 0.37));

describe('decodeAudioBytes: WAV layouts', () => {
  const layouts = [
    { bits: 8, float: false },
    { bits: 16, float: false },
    { bits: 24, float: false },
    { bits: 32, float: false },
    { bits: 32, float: true },
    { bits: 64, float: true },
  ] as const;
  for (const { bits, float } of layouts) {
    for (const extensible of [false, true]) {
      it(`${float ? 'float' : 'PCM'} ${bits}-bit${extensible ? ' extensible' : ''}, stereo averaged to mono`, async () => {
        const bytes = encodeWav({ channels: [left, right], sampleRateHz: 22050, bits, float, extensible });
        const a = await decodeAudioBytes(bytes, 'x.wav');
        expect(a.sampleRateHz).toBe(22050);
        expect(a.channels).toBe(2);
        expect(a.samples.length).toBe(300);
        expect(a.durationS).toBeCloseTo(300 / 22050, 9);
        for (let i = 0; i < 300; i += 17) {
          const want = (quantisedWavSample(left[i], bits, float) + quantisedWavSample(right[i], bits, float)) / 2;
          expect(a.samples[i]).toBeCloseTo(want, 6);
        }
      });
    }
  }

  it('reads 8-bit as unsigned around 128, and mono as is', async () => {
    const a = await decodeAudioBytes(encodeWav({ channels: [left], sampleRateHz: 8000, bits: 8 }), 'u8.wav');
    expect(a.channels).toBe(1);
    expect(a.samples[0]).toBe(0);
    expect(a.samples[16]).toBeCloseTo(Math.round(left[16] * 127) / 128, 7);
  });

  it('reads a WAV whose data chunk starts at an odd offset (unaligned views)', async () => {
    const bytes = encodeWav({ channels: [left], sampleRateHz: 16000, bits: 16 });
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    const a = await decodeAudioBytes(padded.subarray(1), 'odd.wav');
    expect(a.samples[5]).toBeCloseTo(quantisedWavSample(left[5], 16, false), 7);
  });

  it('recognises the format by magic bytes, not the extension', async () => {
    const file = path.join(tmp, 'really-a-wav.flac');
    fs.writeFileSync(file, encodeWav({ channels: [left], sampleRateHz: 16000, bits: 16 }));
    expect((await decodeAudioFile(file)).samples.length).toBe(300);
    expect(sniffAudioFormat(fs.readFileSync(path.join(fixtures, 'emodb-0.flac')))).toBe('flac');
  });

  it('decodes FLAC to the same samples as the WAV it was made from', async () => {
    const wav = await decodeAudioFile(path.join(fixtures, 'emodb-0.wav'));
    const flac = await decodeAudioFile(path.join(fixtures, 'emodb-0.flac'));
    expect(flac.sampleRateHz).toBe(16000);
    expect(flac.samples.length).toBe(wav.samples.length);
    let maxDiff = 0;
    for (let i = 0; i < wav.samples.length; i++) maxDiff = Math.max(maxDiff, Math.abs(wav.samples[i] - flac.samples[i]));
    expect(maxDiff).toBeLessThan(1e-6);
  });
});

describe('decodeAudioFile: bad input', () => {
  const write = (name: string, bytes: Uint8Array | string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  const expectCode = async (file: string, code: string, what: RegExp) => {
    const err = await decodeAudioFile(file).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe(code);
    expect(err?.message).toContain(file);
    expect(err?.message).toMatch(what);
  };

  it('AUDIO_EMPTY for a 0-byte file and for a WAV without samples', async () => {
    await expectCode(write('empty.wav', ''), 'AUDIO_EMPTY', /empty/);
    await expectCode(write('nosamples.wav', encodeWav({ channels: [new Float64Array(0)], sampleRateHz: 16000, bits: 16 })), 'AUDIO_EMPTY', /no samples/);
  });
  it('AUDIO_TRUNCATED when the header promises more data than the file holds', async () => {
    await expectCode(
      write('cut.wav', encodeWav({ channels: [left], sampleRateHz: 16000, bits: 16, declaredExtraBytes: 1000 })),
      'AUDIO_TRUNCATED',
      /declares 1600 bytes/,
    );
    const flac = fs.readFileSync(path.join(fixtures, 'emodb-0.flac'));
    await expectCode(write('cut.flac', flac.subarray(0, flac.length >> 1)), 'AUDIO_TRUNCATED', /STREAMINFO declares 16000 samples/);
  });
  it('AUDIO_SILENT when every sample is zero', async () => {
    await expectCode(write('silent.wav', encodeWav({ channels: [new Float64Array(500)], sampleRateHz: 16000, bits: 16 })), 'AUDIO_SILENT', /zero/);
  });
  it('AUDIO_NON_FINITE for NaN in a float WAV, naming the sample', async () => {
    const x = Float64Array.from(left);
    x[123] = NaN;
    await expectCode(write('nan.wav', encodeWav({ channels: [x], sampleRateHz: 16000, bits: 32, float: true })), 'AUDIO_NON_FINITE', /sample 123/);
  });
  it('AUDIO_UNREADABLE for text, an unknown WAV encoding and a missing file', async () => {
    await expectCode(write('notes.wav', 'this is not audio at all'), 'AUDIO_UNREADABLE', /not a WAV .* or FLAC/);
    const adpcm = encodeWav({ channels: [left], sampleRateHz: 16000, bits: 16 });
    new DataView(adpcm.buffer).setUint16(20, 0x11, true); // IMA ADPCM
    await expectCode(write('adpcm.wav', adpcm), 'AUDIO_UNREADABLE', /encoding 0x11/);
    await expectCode(path.join(tmp, 'missing.wav'), 'AUDIO_UNREADABLE', /ENOENT/);
  });
});
