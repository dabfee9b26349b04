// A fold's features as the trainer reads them: the data pipeline of one cell between the corpus
// and the trainer (extraction through the cache, normalisation statistics, segments).
import { SerError, type Logger } from '@ser/core';
import type { Corpus, Fold } from '@ser/dataset-core';
import { extractCorpus, type ExtractProgress } from './extract-corpus.js';
import { FeatureCache } from './feature-cache.js';
import type { FeatureConfig, FeatureMatrix } from './feature-config.js';
import { computeNormStats, normalise, type NormStats } from './normalise.js';
import { segmentBounds } from './segment.js';

/** One training / scoring example: an utterance, or a segment of one (utteranceId set). Structurally @ser/trainer's Example. */
export interface FoldExample {
  id: string;
  label: number;
  frames: number;
  utteranceId?: string;
}

/** The normalisation statistics of a fold, as stored with its cell (@ser/store's NormStatsRecord). */
export interface FoldNormStats {
  fold: string;
  /** Training utterances they were computed from (global); with speaker normalisation, all utterances of the fold. */
  utterances: number;
  mean: number[];
  std: number[];
  /** normalisation 'speaker': each speaker's own statistics (mean and std above are the training utterances', for reference). */
  perSpeaker?: Record<string, { utterances: number; mean: number[]; std: number[] }>;
}

export interface FoldFeatures {
  examples: { train: FoldExample[]; validation: FoldExample[]; test: FoldExample[] };
  /** Reads one example's normalised features (a segment: its frames of the utterance). */
  source: { bins: number; read(id: string): Float32Array };
  /** null unless normalisation is global or speaker. */
  normStats: FoldNormStats | null;
  /** Utterances left out for bad audio (onBadAudio 'skip'). */
  skippedIds: string[];
}

export interface FoldFeatureOptions {
  /** The experiment's `features` block (its segment spec cuts segments on read). */
  features: FeatureConfig;
  /** The FeatureCache folder. */
  cacheDir: string;
  onBadAudio: 'skip' | 'stop';
  logger: Logger;
  /** Threads that extract the features not cached yet. */
  threads: number;
  /** Names the caller in warnings, e.g. 'cell 3'. */
  label?: string;
  /** Files done of the fold's files, as they are extracted or found in the cache. */
  onProgress?: (p: ExtractProgress) => void;
}

/** Utterances whose features are extracted at a time: bounds memory while the cache is filled. */
const EXTRACT_CHUNK = 256;

/**
 * The fold's utterances as trainer examples, and a FeatureSource that streams their features from
 * the cache: every file is extracted (or found) once, then only its frame count stays in memory,
 * and each batch reads its entries back (global normalisation applied on read). With
 * features.segment the examples are fixed-length segments (segmentBounds: the last one keeps only
 * its real frames, masked in the batch) carrying their utterance's label and id, so validation and
 * test are scored per utterance by pooling the segments' outputs. The cache holds whole utterances.
 */
export async function prepareFoldFeatures(corpus: Corpus, fold: Fold, options: FoldFeatureOptions): Promise<FoldFeatures> {
  const { logger, threads } = options;
  const segmentSpec = options.features.segment;
  // segments are cut on read: the cached entries are the whole utterances, shared with unsegmented cells
  const features = { ...options.features, segment: null };
  const byId = new Map(corpus.utterances.map((u) => [u.id, u]));
  const ids = [...fold.train, ...fold.validation, ...fold.test];
  const cache = new FeatureCache(options.cacheDir, { logger });
  const entries = new Map<string, { file: string; frames: number; bins: number }>();
  const skippedIds: string[] = [];
  const idOfPath = new Map(ids.map((id) => [byId.get(id)!.path, id]));
  for (let at = 0; at < ids.length; at += EXTRACT_CHUNK) {
    const chunk = ids.slice(at, at + EXTRACT_CHUNK);
    const { features: byPath, skipped } = await extractCorpus(
      chunk.map((id) => byId.get(id)!.path),
      features,
      {
        cache,
        onBadAudio: options.onBadAudio,
        logger,
        onProgress: options.onProgress && ((p) => options.onProgress!({ ...p, done: at + p.done, total: ids.length })),
        // files not cached yet are extracted in parallel (a cell's features are made once, then read back)
        threads,
      },
    );
    for (const s of skipped) skippedIds.push(idOfPath.get(s.path) ?? s.path);
    for (const id of chunk) {
      const audio = byId.get(id)!.path;
      const m = byPath.get(audio);
      if (!m) continue;
      const file = cache.entryFor(audio, features); // the content hash the cache just made: no second read
      entries.set(id, { file, frames: m.frames, bins: m.bins });
    }
  }
  if (skippedIds.length > 0)
    logger.warn(`${options.label ? `${options.label}: ` : ''}${skippedIds.length} utterances skipped for bad audio: ${skippedIds.join(', ')}`);
  const load = (id: string): FeatureMatrix => {
    const entry = entries.get(id);
    const m = entry && cache.read(entry.file);
    if (!m)
      throw new SerError(
        'FEATURE_CACHE',
        `the cached features of utterance '${id}' are gone (${entry?.file ?? 'never extracted'}); was the feature cache cleared while the cell ran? Run the cell again`,
      );
    return m;
  };
  let stats: NormStats | null = null;
  let normStats: FoldNormStats | null = null;
  const statsOf = (list: readonly string[]) =>
    computeNormStats(
      (function* () {
        for (const id of list) yield load(id);
      })(),
    );
  const normalisation = options.features.normalisation;
  const speakerStats = new Map<string, NormStats>();
  if (normalisation === 'global' || normalisation === 'speaker') {
    // statistics of the training fold only: validation and test never leak into them
    const trained = fold.train.filter((id) => entries.has(id));
    stats = statsOf(trained);
    normStats = { fold: fold.name, utterances: trained.length, mean: Array.from(stats.mean), std: Array.from(stats.std) };
  }
  if (normalisation === 'speaker') {
    // each speaker by their own utterances' statistics (audio only, never labels), test speakers included
    const bySpeaker = new Map<string, string[]>();
    for (const id of entries.keys()) {
      const speaker = byId.get(id)!.speaker;
      const list = bySpeaker.get(speaker);
      if (list) list.push(id);
      else bySpeaker.set(speaker, [id]);
    }
    normStats!.utterances = entries.size;
    normStats!.perSpeaker = {};
    for (const [speaker, list] of bySpeaker) {
      const s = statsOf(list);
      speakerStats.set(speaker, s);
      normStats!.perSpeaker[speaker] = { utterances: list.length, mean: Array.from(s.mean), std: Array.from(s.std) };
    }
  }
  const classIndex = new Map(corpus.classes.map((c, i) => [c, i]));
  // a segment's id -> its utterance and frames
  const segments = new Map<string, { utteranceId: string; startFrame: number; validFrames: number }>();
  const toExamples = (list: string[]): FoldExample[] =>
    list
      .filter((id) => entries.has(id))
      .flatMap((id) => {
        const label = classIndex.get(byId.get(id)!.label)!;
        const frames = entries.get(id)!.frames;
        if (!segmentSpec) return [{ id, label, frames }];
        return segmentBounds(frames, segmentSpec).map((b, k) => {
          const segId = `${id}#${k}`;
          segments.set(segId, { utteranceId: id, ...b });
          return { id: segId, utteranceId: id, label, frames: b.validFrames };
        });
      });
  const statsFor = (id: string): NormStats | null => (normalisation === 'speaker' ? speakerStats.get(byId.get(id)!.speaker)! : stats);
  const readUtterance = (id: string): Float32Array => {
    const s = statsFor(id);
    return (s ? normalise(load(id), s) : load(id)).data;
  };
  const first = entries.values().next().value;
  if (!first) {
    throw new SerError('DATASET_MISSING_FILES', `fold '${fold.name}' of corpus '${corpus.dataset}' has no readable utterances`);
  }
  return {
    examples: { train: toExamples(fold.train), validation: toExamples(fold.validation), test: toExamples(fold.test) },
    source: {
      bins: first.bins,
      read: (id: string) => {
        const seg = segments.get(id);
        if (!seg) return readUtterance(id);
        return readUtterance(seg.utteranceId).subarray(seg.startFrame * first.bins, (seg.startFrame + seg.validFrames) * first.bins);
      },
    },
    normStats,
    skippedIds,
  };
}
