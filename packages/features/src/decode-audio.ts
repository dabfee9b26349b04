import fs from 'node:fs';
import { SerError } from '@ser/core';
import { AudioFormatError, decodeWav, type DecodedPcm } from './internal/wav.js';
import { decodeFlac } from './internal/flac.js';

/** A decoded file: mono samples in [-1, 1] (channels averaged) at the file's own rate. */
export interface DecodedAudio {
  samples: Float32Array;
  sampleRateHz: number;
  channels: number;
  durationS: number;
}

/** The container named by a file's first bytes: RIFF/RIFX/RF64 + WAVE, or fLaC; null when neither. */
export function sniffAudioFormat(bytes: Uint8Array): 'wav' | 'flac' | null {
  if (bytes.length >= 12) {
    const tag = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    const wave = String.fromCharCode(bytes[8], bytes[9], bytes[10], bytes[11]);
    if ((tag === 'RIFF' || tag === 'RIFX' || tag === 'RF64') && wave === 'WAVE') return 'wav';
  }
  if (bytes.length >= 4 && bytes[0] === 0x66 && bytes[1] === 0x4c && bytes[2] === 0x61 && bytes[3] === 0x43) return 'flac';
  return null;
}

/**
 * Decodes WAV (PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE, any channels and rate) or FLAC from
 * bytes, recognised by their magic bytes, never the extension. `name` is used in error messages.
 * Throws SerError AUDIO_EMPTY, AUDIO_TRUNCATED, AUDIO_SILENT, AUDIO_NON_FINITE or AUDIO_UNREADABLE.
 */
export async function decodeAudioBytes(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new SerError('AUDIO_EMPTY', `${name}: the file is empty (0 bytes); re-export or remove it`, { details: { file: name } });
  const format = sniffAudioFormat(bytes);
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new SerError('AUDIO_UNREADABLE', `${name}: not a WAV (RIFF....WAVE) or FLAC (fLaC) file; its first bytes are ${head}. Convert it to WAV or FLAC`, {
      details: { file: name },
    });
  }
  let pcm: DecodedPcm;
  try {
    pcm = format === 'wav' ? decodeWav(bytes) : await decodeFlac(bytes);
  } catch (err) {
    if (err instanceof AudioFormatError) {
      const code = err.reason === 'truncated' ? 'AUDIO_TRUNCATED' : 'AUDIO_UNREADABLE';
      const fix = err.reason === 'truncated' ? 'the file was cut short (interrupted copy or download?); fetch it again' : 'check the file';
      throw new SerError(code, `${name}: ${format.toUpperCase()} ${err.message}; ${fix}`, { cause: err, details: { file: name } });
    }
    throw new SerError('AUDIO_UNREADABLE', `${name}: the ${format.toUpperCase()} decoder failed: ${(err as Error).message}`, {
      cause: err,
      details: { file: name },
    });
  }
  const { samples, sampleRateHz, channels } = pcm;
  if (samples.length === 0)
    throw new SerError('AUDIO_EMPTY', `${name}: the ${format.toUpperCase()} file holds no samples; re-export or remove it`, { details: { file: name } });
  if (pcm.firstNonFinite >= 0) {
    throw new SerError(
      'AUDIO_NON_FINITE',
      `${name}: sample ${pcm.firstNonFinite} (at ${(pcm.firstNonFinite / sampleRateHz).toFixed(3)} s) is NaN or infinite; repair or remove the file`,
      {
        details: { file: name, sample: pcm.firstNonFinite },
      },
    );
  }
  // silent = no nonzero sample; stop at the first one (a full peak scan was ~20% of decode + log-Mel on EMO-DB)
  let firstNonZero = 0;
  while (firstNonZero < samples.length && samples[firstNonZero] === 0) firstNonZero++;
  if (firstNonZero === samples.length) {
    throw new SerError('AUDIO_SILENT', `${name}: all ${samples.length} samples are zero (silent); remove it or check the recording`, {
      details: { file: name },
    });
  }
  return { samples, sampleRateHz, channels, durationS: samples.length / sampleRateHz };
}

/** decodeAudioBytes of a file read from disk; a missing or unreadable file is SerError AUDIO_UNREADABLE. */
export async function decodeAudioFile(path: string): Promise<DecodedAudio> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    throw new SerError('AUDIO_UNREADABLE', `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`, {
      cause: err,
      details: { file: path },
    });
  }
  return decodeAudioBytes(bytes, path);
}
