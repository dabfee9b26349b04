import lsr from '@alexanderolsen/libsamplerate-js';
import { SerError } from '@ser/core';

/** libsamplerate converters: 'best' (SRC_SINC_BEST_QUALITY, ~97 dB SNR, default) or 'medium' (SRC_SINC_MEDIUM_QUALITY). */
export type ResampleQuality = 'best' | 'medium';

type Src = Awaited<ReturnType<typeof lsr.create>>;

const converters = new Map<ResampleQuality, Src>();

/**
 * Loads the libsamplerate WebAssembly module once per process (it loads asynchronously); after it,
 * resampleSync and extractFeatures can resample synchronously.
 */
export async function loadResampler(quality: ResampleQuality = 'best'): Promise<void> {
  if (converters.has(quality)) return;
  const type = quality === 'best' ? lsr.ConverterType.SRC_SINC_BEST_QUALITY : lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY;
  const src = await lsr.create(1, 16000, 8000, { converterType: type });
  if (!converters.has(quality)) converters.set(quality, src);
}

/** Whether loadResampler(quality) has completed in this process. */
export function isResamplerLoaded(quality: ResampleQuality = 'best'): boolean {
  return converters.has(quality);
}

/**
 * Band-limited resampling of mono samples fromHz -> toHz with libsamplerate (windowed-sinc); output length
 * is about n * toHz / fromHz. Needs loadResampler(quality) first; returns the input itself when the rates match.
 */
export function resampleSync(samples: Float32Array, fromHz: number, toHz: number, quality: ResampleQuality = 'best'): Float32Array {
  if (fromHz === toHz) return samples;
  if (!(fromHz > 0 && toHz > 0 && Number.isFinite(fromHz) && Number.isFinite(toHz))) {
    throw new SerError('CONFIG_INVALID', `resample: rates must be positive and finite, got ${fromHz} Hz -> ${toHz} Hz`);
  }
  if (toHz / fromHz > 256 || fromHz / toHz > 256) {
    throw new SerError('CONFIG_INVALID', `resample: ratio ${fromHz} Hz -> ${toHz} Hz is beyond libsamplerate's 256x limit`);
  }
  const src = converters.get(quality);
  if (!src) {
    throw new SerError(
      'CONFIG_INVALID',
      `resample: the resampler is not loaded; call 'await loadResampler(${JSON.stringify(quality)})' once before resampling ${fromHz} Hz -> ${toHz} Hz synchronously`,
    );
  }
  src.inputSampleRate = fromHz;
  src.outputSampleRate = toHz;
  return src.simple(samples);
}

/** resampleSync after loading the resampler if needed. */
export async function resample(samples: Float32Array, fromHz: number, toHz: number, quality: ResampleQuality = 'best'): Promise<Float32Array> {
  if (fromHz === toHz) return samples;
  await loadResampler(quality);
  return resampleSync(samples, fromHz, toHz, quality);
}
