import { Rng, SerError } from '@ser/core';
import type { AugmentationConfig } from './config.js';
import type { HostBatch } from './batches.js';
import type { Example, FeatureSource } from './types.js';

/** A training example as planned for one epoch: `frames` after the crop, `fullFrames` what the source holds. */
export interface PlannedExample extends Example {
  fullFrames: number;
}

/** The examples with their lengths after a crop to at most cropFrames (null: unchanged), for planning batches. */
export function croppedLengths(examples: readonly Example[], cropFrames: number | null): PlannedExample[] {
  return examples.map((e) => ({ ...e, fullFrames: e.frames, frames: cropFrames === null ? e.frames : Math.min(e.frames, cropFrames) }));
}

/**
 * One epoch's training examples under `sampling`. shuffle: each once. class-balanced: every class
 * contributes as many examples as the largest class has, the smaller ones in rounds of their own
 * examples, each round in a new random order (so no example repeats before its class is used up).
 */
export function epochExamples<T extends Example>(examples: readonly T[], sampling: 'shuffle' | 'class-balanced', rng: Rng): T[] {
  if (sampling === 'shuffle') return examples.slice();
  const byClass = new Map<number, T[]>();
  for (const e of examples) {
    const list = byClass.get(e.label);
    if (list) list.push(e);
    else byClass.set(e.label, [e]);
  }
  const largest = Math.max(0, ...[...byClass.values()].map((l) => l.length));
  const out: T[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const own = byClass.get(label)!;
    for (let taken = 0; taken < largest; taken += own.length) {
      const round = rng.shuffle(own.slice());
      out.push(...round.slice(0, Math.min(own.length, largest - taken)));
    }
  }
  return out;
}

/**
 * Reads one training batch with augmentation: each utterance longer than cropFrames is cut to a
 * random window of cropFrames frames, then padded as readBatch does, then each utterance gets
 * timeMasks time masks of width uniform in [0, timeMaskFrames] (within its real frames) and
 * freqMasks frequency masks of width uniform in [0, freqMaskBins], set to 0 (the mean of normalised
 * features). Every draw comes from `rng`, in batch order.
 */
export function readTrainingBatch(batch: readonly PlannedExample[], source: FeatureSource, aug: AugmentationConfig, rng: Rng): HostBatch {
  const bins = source.bins;
  const n = batch.length;
  let frames = 1;
  for (const e of batch) frames = Math.max(frames, e.frames);
  const x = new Float32Array(n * frames * bins);
  const mask = new Float32Array(n * frames);
  const labels = new Int32Array(n);
  batch.forEach((e, i) => {
    const data = source.read(e.id);
    if (data.length !== e.fullFrames * bins) {
      throw new SerError(
        'SHAPE_MISMATCH',
        `FeatureSource.read('${e.id}') returned ${data.length} values but the example says ${e.fullFrames} frames x ${bins} bins = ${e.fullFrames * bins}; make Example.frames match the features.`,
        { details: { id: e.id, values: data.length, frames: e.fullFrames, bins } },
      );
    }
    const start = e.fullFrames > e.frames ? rng.int(e.fullFrames - e.frames + 1) : 0;
    const row = i * frames * bins;
    x.set(data.subarray(start * bins, (start + e.frames) * bins), row);
    mask.fill(1, i * frames, i * frames + e.frames);
    labels[i] = e.label;
    for (let k = 0; k < aug.timeMasks; k++) {
      const width = Math.min(rng.int(aug.timeMaskFrames + 1), e.frames);
      const t0 = rng.int(e.frames - width + 1);
      x.fill(0, row + t0 * bins, row + (t0 + width) * bins);
    }
    for (let k = 0; k < aug.freqMasks; k++) {
      const width = Math.min(rng.int(aug.freqMaskBins + 1), bins);
      const f0 = rng.int(bins - width + 1);
      for (let t = 0; t < e.frames; t++) x.fill(0, row + t * bins + f0, row + t * bins + f0 + width);
    }
  });
  return { n, frames, bins, x, mask, labels };
}
