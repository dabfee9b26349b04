import { Type, type NumberOptions, type Static } from '@sinclair/typebox';
import { SerError, deepFreeze } from '@ser/core';
import { choice, configObject, nullable, schemaDefaults } from '@ser/core/config-schema';

const num = (description: string, def: number, range: NumberOptions = {}) => Type.Number({ description, default: def, ...range });
const int = (description: string, def: number, range: NumberOptions = {}) => Type.Integer({ description, default: def, ...range });

/**
 * The `features` key of an experiment: spectrogram parameters (audio -> [frames, bins]). Its
 * defaults are the paper's framing (Dai et al. 2019: 40 ms Hamming window, 10 ms hop) at 16 kHz,
 * log-Mel power in dB with librosa's Mel defaults (Slaney scale and norm), per-utterance
 * normalisation. The JSON Schema is the documentation; FeatureConfig is derived from it.
 */
export const featureConfigSchema = configObject(
  {
    sampleRateHz: int('Audio is resampled to this rate (Hz).', 16000, { minimum: 1000 }),
    kind: choice(['logmel', 'stft', 'mfcc'], { description: 'Feature kind.', default: 'logmel' }),
    windowMs: num('Analysis window length in ms (40 in Dai et al. 2019).', 40, { exclusiveMinimum: 0 }),
    hopMs: num('Frame hop in ms.', 10, { exclusiveMinimum: 0 }),
    nFft: nullable(Type.Integer({ minimum: 16 }), { default: null, description: 'FFT length in samples; null = the next power of two >= the window length.' }),
    window: choice(['hamming', 'hann'], { description: 'Window function.', default: 'hamming' }),
    center: Type.Boolean({ default: false, description: 'Reflect-pad half a window at both ends (librosa center=True).' }),
    preEmphasis: num('y[n] = x[n] - preEmphasis * x[n-1]; 0 = off, 0.97 typical.', 0, { minimum: 0, exclusiveMaximum: 1 }),
    spectrum: choice(['magnitude', 'power'], { description: '|X| (magnitude) or |X|^2 (power).', default: 'power' }),
    nMels: int('Mel bands (kind logmel or mfcc).', 128, { minimum: 1 }),
    fMinHz: num('Lowest Mel filter edge in Hz.', 0, { minimum: 0 }),
    fMaxHz: nullable(Type.Number({ exclusiveMinimum: 0 }), { default: null, description: 'Highest Mel filter edge in Hz; null = sampleRateHz / 2.' }),
    melScale: choice(['slaney', 'htk'], { description: 'Mel scale formula.', default: 'slaney' }),
    melNorm: choice(['slaney', 'none'], { description: 'Mel filter normalisation (slaney: area 1 per band).', default: 'slaney' }),
    compression: configObject(
      {
        type: choice(['db', 'log', 'none'], { description: 'db: 10*log10 (power) or 20*log10 (magnitude); log: natural log.', default: 'db' }),
        floor: num('Values are clipped to at least this before the logarithm.', 1e-10, { exclusiveMinimum: 0 }),
        topDb: nullable(Type.Number({ exclusiveMinimum: 0 }), { default: null, description: 'Clip to (max - topDb) dB per utterance; null = no clipping.' }),
      },
      { description: 'Amplitude compression.', default: {} },
    ),
    nMfcc: int('Cepstral coefficients (kind mfcc).', 40, { minimum: 1 }),
    normalisation: choice(['none', 'utterance', 'global', 'speaker'], {
      description:
        "Per-bin mean/variance normalisation. utterance: each utterance by itself (removes loudness, spectral tilt and pitch range with the speaker). global: statistics of the training fold only. speaker: each speaker by the statistics of all of that speaker's utterances in the fold -- the test speakers' too (their audio, never their labels), i.e. speaker-level normalisation, which assumes some unlabelled audio of every test speaker is at hand.",
      default: 'utterance',
    }),
    trimSilenceDb: nullable(Type.Number({ exclusiveMinimum: 0 }), {
      default: null,
      description:
        "Silence trimming: leading and trailing frames whose energy (mean square of the windowed samples) is more than this many dB below the utterance's loudest frame are dropped, as librosa.effects.trim(top_db); null = off. 40 keeps soft speech and drops room noise before and after it.",
    }),
    segment: nullable(
      configObject(
        {
          frames: Type.Integer({ minimum: 1, description: 'Frames per segment.' }),
          hopFrames: Type.Integer({ minimum: 1, description: 'Frames between segment starts.' }),
        },
        { required: ['frames', 'hopFrames'] },
      ),
      {
        default: null,
        description:
          "Cut utterances into fixed-length segments; null = variable length kept. Segments start every hopFrames frames while frames remain uncovered; the last keeps only its real frames (masked), and an utterance shorter than one segment gives one. Each segment trains with its utterance's label; validation and test score each utterance by the mean of its segments' class probabilities.",
      },
    ),
  },
  { description: 'Spectrogram parameters (audio -> [frames, bins]).', default: {} },
);

/** Feature parameters (the `features` key of an experiment), every default filled in. */
export type FeatureConfig = Static<typeof featureConfigSchema>;

/** One utterance's features, row-major [frames, bins]. */
export interface FeatureMatrix {
  frames: number;
  bins: number;
  data: Float32Array;
}

/** The defaults of featureConfigSchema. */
export const defaultFeatureConfig: Readonly<FeatureConfig> = deepFreeze(schemaDefaults(featureConfigSchema));

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
