// Frame parameters and the checks behind them, for every thread that extracts features. The schema
// of the `features` key is in feature-config-schema.ts: TypeBox costs a worker thread ~170 ms to load.
import { SerError } from '@ser/core';
import type { FeatureConfig } from './feature-config-schema.js';

export type { FeatureConfig };

/** One utterance's features, row-major [frames, bins]. */
export interface FeatureMatrix {
  frames: number;
  bins: number;
  data: Float32Array;
}

/** Frame parameters in samples, derived from a config: winLength = round(windowMs * sr / 1000), likewise hop. */
export interface FrameParams {
  sampleRateHz: number;
  winLength: number;
  hopLength: number;
  nFft: number;
  /** Number of frequency bins of the one-sided spectrum: nFft / 2 + 1. */
  nFreqs: number;
  fMaxHz: number;
  /** Feature bins per frame: nFreqs (stft), nMels (logmel) or nMfcc (mfcc). */
  bins: number;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

function invalid(field: string, value: unknown, fix: string): SerError {
  return new SerError('CONFIG_INVALID', `features.${field} = ${JSON.stringify(value)} is invalid: ${fix}`, {
    details: { field: `features.${field}`, value },
  });
}

/** Checks a FeatureConfig (throws SerError CONFIG_INVALID naming the field) and derives the frame parameters. */
export function resolveFrameParams(config: FeatureConfig): FrameParams {
  const sr = config.sampleRateHz;
  if (!Number.isInteger(sr) || sr < 1000 || sr > 384000) throw invalid('sampleRateHz', sr, 'use an integer rate in Hz, e.g. 16000');
  if (!['logmel', 'stft', 'mfcc'].includes(config.kind)) throw invalid('kind', config.kind, "use 'logmel', 'stft' or 'mfcc'");
  if (!(config.windowMs > 0)) throw invalid('windowMs', config.windowMs, 'use a positive window length in ms, e.g. 40');
  if (!(config.hopMs > 0)) throw invalid('hopMs', config.hopMs, 'use a positive hop in ms, e.g. 10');
  const winLength = Math.round((config.windowMs * sr) / 1000);
  const hopLength = Math.round((config.hopMs * sr) / 1000);
  if (winLength < 2) throw invalid('windowMs', config.windowMs, `the window must span at least 2 samples at ${sr} Hz`);
  if (hopLength < 1) throw invalid('hopMs', config.hopMs, `the hop must span at least 1 sample at ${sr} Hz`);
  let nFft = config.nFft;
  if (nFft === undefined || nFft === null) {
    nFft = 2;
    while (nFft < winLength) nFft *= 2;
  }
  if (!isPowerOfTwo(nFft)) throw invalid('nFft', nFft, 'use a power of two (the FFT is radix-4/2), or leave it out');
  if (nFft < winLength) throw invalid('nFft', nFft, `it must be >= the window length (${winLength} samples); leave it out for the next power of two`);
  if (!['hamming', 'hann'].includes(config.window)) throw invalid('window', config.window, "use 'hamming' or 'hann'");
  if (typeof config.center !== 'boolean') throw invalid('center', config.center, 'use true or false');
  if (!(config.preEmphasis >= 0 && config.preEmphasis < 1))
    throw invalid('preEmphasis', config.preEmphasis, 'use 0 (off) or a coefficient in (0, 1), e.g. 0.97');
  if (!['magnitude', 'power'].includes(config.spectrum)) throw invalid('spectrum', config.spectrum, "use 'magnitude' or 'power'");
  const fMaxHz = config.fMaxHz ?? sr / 2;
  const nFreqs = nFft / 2 + 1;
  if (config.kind !== 'stft') {
    if (!Number.isInteger(config.nMels) || config.nMels < 1) throw invalid('nMels', config.nMels, 'use a positive integer, e.g. 128');
    if (!(config.fMinHz >= 0)) throw invalid('fMinHz', config.fMinHz, 'use a frequency >= 0 Hz');
    if (!(fMaxHz > config.fMinHz && fMaxHz <= sr / 2)) throw invalid('fMaxHz', config.fMaxHz, `use null or a frequency in (fMinHz, ${sr / 2}] Hz`);
    if (!['slaney', 'htk'].includes(config.melScale)) throw invalid('melScale', config.melScale, "use 'slaney' or 'htk'");
    if (!['slaney', 'none'].includes(config.melNorm)) throw invalid('melNorm', config.melNorm, "use 'slaney' or 'none'");
  }
  const c = config.compression;
  if (!c || !['db', 'log', 'none'].includes(c.type)) throw invalid('compression.type', c?.type, "use 'db', 'log' or 'none'");
  if (c.type !== 'none' && !(c.floor > 0)) throw invalid('compression.floor', c.floor, 'use a positive floor, e.g. 1e-10');
  if (c.topDb !== null && c.topDb !== undefined && !(c.topDb > 0))
    throw invalid('compression.topDb', c.topDb, 'use null (off) or a positive number of dB, e.g. 80');
  if (config.kind === 'mfcc' && (!Number.isInteger(config.nMfcc) || config.nMfcc < 1 || config.nMfcc > config.nMels)) {
    throw invalid('nMfcc', config.nMfcc, `use an integer in [1, nMels = ${config.nMels}]`);
  }
  if (!['none', 'utterance', 'global', 'speaker'].includes(config.normalisation)) {
    throw invalid('normalisation', config.normalisation, "use 'none', 'utterance', 'global' or 'speaker'");
  }
  const trim = config.trimSilenceDb;
  if (trim !== null && trim !== undefined && !(typeof trim === 'number' && trim > 0)) {
    throw invalid('trimSilenceDb', trim, 'use null (off) or a positive number of dB below the loudest frame, e.g. 40');
  }
  if (config.segment !== null && config.segment !== undefined) {
    const s = config.segment;
    if (!Number.isInteger(s.frames) || s.frames < 1) throw invalid('segment.frames', s.frames, 'use a positive integer number of frames, or segment: null');
    if (!Number.isInteger(s.hopFrames) || s.hopFrames < 1) throw invalid('segment.hopFrames', s.hopFrames, 'use a positive integer number of frames');
  }
  const bins = config.kind === 'stft' ? nFreqs : config.kind === 'logmel' ? config.nMels : config.nMfcc;
  return { sampleRateHz: sr, winLength, hopLength, nFft, nFreqs, fMaxHz, bins };
}

/** The config with nFft and fMaxHz made explicit, so two spellings of one setting hash alike. */
export function canonicalFeatureConfig(config: FeatureConfig): FeatureConfig {
  const p = resolveFrameParams(config);
  return { ...config, nFft: p.nFft, fMaxHz: p.fMaxHz, segment: config.segment ?? null, trimSilenceDb: config.trimSilenceDb ?? null };
}

/**
 * The seconds of audio a feature matrix covers, from its frame count alone (no decode): the inverse
 * of frames = 1 + floor((samples + (center ? nFft : 0) - nFft) / hop), i.e. ((frames - 1) x hop +
 * (center ? 0 : nFft)) / sampleRateHz; the clip's length to within one hop.
 */
export function matrixSeconds(m: FeatureMatrix, config: FeatureConfig): number {
  return matrixSecondsOf(config)(m);
}

/** matrixSeconds for many matrices of one config: the frame parameters are resolved once. */
export function matrixSecondsOf(config: FeatureConfig): (m: FeatureMatrix) => number {
  const { hopLength, nFft, sampleRateHz } = resolveFrameParams(config);
  const edge = config.center ? 0 : nFft;
  return (m) => (m.frames < 1 ? 0 : ((m.frames - 1) * hopLength + edge) / sampleRateHz);
}
