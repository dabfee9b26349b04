import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { isSerError, silentLogger, type Logger } from '@ser/core';
import { matrixSecondsOf, type FeatureConfig, type FeatureMatrix } from './feature-config.js';
import { computeFileFeatures, type FeatureCache } from './feature-cache.js';
import { nativeFeaturesMode } from './internal/native-frames.js';

/**
 * One file of an extractCorpus call finished (computed, read from the cache, or skipped): what
 * its onProgress gets, once per file, in the order they finish.
 */
export interface ExtractProgress {
  /** Files finished so far, this one included. */
  done: number;
  total: number;
  /** The file just finished. */
  path: string;
  /** Seconds of audio its frames cover (matrixSeconds: the clip's length to within a hop, after silence trimming where that is on); 0 for a skipped file. */
  audioSeconds: number;
  /** Whether its features came from the cache (no work). */
  cached: boolean;
}

/** A file extractCorpus left out, with the SerError code and message saying why. */
export interface SkippedAudio {
  path: string;
  code: string;
  message: string;
}

const AUDIO_CODES = new Set(['AUDIO_UNREADABLE', 'AUDIO_EMPTY', 'AUDIO_TOO_SHORT', 'AUDIO_TRUNCATED', 'AUDIO_SILENT', 'AUDIO_NON_FINITE']);

/**
 * Features of many files (through the cache when given). onBadAudio 'stop' (default) rethrows the first bad
 * file's SerError; 'skip' logs it, lists it in `skipped` and goes on. Other errors (cache I/O) always stop.
 * With a cache and threads > 1, the files not yet cached are first computed by that many worker
 * threads (a share each), so extraction uses every core; the serial pass then reads them back.
 */
export async function extractCorpus(
  paths: readonly string[],
  config: FeatureConfig,
  options: {
    cache?: FeatureCache;
    onBadAudio?: 'skip' | 'stop';
    logger?: Logger;
    /** Called as each file finishes, also those worker threads compute (ExtractProgress). */
    onProgress?: (p: ExtractProgress) => void;
    /** Worker threads for the files not in the cache yet (default 1: this thread only). */
    threads?: number;
    /** Files a worker must have to be worth its start-up (about half a second of CPU for the TypeScript loader); default 256. */
    minFilesPerWorker?: number;
  } = {},
): Promise<{ features: Map<string, FeatureMatrix>; skipped: SkippedAudio[] }> {
  const logger = options.logger ?? silentLogger;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const minFiles = options.minFilesPerWorker ?? MIN_FILES_PER_WORKER;
  // audio seconds only for a progress callback (the frame parameters once, not per file)
  const seconds = options.onProgress ? matrixSecondsOf(config) : () => 0;
  // files reported done (worker threads report theirs as they finish; the serial pass the others)
  const reported = new Set<string>();
  const report = (p: string, audioSeconds: number, cached: boolean) => {
    reported.add(p);
    options.onProgress?.({ done: reported.size, total: paths.length, path: p, audioSeconds, cached });
  };
  if (options.cache && threads > 1 && paths.length >= 2 * minFiles) {
    await fillCacheInWorkers(
      uncached(paths, config, options.cache),
      config,
      options.cache,
      threads,
      minFiles,
      options.onProgress ? (p, s) => report(p, s, false) : undefined,
    );
  }
  const onBad = options.onBadAudio ?? 'stop';
  const features = new Map<string, FeatureMatrix>();
  const skipped: SkippedAudio[] = [];
  // cache entries are written in the background while the next files are computed; a bounded
  // number in flight, all on disk before this returns
  const writes: Promise<void>[] = [];
  for (const p of paths) {
    let audioSeconds = 0;
    let cached = false;
    try {
      if (options.cache) {
        const hits = options.cache.stats.hits;
        const { features: mat, stored } = await options.cache.getDeferred(p, config);
        cached = options.cache.stats.hits > hits;
        features.set(p, mat);
        audioSeconds = seconds(mat);
        stored.catch(() => undefined); // awaited below; never an unhandled rejection if this loop stops first
        writes.push(stored);
        if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      } else {
        const mat = await computeFileFeatures(p, config);
        features.set(p, mat);
        audioSeconds = seconds(mat);
      }
    } catch (err) {
      if (onBad === 'skip' && isSerError(err) && AUDIO_CODES.has(err.code)) {
        skipped.push({ path: p, code: err.code, message: err.message });
        logger.warn(`skipping (${err.code}) ${err.message}`);
      } else {
        throw err;
      }
    }
    if (!reported.has(p)) report(p, audioSeconds, cached);
  }
  await Promise.all(writes);
  if (skipped.length > 0) logger.warn(`extractCorpus: skipped ${skipped.length} of ${paths.length} files with bad audio`);
  return { features, skipped };
}

/** Cache entries extractCorpus lets be written at once (their matrices stay in memory meanwhile). */
const WRITES_IN_FLIGHT = 32;

/** The files whose features for this config are not in the cache (unreadable files count as not cached). */
function uncached(paths: readonly string[], config: FeatureConfig, cache: FeatureCache): string[] {
  return paths.filter((p) => {
    try {
      return !fs.existsSync(cache.entryFor(p, config));
    } catch {
      return true;
    }
  });
}

/**
 * Fewer files than this per worker are not worth a thread's start-up: measured on EMO-DB (339 files),
 * two workers were slower than this thread alone, their loader's start-up outweighing the work.
 */
const MIN_FILES_PER_WORKER = 256;

async function fillCacheInWorkers(
  paths: readonly string[],
  config: FeatureConfig,
  cache: FeatureCache,
  threads: number,
  minFiles: number,
  onFile?: (path: string, audioSeconds: number) => void,
): Promise<void> {
  const n = Math.min(threads, Math.floor(paths.length / minFiles));
  if (n < 2) return;
  // The worker is TypeScript when this file is (run through tsx): register tsx's loader in it first.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const workerUrl = new URL(`./internal/fill-cache-worker${ext}`, import.meta.url).href;
  const bootstrap =
    ext === '.ts'
      ? `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(workerUrl)}); });`
      : `import(${JSON.stringify(workerUrl)});`;
  const per = Math.ceil(paths.length / n);
  // worker threads have their own module state: they get this thread's choice of frame loop
  const nativeFeatures = nativeFeaturesMode();
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const share = paths.slice(i * per, (i + 1) * per);
      return new Promise<void>((resolve) => {
        const w = new Worker(bootstrap, { eval: true, workerData: { paths: share, config, dir: cache.dir, nativeFeatures } });
        w.on('message', (m: { finished?: boolean; done?: string; audioSeconds?: number }) => {
          if (m.finished) void w.terminate().then(() => resolve());
          // a file the worker could not do is left to the serial pass, which reports it
          else if (m.done !== undefined && m.audioSeconds !== undefined) onFile?.(m.done, m.audioSeconds);
        });
        w.once('error', () => resolve()); // the serial pass computes (and reports) whatever the worker did not
        w.once('exit', () => resolve());
      });
    }),
  );
}
