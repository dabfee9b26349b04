// The `features` key of an experiment, declared once: this JSON Schema is what the config loader
// validates and editors show, and FeatureConfig is derived from it. (The frame arithmetic is in
// feature-config.ts, which feature-extraction worker threads load without TypeBox.)
import type { NumberOptions, Static } from '@sinclair/typebox';
import { deepFreeze } from '@ser/core';
import { Type, choice, configObject, nullable, schemaDefaults } from '@ser/core/config-schema';

export { resolveFrameParams, canonicalFeatureConfig } from './feature-config.js';
export type { FeatureMatrix, FrameParams } from './feature-config.js';

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

/** The defaults of featureConfigSchema. */
export const defaultFeatureConfig: Readonly<FeatureConfig> = deepFreeze(schemaDefaults(featureConfigSchema));
