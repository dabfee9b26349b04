import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NATIVE_API_VERSION, loadNative, nativeStatus } from './index.js';

describe('@ser/native', () => {
  it('loads the addon npm install built, with this source\'s kernel API, wherever a C++ compiler is', () => {
    if (spawnSync(process.env.CXX ?? 'c++', ['--version']).status !== 0) {
      expect(nativeStatus().reason).toMatch(/npm run setup|does not load/);
      return;
    }
    expect(nativeStatus()).toEqual({ loaded: true });
    expect(loadNative()!.apiVersion).toBe(NATIVE_API_VERSION);
  });

  it.runIf(nativeStatus().loaded)('rejects arguments that do not match their dims, naming the call', () => {
    const n = loadNative()!;
    const dims = Int32Array.from([1, 4, 4, 1, 8, 3, 3, 1, 1, 1, 1, 2, 2, 1]);
    const y = new Float32Array(32);
    expect(() => n.convPoolForward(dims, new Float32Array(15), new Float32Array(72), new Float32Array(8), y, new Uint8Array(32))).toThrow(/convPoolForward: .*lengths/);
    expect(() => n.convPoolForward(Int32Array.from([1, 2]), new Float32Array(16), new Float32Array(72), new Float32Array(8), y, new Uint8Array(32))).toThrow(/Int32Array of 14/);
    expect(() =>
      n.spectrogramFrames(Int32Array.from([3, 10, 64, 0, 0, 1, 1]), Float64Array.from([1, 1e-10]), new Float64Array(50), new Float64Array(64), null, null, null, null, new Float64Array(99)),
    ).toThrow(/signal must cover every frame/);
  });
});
