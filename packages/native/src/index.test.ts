import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourcesHash } from '../sources-hash.mjs';
import { NATIVE_ADDON_PATH, NATIVE_API_VERSION, loadNative, nativeStatus } from './index.js';
import { loadAddon } from './internal/load-addon.js';

const hasCompiler = spawnSync(process.env.CXX ?? 'c++', ['--version']).status === 0;

describe('@ser/native', () => {
  it.runIf(hasCompiler)("loads the addon npm install built, with this source's kernel API, wherever a C++ compiler is", () => {
    expect(nativeStatus()).toEqual({ loaded: true });
    expect(loadNative()!.apiVersion).toBe(NATIVE_API_VERSION);
  });

  it('says why when the addon does not load, and loadNative agrees with nativeStatus', () => {
    const status = nativeStatus();
    expect(loadNative() !== null).toBe(status.loaded);
    if (!status.loaded) expect(status.reason).toContain(NATIVE_ADDON_PATH);
  });

  it.runIf(nativeStatus().loaded)('rejects arguments that do not match their dims, naming the call', () => {
    const n = loadNative()!;
    const dims = Int32Array.from([1, 4, 4, 1, 8, 3, 3, 1, 1, 1, 1, 2, 2, 1]);
    const y = new Float32Array(32);
    expect(() => n.convPoolForward(dims, new Float32Array(15), new Float32Array(72), new Float32Array(8), y, new Uint8Array(32))).toThrow(
      /convPoolForward: .*lengths/,
    );
    expect(() => n.convPoolForward(Int32Array.from([1, 2]), new Float32Array(16), new Float32Array(72), new Float32Array(8), y, new Uint8Array(32))).toThrow(
      /Int32Array of 14/,
    );
    expect(() =>
      n.spectrogramFrames(
        Int32Array.from([3, 10, 64, 0, 0, 1, 1]),
        Float64Array.from([1, 1e-10]),
        new Float64Array(50),
        new Float64Array(64),
        null,
        null,
        null,
        null,
        new Float64Array(99),
      ),
    ).toThrow(/signal must cover every frame/);
  });
});

describe('loadAddon: every way an addon is refused, with its fix', () => {
  // A stand-in for csrc and a build folder; a CommonJS module plays the addon (require loads both).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-native-load-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'csrc');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'kernel.cc'), 'int f() { return 1; }\n');
  const stamp = path.join(dir, 'addon.stamp');
  const addonModule = (file: string, apiVersion: number) => {
    const p = path.join(dir, file);
    fs.writeFileSync(p, `module.exports = { apiVersion: ${apiVersion}, marker: '${file}' };\n`);
    return p;
  };
  const writeStamp = (hash: string) => fs.writeFileSync(stamp, `${hash} -O3 -std=c++17\n`);

  it('not built: null, and the fix is npm run setup', () => {
    const r = loadAddon(path.join(dir, 'absent.node'), stamp, src, 4);
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/absent\.node is not built \(run `npm run setup`\)/);
  });

  it('no stamp, or a stamp of other sources: refused as stale', () => {
    const file = addonModule('stale.cjs', 4);
    expect(loadAddon(file, stamp, src, 4)).toEqual({ addon: null, reason: expect.stringMatching(/stale\.cjs was built from other sources .*npm run setup/) });
    writeStamp('0123456789abcdef');
    expect(loadAddon(file, stamp, src, 4).addon).toBeNull();
    // the same addon with the stamp of these sources loads; editing a source makes it stale again
    writeStamp(sourcesHash(src, ['']));
    expect(loadAddon(file, stamp, src, 4).addon).toMatchObject({ apiVersion: 4, marker: 'stale.cjs' });
    fs.writeFileSync(path.join(src, 'kernel.cc'), 'int f() { return 2; }\n');
    expect(loadAddon(file, stamp, src, 4).reason).toMatch(/built from other sources/);
    writeStamp(sourcesHash(src, ['']));
  });

  it('another kernel API: refused, naming both versions', () => {
    writeStamp(sourcesHash(src, ['']));
    const r = loadAddon(addonModule('old-api.cjs', 3), stamp, src, 4);
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/old-api\.cjs has kernel API 3, this source needs 4 \(run `npm run setup` to rebuild it\)/);
  });

  it('a file that does not load: refused with the loader error', () => {
    writeStamp(sourcesHash(src, ['']));
    const bad = path.join(dir, 'broken.node');
    fs.writeFileSync(bad, 'not a shared object');
    const r = loadAddon(bad, stamp, src, 4);
    expect(r.addon).toBeNull();
    expect(r.reason).toMatch(/broken\.node does not load: .+/);
  });
});
