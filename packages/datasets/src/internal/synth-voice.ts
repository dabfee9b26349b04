import { Rng } from '@ser/core';

/**
 * A source-filter voice: a Rosenberg glottal pulse train (F0 contour with jitter and shimmer,
 * differentiated for lip radiation, a one-pole low-pass for spectral tilt, pulsed aspiration
 * noise) through a cascade of three 2nd-order resonators (F1-F3, Klatt 1980) for vowels, and
 * band-passed noise for fricatives / bursts for plosives.
 */

/** Prosody and voice quality of one emotion, relative values (neutral is the reference). */
export interface Prosody {
  /** Mean pitch offset, semitones. */
  pitchSt: number;
  /** Multiplier of the pitch excursions (declination, accents, drift). */
  rangeScale: number;
  /** Loudness offset, dB. */
  loudnessDb: number;
  /** Speaking-rate multiplier (syllables per second). */
  rate: number;
  /** Spectral tilt in [0, 1]: 0 flat (abrupt glottal closure, little low-pass), 1 steep. */
  tilt: number;
  /** Period-to-period F0 perturbation, relative std. */
  jitter: number;
  /** Period-to-period amplitude perturbation, relative std. */
  shimmer: number;
  /** Aspiration noise level relative to the pulses. */
  breathiness: number;
}

/**
 * Emotion profiles after the vocal-emotion literature (Scherer 2003; Banse & Scherer 1996; Juslin &
 * Laukka 2003): anger high pitch, wide range, loud, fast, flat tilt; sadness low, narrow, soft, slow,
 * steep tilt, breathy; happiness high and wide; fear high, fast, irregular; neutral in between.
 */
export const PROSODY: Readonly<Record<string, Prosody>> = {
  neutral: { pitchSt: 0, rangeScale: 1, loudnessDb: 0, rate: 1, tilt: 0.5, jitter: 0.008, shimmer: 0.04, breathiness: 0.04 },
  angry: { pitchSt: 4, rangeScale: 1.7, loudnessDb: 7, rate: 1.2, tilt: 0.12, jitter: 0.012, shimmer: 0.06, breathiness: 0.02 },
  happy: { pitchSt: 5, rangeScale: 1.8, loudnessDb: 3, rate: 1.1, tilt: 0.35, jitter: 0.01, shimmer: 0.05, breathiness: 0.04 },
  sad: { pitchSt: -3, rangeScale: 0.45, loudnessDb: -7, rate: 0.75, tilt: 0.88, jitter: 0.015, shimmer: 0.07, breathiness: 0.12 },
  fearful: { pitchSt: 6, rangeScale: 1.2, loudnessDb: -1, rate: 1.25, tilt: 0.45, jitter: 0.025, shimmer: 0.07, breathiness: 0.1 },
  bored: { pitchSt: -2, rangeScale: 0.5, loudnessDb: -4, rate: 0.8, tilt: 0.7, jitter: 0.01, shimmer: 0.05, breathiness: 0.06 },
  disgust: { pitchSt: -1, rangeScale: 1.1, loudnessDb: 1, rate: 0.85, tilt: 0.5, jitter: 0.012, shimmer: 0.06, breathiness: 0.05 },
  surprised: { pitchSt: 7, rangeScale: 2, loudnessDb: 3, rate: 1.05, tilt: 0.35, jitter: 0.01, shimmer: 0.05, breathiness: 0.04 },
  calm: { pitchSt: -1, rangeScale: 0.7, loudnessDb: -3, rate: 0.9, tilt: 0.6, jitter: 0.008, shimmer: 0.04, breathiness: 0.06 },
};

/** The emotion's prosody with its distance from neutral scaled by (1 - 0.8 difficulty); ratios shrink in the log domain. */
export function emotionProsody(emotion: string, difficulty: number): Prosody {
  const p = PROSODY[emotion];
  const n = PROSODY.neutral;
  const e = 1 - 0.8 * difficulty;
  const lin = (a: number, b: number) => b + e * (a - b);
  const log = (a: number, b: number) => b * Math.pow(a / b, e);
  return {
    pitchSt: lin(p.pitchSt, n.pitchSt),
    rangeScale: log(p.rangeScale, n.rangeScale),
    loudnessDb: lin(p.loudnessDb, n.loudnessDb),
    rate: log(p.rate, n.rate),
    tilt: lin(p.tilt, n.tilt),
    jitter: lin(p.jitter, n.jitter),
    shimmer: lin(p.shimmer, n.shimmer),
    breathiness: lin(p.breathiness, n.breathiness),
  };
}

export interface SyntheticSpeaker {
  id: string;
  gender: 'female' | 'male';
  /** Base pitch, Hz. */
  f0Hz: number;
  /** Formant multiplier: a shorter vocal tract (female: about 1.17) raises all formants. */
  formantScale: number;
  loudnessDb: number;
  tiltOffset: number;
  rate: number;
}

/** Speaker `index` (0-based): even indices female, odd male; spreads grow with difficulty. */
export function makeSpeaker(index: number, seed: number, difficulty: number): SyntheticSpeaker {
  const rng = new Rng(seed).fork(`speaker:${index}`);
  const female = index % 2 === 0;
  return {
    id: `S${String(index + 1).padStart(2, '0')}`,
    gender: female ? 'female' : 'male',
    f0Hz: (female ? 205 : 115) * Math.exp(rng.normal() * (0.06 + 0.12 * difficulty)),
    formantScale: (female ? 1.17 : 1) * Math.exp(rng.normal() * (0.03 + 0.04 * difficulty)),
    loudnessDb: rng.normal() * (1 + 3 * difficulty),
    tiltOffset: rng.normal() * (0.03 + 0.1 * difficulty),
    rate: Math.exp(rng.normal() * (0.04 + 0.1 * difficulty)),
  };
}

// adult male vowel formants, Hz (Peterson & Barney 1952): a, i, u, e, o, ae
const VOWELS: readonly [number, number, number][] = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
  [570, 840, 2410],
  [660, 1720, 2410],
];
const BANDWIDTHS = [80, 100, 140];
/** RMS of a neutral utterance at 0 dB (about -26 dBFS), leaving headroom for +7 dB anger. */
const REFERENCE_RMS = 0.05;

/** Klatt's resonator y[n] = A x[n] + B y[n-1] + C y[n-2] (unit gain at 0 Hz). */
class Resonator {
  private a = 0;
  private b = 0;
  private c = 0;
  private y1 = 0;
  private y2 = 0;
  set(freqHz: number, bwHz: number, sr: number): void {
    const r = Math.exp((-Math.PI * bwHz) / sr);
    this.c = -r * r;
    this.b = 2 * r * Math.cos((2 * Math.PI * freqHz) / sr);
    this.a = 1 - this.b - this.c;
  }
  step(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** A draw from the uniform noise of unit variance (cheaper than Box-Muller per sample). */
const white = (rng: Rng) => (rng.next() * 2 - 1) * 1.7320508;

export interface RenderOptions {
  speaker: SyntheticSpeaker;
  emotion: string;
  nSamples: number;
  sampleRateHz: number;
  difficulty: number;
  rng: Rng;
}

/** One utterance as samples in [-1, 1]: a random syllable string with the emotion's prosody. */
export function renderUtterance(o: RenderOptions): Float32Array {
  const { speaker, rng, difficulty: d, nSamples: n } = o;
  const sr = o.sampleRateHz;
  const p = emotionProsody(o.emotion, d);
  const durationS = n / sr;

  // per-utterance variability: grows with difficulty, so classes overlap
  const pitchSt = p.pitchSt + rng.normal() * (0.4 + 2 * d);
  const range = p.rangeScale * Math.exp(rng.normal() * (0.05 + 0.25 * d));
  const loudDb = p.loudnessDb + speaker.loudnessDb + rng.normal() * (0.8 + 3 * d);
  const rate = p.rate * speaker.rate * Math.exp(rng.normal() * (0.03 + 0.1 * d));
  const tilt = Math.min(0.95, Math.max(0.02, p.tilt + speaker.tiltOffset + rng.normal() * (0.03 + 0.12 * d)));
  const jitter = Math.max(0, p.jitter * (1 + 0.3 * rng.normal()));
  const shimmer = Math.max(0, p.shimmer * (1 + 0.3 * rng.normal()));
  const breath = Math.max(0, p.breathiness * (1 + 0.3 * rng.normal()));
  const snrDb = 38 - 26 * d + 2 * rng.normal();

  // segment plan: per-sample voicing / frication envelopes, formant targets, pitch accents
  const voiced = new Float32Array(n);
  const fric = new Float32Array(n);
  const fricHz = new Float32Array(n);
  const accentSt = new Float32Array(n);
  const ft = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  // a segment envelope: raised-cosine ramps of rampS at both ends, flat `gain` between
  const ramp = (arr: Float32Array, from: number, to: number, rampS: number, gain = 1) => {
    const lo = Math.max(0, from);
    const hi = Math.min(n, to);
    const r = Math.max(1, Math.min(Math.round(rampS * sr), (hi - lo) >> 1));
    for (let i = lo; i < hi; i++) {
      const k = i - lo < r ? (i - lo) / r : hi - 1 - i < r ? (hi - 1 - i) / r : 1;
      const v = k >= 1 ? gain : gain * 0.5 * (1 - Math.cos(Math.PI * k));
      if (v > arr[i]) arr[i] = v;
    }
  };
  let t = 0.05 + 0.07 * rng.next();
  let vowel = VOWELS[rng.int(VOWELS.length)];
  let sinceBreak = 0;
  let nextBreak = 4 + rng.int(4);
  const end = durationS - 0.08;
  const segments: { from: number; to: number; formants: [number, number, number] }[] = [];
  while (t < end - 0.1) {
    // consonant: a fricative (noise band) or a plosive (closure, then a short burst)
    const cDur = (0.04 + 0.05 * rng.next()) / rate;
    const c0 = Math.round(t * sr);
    const c1 = Math.round(Math.min(end, t + cDur) * sr);
    if (rng.next() < 0.6) {
      ramp(fric, c0, c1, 0.01);
      fricHz.fill(Math.min(0.42 * sr, (2500 + 3000 * rng.next()) * speaker.formantScale), c0, c1);
    } else {
      const b0 = Math.round((t + 0.6 * cDur) * sr);
      for (let i = b0; i < Math.min(n, c1); i++) fric[i] = Math.exp(-(i - b0) / (0.006 * sr));
      fricHz.fill(Math.min(0.42 * sr, (1500 + 2500 * rng.next()) * speaker.formantScale), b0, c1);
    }
    t += cDur;
    // vowel
    const vDur = Math.min(end - t, (0.09 + 0.1 * rng.next()) / rate);
    if (vDur < 0.04) break;
    vowel = VOWELS[rng.int(VOWELS.length)];
    const v0 = Math.round(t * sr);
    const v1 = Math.round((t + vDur) * sr);
    ramp(voiced, v0, v1, 0.015);
    segments.push({ from: v0, to: v1, formants: vowel });
    if (rng.next() < 0.45) {
      // a pitch accent: a raised-cosine bump centred on the vowel
      const h = range * (1 + 2 * rng.next());
      const half = Math.round(0.75 * vDur * sr);
      const mid = (v0 + v1) >> 1;
      for (let i = Math.max(0, mid - half); i < Math.min(n, mid + half); i++) {
        accentSt[i] += h * 0.5 * (1 + Math.cos((Math.PI * (i - mid)) / half));
      }
    }
    t += vDur;
    if (++sinceBreak >= nextBreak) {
      t += (0.08 + 0.12 * rng.next()) / rate;
      sinceBreak = 0;
      nextBreak = 4 + rng.int(4);
    }
  }
  // formant targets: each vowel's from its start until the next vowel starts (consonants glide)
  for (let s = 0; s < segments.length; s++) {
    const from = s === 0 ? 0 : segments[s].from;
    const to = s + 1 < segments.length ? segments[s + 1].from : n;
    for (let k = 0; k < 3; k++) ft[k].fill(segments[s].formants[k] * speaker.formantScale, from, to);
  }
  if (segments.length === 0) for (let k = 0; k < 3; k++) ft[k].fill(VOWELS[0][k] * speaker.formantScale);

  // glottal source through tilt, then the vocal tract; fricatives through their own band-pass
  const drift = { f: 0.5 + rng.next(), phi: 2 * Math.PI * rng.next() };
  const tract = [new Resonator(), new Resonator(), new Resonator()];
  const fricRes = new Resonator();
  const smooth = [ft[0][0], ft[1][0], ft[2][0]];
  const smoothK = 1 - Math.exp(-1 / (0.02 * sr)); // 20 ms formant glides
  const tp = 0.4; // opening phase, fraction of the period
  const tn = 0.08 + 0.24 * tilt; // closing phase: an abrupt closure puts energy in the high frequencies
  const lpA = 0.75 * tilt;
  const vSig = new Float32Array(n);
  const fSig = new Float32Array(n);
  // one glottal pulse (Rosenberg) tabulated: the tilt, and so the pulse shape, is fixed per utterance
  const TABLE = 2048;
  const pulse = new Float32Array(TABLE + 1);
  for (let j = 0; j <= TABLE; j++) {
    const ph = j / TABLE;
    pulse[j] = ph < tp ? 0.5 * (1 - Math.cos((Math.PI * ph) / tp)) : ph < tp + tn ? Math.cos((Math.PI * (ph - tp)) / (2 * tn)) : 0;
  }
  let phase = 0;
  let periodMul = 1;
  let amp = 1;
  let gPrev = 0;
  let lp = 0;
  let curFric = -1;
  let f0Block = speaker.f0Hz;
  for (let i = 0; i < n; i++) {
    if ((i & 15) === 0) {
      // pitch and formants move at 1 ms resolution at 16 kHz: smooth enough, far cheaper than per sample
      const ti = i / sr;
      const st = pitchSt + range * (1 - (2.5 * ti) / durationS) + accentSt[i] + 0.6 * range * Math.sin(2 * Math.PI * drift.f * ti + drift.phi);
      f0Block = speaker.f0Hz * Math.pow(2, st / 12);
      for (let k = 0; k < 3; k++) {
        smooth[k] += (ft[k][i] - smooth[k]) * Math.min(1, smoothK * 16);
        tract[k].set(smooth[k], BANDWIDTHS[k] * (0.8 + 0.4 * tilt), sr);
      }
    }
    phase += (f0Block * periodMul) / sr;
    if (phase >= 1) {
      phase -= 1;
      periodMul = 1 + jitter * rng.normal();
      amp = Math.max(0.2, 1 + shimmer * rng.normal());
    }
    const g = pulse[(phase * TABLE) | 0];
    const src = (g - gPrev) * amp;
    gPrev = g;
    lp = (1 - lpA) * src + lpA * lp;
    const excitation = voiced[i] > 0 ? voiced[i] * (lp + breath * 0.05 * white(rng) * (0.3 + g)) : 0;
    vSig[i] = tract[2].step(tract[1].step(tract[0].step(excitation)));
    if (fric[i] > 0) {
      if (fricHz[i] !== curFric) {
        curFric = fricHz[i];
        fricRes.set(curFric, 1200, sr);
      }
      fSig[i] = fricRes.step(fric[i] * white(rng));
    } else {
      fSig[i] = fricRes.step(0);
    }
  }

  // mix at fixed relative levels, then scale the active part to the target loudness
  const rmsWhere = (x: Float32Array, env: Float32Array) => {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (env[i] > 0.5) {
        s += x[i] * x[i];
        c++;
      }
    }
    return c > 0 ? Math.sqrt(s / c) : 0;
  };
  const vr = rmsWhere(vSig, voiced) || 1;
  const fr = rmsWhere(fSig, fric) || 1;
  const out = new Float32Array(n);
  const fricLevel = 0.3 * Math.pow(10, (0.3 * loudDb) / 20); // effortful speech has stronger frication
  for (let i = 0; i < n; i++) out[i] = vSig[i] / vr + (fricLevel * fSig[i]) / fr;
  const active = new Float32Array(n);
  for (let i = 0; i < n; i++) active[i] = Math.max(voiced[i], fric[i]);
  const gain = (REFERENCE_RMS * Math.pow(10, loudDb / 20)) / (rmsWhere(out, active) || 1);
  const noiseRms = REFERENCE_RMS * Math.pow(10, -snrDb / 20);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    out[i] = out[i] * gain + noiseRms * white(rng);
    peak = Math.max(peak, Math.abs(out[i]));
  }
  if (peak > 0.99) for (let i = 0; i < n; i++) out[i] *= 0.99 / peak;
  return out;
}
