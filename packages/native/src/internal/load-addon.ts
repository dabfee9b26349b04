import fs from 'node:fs';
import { createRequire } from 'node:module';
import { sourcesHash } from '../../sources-hash.mjs';
import type { NativeAddon } from '../index.js';

/**
 * Loads the addon at addonPath if its stamp (written by tools/build-native.mjs) names the hash of
 * the sources in srcDir and the addon reports kernel API apiVersion; else null and the reason,
 * which names the fix.
 */
export function loadAddon(addonPath: string, stampPath: string, srcDir: string, apiVersion: number): { addon: NativeAddon | null; reason: string } {
  if (!fs.existsSync(addonPath)) return { addon: null, reason: `${addonPath} is not built (run \`npm run setup\`)` };
  const stamp = fs.existsSync(stampPath) ? fs.readFileSync(stampPath, 'utf8').split(' ')[0] : '';
  if (stamp !== sourcesHash(srcDir, [''])) {
    return { addon: null, reason: `${addonPath} was built from other sources than packages/native/csrc holds now (run \`npm run setup\` to rebuild it)` };
  }
  try {
    const mod = createRequire(import.meta.url)(addonPath) as NativeAddon;
    if (mod.apiVersion !== apiVersion) {
      return { addon: null, reason: `${addonPath} has kernel API ${mod.apiVersion}, this source needs ${apiVersion} (run \`npm run setup\` to rebuild it)` };
    }
    return { addon: mod, reason: '' };
  } catch (err) {
    return { addon: null, reason: `${addonPath} does not load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}
