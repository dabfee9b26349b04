import { SerError, canonicalJson } from '@ser/core';
import { resolveFrameParams, type FeatureConfig, type FeatureMatrix, type FrameParams } from './feature-config.js';
import { makeWindow } from './window.js';
import { melFilterbank, type MelFilterbank } from './mel.js';
import { dctMatrix } from './dct.js';
import { normaliseUtteranceInPlace } from './normalise.js';
import { resampleSync } from './resample.js';
import { RealFft } from './internal/real-fft.js';
import { spectrogramFramesNative } from './internal/native-frames.js';

/** Everything precomputed for one config: window, FFT tables, sparse Mel weights, DCT, scratch buffers. */
interface Plan {
  params: FrameParams;
  config: FeatureConfig;
  window: Float64Array; // nFft: librosa pads a short window to nFft with zeros on both sides (pad_center)
  fft: RealFft;
  power: Float64Array; // nFreqs
  mel: MelFilterbank | null;
  dct: Float64Array | null; // [nMfcc, nMels]
}

const plans = new Map<string, Plan>();

function planFor(config: FeatureConfig): Plan {
  const key = canonicalJson(config);
  let plan = plans.get(key);
  if (plan) return plan;
  const params = resolveFrameParams(config);
  const { nFft, winLength, nFreqs, sampleRateHz, fMaxHz } = params;
  const mel =
    config.kind === 'stft'
      ? null
      : melFilterbank({ sampleRateHz, nFft, nMels: config.nMels, fMinHz: config.fMinHz, fMaxHz, scale: config.melScale, norm: config.melNorm });
  plan = {
    params,
    config,
    window: padCenter(makeWindow(config.window, winLength, true), nFft),
    fft: new RealFft(nFft),
    power: new Float64Array(nFreqs),
    mel,
    dct: config.kind === 'mfcc' ? dctMatrix(config.nMels, config.nMfcc) : null,
  };
  if (plans.size > 64) plans.clear(); // sweeps use a handful of configs; bound the memory anyway
  plans.set(key, plan);
  return plan;
}

/** The window centred in nFft samples with zeros around it (librosa.util.pad_center). */
function padCenter(w: Float64Array, nFft: number): Float64Array {
  const out = new Float64Array(nFft);
  out.set(w, Math.floor((nFft - w.length) / 2));
  return out;
}

/**
 * extractFeatures' frame loop in JS (the native one, @ser/native, is the same in C++): per frame the
 * power (or magnitude) spectrum, Mel weights, compression, into out (or melRows for MFCC); returns the
 * largest value.
 */
function framesInJs(
  plan: Plan,
  sig: Float64Array,
  frames: number,
  o: { magnitude: boolean; compress: boolean; logScale: number; floor: number },
  out: Float32Array,
  melRows: Float64Array | null,
): number {
  const { window, fft, power, mel } = plan;
  const { hopLength, nFreqs, bins } = plan.params;
  const { magnitude, compress, logScale, floor } = o;
  const nMels = mel ? mel.nMels : 0;
  let maxValue = -Infinity;
  for (let t = 0; t < frames; t++) {
    fft.power(sig, t * hopLength, window, power);
    if (magnitude) for (let k = 0; k < nFreqs; k++) power[k] = Math.sqrt(power[k]);
    const row = t * bins;
    if (!mel) {
      for (let k = 0; k < nFreqs; k++) {
        const v = compress ? logScale * Math.log(power[k] > floor ? power[k] : floor) : power[k];
        out[row + k] = v;
        if (v > maxValue) maxValue = v;
      }
      continue;
    }
    const { start, count, offset, weights } = mel;
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      const o = offset[m];
      const st = start[m];
      const c = count[m];
      for (let j = 0; j < c; j++) s += weights[o + j] * power[st + j];
      const v = compress ? logScale * Math.log(s > floor ? s : floor) : s;
      if (v > maxValue) maxValue = v;
      if (melRows) melRows[t * nMels + m] = v;
      else out[row + m] = v;
    }
  }
  return maxValue;
}

/**
 * The analysed signal: pre-emphasis y[n] = x[n] - c x[n-1] (x[-1] = 2 x[0] - x[1], as librosa.effects.preemphasis)
 * and, when centred, numpy 'reflect' padding of nFft / 2 samples at both ends (librosa.stft center=True, pad_mode='reflect').
 */
function prepareSignal(x: Float32Array, preEmphasis: number, pad: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2 * pad);
  if (preEmphasis > 0) {
    const before = n > 1 ? 2 * x[0] - x[1] : x[0];
    out[pad] = x[0] - preEmphasis * before;
    for (let i = 1; i < n; i++) out[pad + i] = x[i] - preEmphasis * x[i - 1];
  } else {
    out.set(x, pad); // float32 -> float64 in one typed-array copy
  }
  if (pad > 0) {
    const period = 2 * (n - 1);
    for (let i = 1; i <= pad; i++) {
      out[pad - i] = n === 1 ? out[pad] : out[pad + reflectIndex(-i, n, period)];
      out[pad + n - 1 + i] = n === 1 ? out[pad] : out[pad + reflectIndex(n - 1 + i, n, period)];
    }
  }
  return out;
}

function reflectIndex(i: number, n: number, period: number): number {
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Features of mono samples: [frames, bins] row-major. Resamples to config.sampleRateHz first when needed (needs
 * `await loadResampler()` once). Frames: 1 + floor((len + (center ? nFft : 0) - nFft) / hop), frame t starting at
 * sample t * hop of the (padded) signal, the window centred in nFft. Per frame: |X|^p (p = 1 magnitude, 2 power),
 * then Mel weights (logmel, mfcc), then compression (db: 10 log10(max(floor, S)) for power, 20 log10 for magnitude,
 * like librosa power_to_db / amplitude_to_db with ref 1, amin = floor; log: ln(max(floor, S))), topDb clipping to
 * max - topDb, then DCT-II ortho (mfcc), then silence trimming (trimSilenceDb: voicedFrameRange), then per-utterance mean/std normalisation when normalisation = 'utterance'
 * ('global' is applied by the caller with computeNormStats + normalise; segmenting too, with segment()).
 */
export function extractFeatures(samples: Float32Array, sampleRateHz: number, config: FeatureConfig): FeatureMatrix {
  const plan = planFor(config);
  const { params } = plan;
  const x = sampleRateHz === params.sampleRateHz ? samples : resampleSync(samples, sampleRateHz, params.sampleRateHz);
  if (x.length === 0) throw new SerError('AUDIO_EMPTY', 'extractFeatures: the signal has no samples; nothing to analyse');
  const { nFft, hopLength } = params;
  const pad = config.center ? nFft >> 1 : 0;
  const sig = prepareSignal(x, config.preEmphasis, pad);
  const frames = sig.length >= nFft ? 1 + Math.floor((sig.length - nFft) / hopLength) : 0;
  if (frames === 0) {
    throw new SerError(
      'AUDIO_TOO_SHORT',
      `extractFeatures: ${x.length} samples are shorter than one frame (nFft = ${nFft} samples) with center = false; use center: true or longer audio`,
      { details: { samples: x.length, nFft } },
    );
  }
  const bins = params.bins;
  const out = new Float32Array(frames * bins);
  // MFCC needs the whole (clipped) log-Mel matrix before its DCT, so it is kept aside
  const melRows = plan.dct ? new Float64Array(frames * plan.config.nMels) : null;
  const { window, mel, dct } = plan;
  const magnitude = config.spectrum === 'magnitude';
  const comp = config.compression;
  // db and log differ only by a constant factor on ln(): 10 / ln(10) (power) or 20 / ln(10) (magnitude), or 1
  const logScale = comp.type === 'db' ? (magnitude ? 20 : 10) / Math.LN10 : 1;
  const floor = comp.floor;
  const compress = comp.type !== 'none';
  const nMels = mel ? mel.nMels : 0;
  // the native frame loop (@ser/native, all cores) where it is built, else the same loop in JS
  const opts = { magnitude, compress, logScale, floor };
  const maxValue =
    spectrogramFramesNative(sig, frames, hopLength, nFft, window, mel, opts, melRows ?? out) ?? framesInJs(plan, sig, frames, opts, out, melRows);
  // topDb clips the compressed Mel/STFT values before the DCT, as librosa.feature.mfcc(S=power_to_db(..., top_db))
  const topDb = comp.topDb ?? null;
  if (topDb !== null && compress) {
    const lowest = maxValue - topDb;
    const target = melRows ?? out;
    for (let i = 0; i < target.length; i++) if (target[i] < lowest) target[i] = lowest;
  }
  if (melRows && dct) {
    const nMfcc = config.nMfcc;
    for (let t = 0; t < frames; t++) {
      const mr = t * nMels;
      for (let k = 0; k < nMfcc; k++) {
        let s = 0;
        const r = k * nMels;
        for (let m = 0; m < nMels; m++) s += dct[r + m] * melRows[mr + m];
        out[t * nMfcc + k] = s;
      }
    }
  }
  let mat: FeatureMatrix = { frames, bins, data: out };
  if (config.trimSilenceDb !== null && config.trimSilenceDb !== undefined) {
    const [first, end] = voicedFrameRange(sig, frames, params, config.trimSilenceDb);
    if (first > 0 || end < frames) mat = { frames: end - first, bins, data: out.slice(first * bins, end * bins) };
  }
  if (config.normalisation === 'utterance') normaliseUtteranceInPlace(mat);
  return mat;
}

/**
 * Silence trimming (librosa.effects.trim with top_db): frames [first, end) from the first to the last
 * frame whose energy, the mean square of the window's samples in dB, is within topDb of the loudest
 * frame. A silent signal keeps all its frames (nothing is louder than anything else).
 */
export function voicedFrameRange(sig: Float64Array, frames: number, params: FrameParams, topDb: number): [number, number] {
  const { hopLength, nFft, winLength } = params;
  const offset = Math.floor((nFft - winLength) / 2);
  const energy = new Float64Array(frames);
  let loudest = 0;
  for (let t = 0; t < frames; t++) {
    let sum = 0;
    const start = t * hopLength + offset;
    for (let i = start; i < start + winLength; i++) sum += sig[i] * sig[i];
    energy[t] = sum / winLength;
    if (energy[t] > loudest) loudest = energy[t];
  }
  if (!(loudest > 0)) return [0, frames];
  const threshold = loudest * Math.pow(10, -topDb / 10);
  let first = 0;
  while (first < frames - 1 && energy[first] < threshold) first++;
  let end = frames;
  while (end > first + 1 && energy[end - 1] < threshold) end--;
  return [first, end];
}
