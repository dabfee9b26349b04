import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { afterAll, describe, expect, it } from 'vitest';
import { readWavInfo } from './wav-info.js';
import { makeTmpDir } from './test-wav.js';

const tmp = makeTmpDir('wavinfo');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('readWavInfo', () => {
  it('reads rate, channels, bits and duration of a stereo 24-bit file with a LIST chunk before data', () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(2, 22050, '24', [new Int32Array(11025), new Int32Array(11025)]);
    wav.setTag('ICMT', 'a comment that precedes the data chunk');
    const file = path.join(tmp, 'list.wav');
    fs.writeFileSync(file, wav.toBuffer());
    // the LIST chunk really sits before 'data' in what wavefile wrote
    const bytes = fs.readFileSync(file);
    expect(bytes.indexOf('LIST')).toBeGreaterThan(0);
    expect(readWavInfo(file)).toEqual({ sampleRateHz: 22050, channels: 2, bitsPerSample: 24, durationS: 0.5 });
  });

  it('counts only the bytes present in a truncated file, and returns null for non-WAV or missing files', () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 16000, '16', new Int16Array(16000));
    const full = wav.toBuffer();
    const cut = path.join(tmp, 'cut.wav');
    fs.writeFileSync(cut, full.subarray(0, 44 + 8000));
    expect(readWavInfo(cut)!.durationS).toBeCloseTo(0.25, 9);
    const text = path.join(tmp, 'x.wav');
    fs.writeFileSync(text, 'not a wav file at all');
    expect(readWavInfo(text)).toBeNull();
    expect(readWavInfo(path.join(tmp, 'absent.wav'))).toBeNull();
    const empty = path.join(tmp, 'empty.wav');
    fs.writeFileSync(empty, '');
    expect(readWavInfo(empty)).toBeNull();
  });
});
