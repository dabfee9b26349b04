import { isSerError, silentLogger, type Logger } from '@ser/core';
import type { FeatureConfig, FeatureMatrix } from './feature-config.js';
import { computeFileFeatures, type FeatureCache } from './feature-cache.js';

/** A file extractCorpus left out, with the SerError code and message saying why. */
export interface SkippedAudio {
  path: string;
  code: string;
  message: string;
}

const AUDIO_CODES = new Set(['AUDIO_UNREADABLE', 'AUDIO_EMPTY', 'AUDIO_TRUNCATED', 'AUDIO_SILENT', 'AUDIO_NON_FINITE']);

/**
 * Features of many files (through the cache when given). onBadAudio 'stop' (default) rethrows the first bad
 * file's SerError; 'skip' logs it, lists it in `skipped` and goes on. Other errors (cache I/O) always stop.
 */
export async function extractCorpus(
  paths: readonly string[],
  config: FeatureConfig,
  options: {
    cache?: FeatureCache;
    onBadAudio?: 'skip' | 'stop';
    logger?: Logger;
    onProgress?: (p: { done: number; total: number; path: string }) => void;
  } = {},
): Promise<{ features: Map<string, FeatureMatrix>; skipped: SkippedAudio[] }> {
  const logger = options.logger ?? silentLogger;
  const onBad = options.onBadAudio ?? 'stop';
  const features = new Map<string, FeatureMatrix>();
  const skipped: SkippedAudio[] = [];
  for (const [i, p] of paths.entries()) {
    try {
      const mat = options.cache ? await options.cache.get(p, config) : await computeFileFeatures(p, config);
      features.set(p, mat);
    } catch (err) {
      if (onBad === 'skip' && isSerError(err) && AUDIO_CODES.has(err.code)) {
        skipped.push({ path: p, code: err.code, message: err.message });
        logger.warn(`skipping ${err.message}`);
      } else {
        throw err;
      }
    }
    options.onProgress?.({ done: i + 1, total: paths.length, path: p });
  }
  if (skipped.length > 0) logger.warn(`extractCorpus: skipped ${skipped.length} of ${paths.length} files with bad audio`);
  return { features, skipped };
}
