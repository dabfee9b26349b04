import fs from 'node:fs';
import path from 'node:path';
import { SerError, bytesHash, isSerError, canonicalJson, silentLogger, writeFileAtomicAsync, type Logger } from '@ser/core';
import { canonicalFeatureConfig, type FeatureConfig, type FeatureMatrix } from './feature-config.js';
import { decodeAudioBytes } from './decode-audio.js';
import { extractFeatures } from './extract-features.js';
import { loadResampler } from './resample.js';

/**
 * Changes whenever the feature code computes different numbers for the same config (and names the resampler),
 * so a code change never reuses an old cache entry.
 */
export const FEATURE_CODE_VERSION = 'ser-features/1;resampler=libsamplerate-sinc-best';

const MAGIC = 0x46524553; // 'SERF' little-endian
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;

/** The cache key: sha256 of (audio content sha256, canonical JSON of the whole config with nFft/fMaxHz explicit, code version). */
export function featureCacheKey(audioContentHash: string, config: FeatureConfig): string {
  return bytesHash(`${audioContentHash}\n${canonicalJson(canonicalFeatureConfig(config))}\n${FEATURE_CODE_VERSION}`);
}

/** Reads and hashes an audio file, then decodes, resamples and extracts (no cache). */
export async function computeFileFeatures(audioPath: string, config: FeatureConfig): Promise<FeatureMatrix> {
  const bytes = readAudio(audioPath);
  return featuresOfBytes(bytes, audioPath, config);
}

async function featuresOfBytes(bytes: Uint8Array, name: string, config: FeatureConfig): Promise<FeatureMatrix> {
  const audio = await decodeAudioBytes(bytes, name);
  if (audio.sampleRateHz !== config.sampleRateHz) await loadResampler();
  try {
    return extractFeatures(audio.samples, audio.sampleRateHz, config);
  } catch (err) {
    // extractFeatures sees samples only: name the file its complaint is about
    if (isSerError(err) && err.code.startsWith('AUDIO_')) {
      throw new SerError(err.code, `${name}: ${err.message.replace(/^extractFeatures: /, '')}`, { cause: err, details: { ...err.details, file: name } });
    }
    throw err;
  }
}

function readAudio(audioPath: string): Buffer {
  try {
    return fs.readFileSync(audioPath);
  } catch (err) {
    throw new SerError(
      'AUDIO_UNREADABLE',
      `${audioPath}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`,
      {
        cause: err,
        details: { file: audioPath },
      },
    );
  }
}

/**
 * Content-addressed on-disk feature cache. Entry: <dir>/<key[0:2]>/<key>.f32 = 16-byte header (magic 'SERF',
 * format version, frames, bins; uint32 little-endian) + frames * bins float32. Writes are atomic (temp file +
 * rename), so concurrent worker processes never see a partial entry; an entry whose header, size or values are
 * wrong is recomputed and rewritten.
 */
export class FeatureCache {
  readonly dir: string;
  private readonly logger: Logger;
  /** path -> (size, mtime, inode) and content hash, so a hit reads the audio file only once per process. */
  private readonly contentHashes = new Map<string, { stamp: string; hash: string }>();
  /** Counters since construction: hits, misses (computed and written), corrupt (bad entries recomputed). */
  readonly stats = { hits: 0, misses: 0, corrupt: 0 };

  constructor(dir: string, options: { logger?: Logger } = {}) {
    this.dir = dir;
    this.logger = options.logger ?? silentLogger;
  }

  /** Where the entry for a key lives. */
  entryPath(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /** The features of an audio file for a config: from the cache, or computed (decode, resample, extract) and stored. */
  async get(audioPath: string, config: FeatureConfig): Promise<FeatureMatrix> {
    const { features, stored } = await this.getDeferred(audioPath, config);
    await stored;
    return features;
  }

  /**
   * As get(), but a newly computed entry is written in the background: `stored` settles when it is
   * on disk (or rejects with FEATURE_CACHE). extractCorpus computes the next file meanwhile.
   */
  async getDeferred(audioPath: string, config: FeatureConfig): Promise<{ features: FeatureMatrix; stored: Promise<void> }> {
    const content = this.contentHash(audioPath);
    const file = this.entryPath(featureCacheKey(content.hash, config));
    const cached = this.read(file);
    if (cached) {
      this.stats.hits++;
      return { features: cached, stored: Promise.resolve() };
    }
    const bytes = content.bytes ?? readAudio(audioPath);
    const mat = await featuresOfBytes(bytes, audioPath, config);
    this.stats.misses++;
    // not fsynced: an entry torn by a power cut fails the size check on read and is recomputed
    const stored = writeFileAtomicAsync(file, entryBytes(mat)).catch((err: unknown) => {
      throw new SerError('FEATURE_CACHE', `${file}: cannot write the feature cache entry (${(err as Error).message}); check the cache folder and free space`, {
        cause: err,
      });
    });
    return { features: mat, stored };
  }

  /** Where the entry of an audio file for a config lives; the file's content is hashed once per process while it is unchanged. */
  entryFor(audioPath: string, config: FeatureConfig): string {
    return this.entryPath(featureCacheKey(this.contentHash(audioPath).hash, config));
  }

  /** The audio file's content hash, from the memo when its size and mtime are unchanged; the bytes when it had to read them. */
  private contentHash(audioPath: string): { hash: string; bytes: Buffer | null } {
    const stamp = fileStamp(audioPath);
    const known = this.contentHashes.get(audioPath);
    if (known && known.stamp === stamp) return { hash: known.hash, bytes: null };
    const bytes = readAudio(audioPath);
    const hash = bytesHash(bytes);
    this.contentHashes.set(audioPath, { stamp, hash });
    return { hash, bytes };
  }

  /** The entry at `file`, or null when absent or invalid (an invalid one is logged and counted). */
  read(file: string): FeatureMatrix | null {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new SerError('FEATURE_CACHE', `${file}: cannot read the feature cache entry (${(err as Error).message}); check the cache folder's permissions`, {
        cause: err,
      });
    }
    const bad = (why: string): null => {
      this.stats.corrupt++;
      this.logger.warn(`feature cache: ${file} is ${why}; recomputing it`);
      return null;
    };
    if (buf.length < HEADER_BYTES) return bad(`shorter than its header (${buf.length} bytes)`);
    const magic = buf.readUInt32LE(0);
    const version = buf.readUInt32LE(4);
    const frames = buf.readUInt32LE(8);
    const bins = buf.readUInt32LE(12);
    if (magic !== MAGIC || version !== FORMAT_VERSION) return bad('not a feature cache entry of this format');
    const expected = HEADER_BYTES + frames * bins * 4;
    if (buf.length !== expected) return bad(`${buf.length} bytes where its header (${frames} x ${bins}) needs ${expected}`);
    const offset = buf.byteOffset + HEADER_BYTES;
    const data =
      offset % 4 === 0 ? new Float32Array(buf.buffer, offset, frames * bins) : new Float32Array(buf.buffer.slice(offset, offset + frames * bins * 4));
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return bad('holding non-finite values');
    return { frames, bins, data };
  }
}

/** An entry's bytes: the header (magic, version, frames, bins) and the float32 values. */
function entryBytes(mat: FeatureMatrix): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + mat.data.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, mat.frames, true);
  view.setUint32(12, mat.bins, true);
  bytes.set(new Uint8Array(mat.data.buffer, mat.data.byteOffset, mat.data.byteLength), HEADER_BYTES);
  return bytes;
}

function fileStamp(audioPath: string): string {
  try {
    const s = fs.statSync(audioPath, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ino}:${s.dev}`;
  } catch (err) {
    throw new SerError(
      'AUDIO_UNREADABLE',
      `${audioPath}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`,
      {
        cause: err,
        details: { file: audioPath },
      },
    );
  }
}
