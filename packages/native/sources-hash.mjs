// The hash that stamps a build of the kernels, so a loader can refuse a build made from other
// sources: the native addon (tools/build-native.mjs writes it, src/index.ts checks it) and the
// wasm build (tools/build-wasm.mjs, src/wasm.ts). Plain JS, so the build scripts, which run
// without TypeScript, share it with the loaders.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** sha256 (16 hex digits) of the .cc and .h files in the folders `dirs` of csrc ('' is csrc itself), with their names. */
export function sourcesHash(csrc, dirs) {
  const h = createHash('sha256');
  for (const dir of dirs) {
    for (const f of fs
      .readdirSync(path.join(csrc, dir))
      .filter((n) => n.endsWith('.cc') || n.endsWith('.h'))
      .sort()) {
      h.update(`${dir}${f}\n`);
      h.update(fs.readFileSync(path.join(csrc, dir, f)));
    }
  }
  return h.digest('hex').slice(0, 16);
}
