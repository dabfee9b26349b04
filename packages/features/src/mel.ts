/** Hz to Mel. slaney (librosa default): linear 3 mel per 200 Hz below 1 kHz, log above; htk: 2595 log10(1 + f / 700). */
export function hzToMel(hz: number, scale: 'slaney' | 'htk'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp;
}

/** Mel to Hz, the inverse of hzToMel. */
export function melToHz(mel: number, scale: 'slaney' | 'htk'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel;
}

/**
 * A Mel filterbank stored sparsely: band m has weights[offset[m] .. offset[m] + count[m]) for FFT bins
 * start[m] .. start[m] + count[m]. Triangles as librosa.filters.mel: edges equally spaced in Mel between
 * fMinHz and fMaxHz; slaney norm scales band m by 2 / (f[m + 2] - f[m]) (constant energy per band).
 */
export interface MelFilterbank {
  nMels: number;
  nFreqs: number;
  start: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  weights: Float64Array;
}

/** Builds the sparse Mel filterbank for an nFft-point FFT at sampleRateHz (bins 0 .. nFft / 2). */
export function melFilterbank(options: {
  sampleRateHz: number;
  nFft: number;
  nMels: number;
  fMinHz: number;
  fMaxHz: number;
  scale: 'slaney' | 'htk';
  norm: 'slaney' | 'none';
}): MelFilterbank {
  const { sampleRateHz, nFft, nMels, fMinHz, fMaxHz, scale, norm } = options;
  const nFreqs = nFft / 2 + 1;
  const melMin = hzToMel(fMinHz, scale);
  const melMax = hzToMel(fMaxHz, scale);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);
  const start = new Int32Array(nMels);
  const count = new Int32Array(nMels);
  const offset = new Int32Array(nMels);
  const all: number[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m];
    const mid = edges[m + 1];
    const hi = edges[m + 2];
    const enorm = norm === 'slaney' ? 2 / (hi - lo) : 1;
    let first = -1;
    let last = -1;
    const band: number[] = [];
    for (let k = 0; k < nFreqs; k++) {
      const f = (k * sampleRateHz) / nFft;
      // the same expression librosa evaluates, so bins on an edge get exactly 0 as there
      const lower = (f - lo) / (mid - lo);
      const upper = (hi - f) / (hi - mid);
      const w = Math.max(0, Math.min(lower, upper));
      if (w > 0) {
        if (first < 0) first = k;
        last = k;
      }
      band.push(w * enorm);
    }
    offset[m] = all.length;
    if (first >= 0) {
      start[m] = first;
      count[m] = last - first + 1;
      for (let k = first; k <= last; k++) all.push(band[k]);
    }
  }
  return { nMels, nFreqs, start, count, offset, weights: Float64Array.from(all) };
}

/** The filterbank as a dense [nMels, nFreqs] matrix (row-major), for tests and inspection. */
export function melFilterbankDense(fb: MelFilterbank): Float64Array {
  const out = new Float64Array(fb.nMels * fb.nFreqs);
  for (let m = 0; m < fb.nMels; m++) {
    for (let j = 0; j < fb.count[m]; j++) out[m * fb.nFreqs + fb.start[m] + j] = fb.weights[fb.offset[m] + j];
  }
  return out;
}
