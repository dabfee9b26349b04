import { describe, expect, it } from 'vitest';
import { loadResampler, resample, resampleSync } from './resample.js';
import { extractFeatures } from './extract-features.js';
import { defaultFeatureConfig, type FeatureConfig } from './feature-config-schema.js';
import { hzToMel, melToHz } from './mel.js';

/** Speech-like test signal defined in continuous time, so it can be sampled at any rate: tones, a glide, AM. */
function signalAt(sr: number, seconds: number): Float32Array {
  const n = Math.round(sr * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const am = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
    const glide = Math.sin(2 * Math.PI * (300 * t + 1500 * t * t));
    x[i] = am * (0.3 * Math.sin(2 * Math.PI * 180 * t) + 0.15 * Math.sin(2 * Math.PI * 2200 * t) + 0.05 * Math.sin(2 * Math.PI * 5100 * t)) + 0.1 * glide;
  }
  return x;
}

describe('resample', () => {
  it('keeps a 1 kHz tone and removes a tone above the new Nyquist (48 kHz -> 16 kHz)', async () => {
    const sr = 48000;
    const tone = (hz: number) => Float32Array.from({ length: sr / 2 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sr));
    const rms = (x: Float32Array) => Math.sqrt(x.subarray(500, -500).reduce((s, v) => s + v * v, 0) / (x.length - 1000));
    const pass = await resample(tone(1000), sr, 16000);
    expect(pass.length).toBeGreaterThanOrEqual(7999);
    expect(pass.length).toBeLessThanOrEqual(8001);
    expect(rms(pass)).toBeCloseTo(0.5 / Math.SQRT2, 3);
    expect(rms(await resample(tone(11000), sr, 16000))).toBeLessThan(1e-4);
  });

  it('returns the input when the rates match, and needs loading only for the sync form', async () => {
    const x = new Float32Array(10).fill(0.1);
    expect(resampleSync(x, 16000, 16000)).toBe(x);
    await loadResampler();
    expect(resampleSync(x, 16000, 8000).length).toBe(5);
  });

  it.each([44100, 48000])('a %i Hz and a 16 kHz version of one signal give comparable log-Mel features', async (sr) => {
    await loadResampler();
    const config: FeatureConfig = { ...defaultFeatureConfig, normalisation: 'none', nMels: 64 };
    const a = extractFeatures(signalAt(16000, 1.5), 16000, config);
    const b = extractFeatures(signalAt(sr, 1.5), sr, config);
    expect(Math.abs(a.frames - b.frames)).toBeLessThanOrEqual(1);
    // bands whose upper edge is below 7.5 kHz (the top one sits in the resampler's transition band)
    const edges = Array.from({ length: 66 }, (_, i) => melToHz((hzToMel(8000, 'slaney') * i) / 65, 'slaney'));
    const bands = edges.slice(2).filter((hz) => hz < 7500).length;
    let sum = 0;
    let count = 0;
    let loud = 0;
    for (let t = 5; t < Math.min(a.frames, b.frames) - 5; t++) {
      for (let m = 0; m < bands; m++) {
        const va = a.data[t * 64 + m];
        if (va < -40) continue; // compare where the signal has energy, not the numerical floor between tones
        sum += Math.abs(va - b.data[t * 64 + m]);
        count++;
        loud++;
      }
    }
    expect(loud).toBeGreaterThan(1000);
    expect(sum / count).toBeLessThan(0.1); // mean |difference| in dB
  });
});
