import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '@ser/core';
import { nativeStatus, wasmKernelsStatus } from '@ser/native';
import { defaultFeatureConfig, type FeatureConfig } from '../feature-config-schema.js';
import { extractFeatures } from '../extract-features.js';
import { parseNativeFeaturesSwitch, setNativeFeatures } from './native-frames.js';

// extractFeatures' frame loop runs natively where @ser/native is built, in its WebAssembly build
// where it is not, and in JS where neither runs: all must give the same features (float64, the
// same algorithm), for every kind of config.

function signal(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.05 * rng.normal();
  return x;
}

/** The frames from a build: the addon ('native'), the wasm build, or the JS loop ('js'). */
function run(build: 'native' | 'wasm' | 'js', x: Float32Array, config: FeatureConfig) {
  setNativeFeatures(build === 'native' ? 'auto' : build === 'js' ? 'off' : 'wasm');
  return extractFeatures(x, 16000, config);
}

afterEach(() => {
  setNativeFeatures('auto');
});

describe('the SER_NATIVE_FEATURES switch (read by the CLI)', () => {
  it('keeps its values: 0 the JS loop, wasm the wasm build, anything else (or unset) the default', () => {
    expect(parseNativeFeaturesSwitch('0')).toBe('off');
    expect(parseNativeFeaturesSwitch('wasm')).toBe('wasm');
    expect(parseNativeFeaturesSwitch(undefined)).toBe('auto');
    expect(parseNativeFeaturesSwitch('1')).toBe('auto');
  });
});

describe('the compiled spectrogram frames', () => {
  it('are built wherever a C++ compiler is (npm install builds them)', () => {
    if (spawnSync(process.env.CXX ?? 'c++', ['--version']).status !== 0) return; // JS frames then, covered below and by the parity suite
    expect(nativeStatus()).toEqual({ loaded: true });
  });

  const base = { ...defaultFeatureConfig, normalisation: 'none' } as FeatureConfig;
  const cases: [string, FeatureConfig][] = [
    ['log-Mel dB, 40 ms Hamming (the paper)', base],
    ['log-Mel, 25 ms Hann, nFft 512, topDb 80', { ...base, windowMs: 25, window: 'hann', compression: { type: 'db', floor: 1e-10, topDb: 80 } }],
    ['STFT magnitude dB', { ...base, kind: 'stft', spectrum: 'magnitude' }],
    ['STFT power, no compression', { ...base, kind: 'stft', compression: { type: 'none', floor: 1e-10, topDb: null } }],
    [
      'HTK Mel, natural log, pre-emphasis, not centred',
      { ...base, melScale: 'htk', melNorm: 'none', compression: { type: 'log', floor: 1e-6, topDb: null }, preEmphasis: 0.97, center: false, nMels: 40 },
    ],
    ['MFCC 20 over 64 Mel bins, 20 ms window (nFft 512, radix-2 first stage)', { ...base, kind: 'mfcc', nMfcc: 20, nMels: 64, windowMs: 20 }],
    ['per-utterance normalisation', { ...base, normalisation: 'utterance' }],
  ];
  const builds = [...(nativeStatus().loaded ? ['native' as const] : []), ...(wasmKernelsStatus().loaded ? ['wasm' as const] : [])];
  it('the wasm build runs on every machine (it is committed)', () => {
    expect(builds).toContain('wasm');
  });
  describe.each(builds)('%s build', (build) => {
    it.each(cases)('equal the JS frames: %s', (_name, config) => {
      for (const n of [1100, 16000 * 2 + 123]) {
        const x = signal(n, n);
        const js = run('js', x, config);
        const nat = run(build, x, config);
        expect([nat.frames, nat.bins]).toEqual([js.frames, js.bins]);
        let d = 0;
        for (let i = 0; i < js.data.length; i++) d = Math.max(d, Math.abs(nat.data[i] - js.data[i]) / Math.max(1, Math.abs(js.data[i])));
        expect(d).toBeLessThan(1e-6);
      }
    });
  });
});
