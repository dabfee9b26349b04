import { describe, expect, it } from 'vitest';
import { isStartupNoise, TfStartupFilter } from '../bin/tf-startup-filter.mjs';
import { ser } from './test-support.js';

// What libtensorflow 2.21 prints on fd 2 while it loads (the first two at any TF_CPP_MIN_LOG_LEVEL).
const BANNER = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
const ONEDNN =
  'I0000 00:00:1796486840.844600    7848 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.';
const GUARD =
  'I0000 00:00:1796486852.580255    8000 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.';
const GUARD_TAIL = 'To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.';
const WARN =
  "W0000 00:00:1796486852.580255    8000 dso_loader.cc:78] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file";
const ERR = 'E0000 00:00:1796486852.580255    8000 cuda_driver.cc:282] failed call to cuInit: UNKNOWN ERROR (303)';

/** Pushes the text in pieces of `size` characters, as a pipe may deliver it. */
function filtered(text: string, size: number): string {
  const f = new TfStartupFilter();
  let out = '';
  for (let i = 0; i < text.length; i += size) out += f.push(text.slice(i, i + size));
  return out + f.end();
}

describe('TfStartupFilter', () => {
  it("drops absl's banner and INFO lines (with cpu_feature_guard's second line), whole, however the text is cut", () => {
    const text = [BANNER, ONEDNN, GUARD, GUARD_TAIL, 'engine: tfjs-node (tf backend tensorflow)', ''].join('\n');
    for (const size of [...Array.from({ length: 120 }, (_, i) => i + 1), 10_000])
      expect(filtered(text, size)).toBe('engine: tfjs-node (tf backend tensorflow)\n');
  });

  it("keeps TensorFlow's warnings and errors, and a 'To enable' line that follows no notice", () => {
    const text = [BANNER, WARN, ERR, GUARD_TAIL, 'error: [ENGINE_UNAVAILABLE] backend tfjs-node-gpu could not be loaded', ''].join('\n');
    expect(filtered(text, 5)).toBe([WARN, ERR, GUARD_TAIL, 'error: [ENGINE_UNAVAILABLE] backend tfjs-node-gpu could not be loaded', ''].join('\n'));
    expect(isStartupNoise(WARN)).toBe(false);
    expect(isStartupNoise(ERR)).toBe(false);
    expect(isStartupNoise(GUARD_TAIL)).toBe(false);
    expect(isStartupNoise(GUARD_TAIL, true)).toBe(true);
  });

  it('forwards a progress bar without waiting for its newline, and holds only what could still be a notice', () => {
    const f = new TfStartupFilter();
    expect(f.push('\r[cell 0] features [##....] 2/9 files')).toBe('\r[cell 0] features [##....] 2/9 files');
    expect(f.push('\r[cell 0] features [###...] 3/9 files')).toBe('\r[cell 0] features [###...] 3/9 files');
    expect(f.push('\n')).toBe('\n');
    expect(f.push('I0000 00:00:17964')).toBe(''); // the start of an INFO line: held
    expect(f.push('86840.8 7848 port.cc:153] oneDNN\nInfo: not TensorFlow')).toBe('Info: not TensorFlow');
    expect(f.push(' at all\n')).toBe(' at all\n');
    expect(f.push('WARNING: All log')).toBe('');
    expect(f.end()).toBe('WARNING: All log'); // never completed: given back at the end
  });
});

describe('ser doctor (loads libtensorflow)', () => {
  const noise = (stderr: string) => stderr.split('\n').filter((l) => isStartupNoise(l));

  it('prints no start-up notice without --verbose, and the same lines as --verbose otherwise; real errors still show', () => {
    const quiet = ser(['doctor']);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).toMatch(/^engine: /m);
    expect(noise(quiet.stderr)).toEqual([]);
    expect(quiet.stderr).not.toContain('absl::InitializeLog');
    const verbose = ser(['doctor', '--verbose']);
    expect(verbose.status, verbose.stderr).toBe(0);
    // libtensorflow 2.21 (this project's build) says oneDNN is on; the filter took out nothing else
    expect(verbose.stderr).toContain(BANNER);
    expect(noise(verbose.stderr).length).toBeGreaterThan(0);
    const kept = verbose.stderr.split('\n').filter((l, i, all) => !isStartupNoise(l, i > 0 && isStartupNoise(all[i - 1])));
    expect(kept.filter((l) => l.startsWith('engine: '))).toEqual(quiet.stderr.split('\n').filter((l) => l.startsWith('engine: ')));
    const bad = ser(['doctor', '--backend', 'nope']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("error: [CONFIG_INVALID] engine.backend: unknown backend 'nope'");
  });
});
