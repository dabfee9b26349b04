import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { AudioFormatError, type DecodedPcm } from './wav.js';

/** STREAMINFO (always the first metadata block): sample rate, channels, bits, total samples (0 = unknown). */
function streamInfo(bytes: Uint8Array): { sampleRateHz: number; channels: number; totalFrames: number } {
  if (bytes.length < 42 || (bytes[4] & 0x7f) !== 0) throw new AudioFormatError('unreadable', 'FLAC file without a STREAMINFO block');
  const b = (i: number) => bytes[8 + i];
  const sampleRateHz = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 7) + 1;
  const totalFrames = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + (b(15) << 16) + (b(16) << 8) + b(17);
  return { sampleRateHz, channels, totalFrames };
}

/** Decodes a native FLAC file with @wasm-audio-decoders/flac (libFLAC in WebAssembly); channels averaged. */
export async function decodeFlac(bytes: Uint8Array): Promise<DecodedPcm> {
  const info = streamInfo(bytes);
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const res = await decoder.decodeFile(bytes);
    const channels = res.channelData.length || info.channels;
    const n = res.samplesDecoded;
    if (info.totalFrames > 0 && n < info.totalFrames) {
      throw new AudioFormatError('truncated', `STREAMINFO declares ${info.totalFrames} samples but only ${n} decode`);
    }
    if (n === 0 && res.errors.length > 0) {
      throw new AudioFormatError('unreadable', `FLAC decoding failed: ${res.errors[0].message}`);
    }
    const samples = new Float32Array(n);
    // the decoder divides integers by 2^(bits-1) - 1; WAV readers (and soundfile, librosa) divide by 2^(bits-1)
    const full = 2 ** ((res.bitDepth || 16) - 1);
    const inv = (full - 1) / full / channels;
    for (const ch of res.channelData) for (let i = 0; i < n; i++) samples[i] += ch[i] * inv;
    let firstNonFinite = -1;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(samples[i])) {
        firstNonFinite = i;
        break;
      }
    }
    return { samples, sampleRateHz: res.sampleRate || info.sampleRateHz, channels, declaredFrames: info.totalFrames || -1, firstNonFinite };
  } finally {
    decoder.free();
  }
}
