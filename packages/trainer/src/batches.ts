import { Rng, SerError } from '@ser/core';
import { tf } from '@ser/engine';
import type { Example, FeatureSource } from './types.js';

/** An epoch's batches and how much of them is padding. */
export interface BatchPlan {
  batches: Example[][];
  /** Padded frames / all frames of the padded batches: sum_b (n_b * maxFrames_b - sum frames) / sum_b n_b * maxFrames_b. */
  paddingFraction: number;
}

/**
 * Splits one epoch of training examples into batches, drawing every random choice from `rng`.
 * Without bucketing: shuffle, cut into batches. With bucketing: shuffle, cut the list into windows
 * of `windowBatches * batchSize`, sort each window by frames, cut it into batches, then shuffle the
 * order of all batches -- batches hold similar lengths (little padding) yet vary from epoch to epoch.
 * Only the last window can give a short batch.
 */
export function planBatches(examples: readonly Example[], options: { batchSize: number; bucketing: boolean; windowBatches?: number; rng: Rng }): BatchPlan {
  const { batchSize, rng } = options;
  const order = rng.shuffle(examples.map((_, i) => i));
  const batches: Example[][] = [];
  if (!options.bucketing) {
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize).map((k) => examples[k]));
  } else {
    const window = batchSize * Math.max(1, options.windowBatches ?? 20);
    for (let w = 0; w < order.length; w += window) {
      // ties keep the shuffled order (Array.prototype.sort is stable), so they are random too
      const sorted = order.slice(w, w + window).sort((a, b) => examples[a].frames - examples[b].frames);
      for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize).map((k) => examples[k]));
    }
    rng.shuffle(batches);
  }
  return { batches, paddingFraction: paddingFraction(batches) };
}

/**
 * Evaluation batches: sorted by frames (ties by input order), no randomness; `index` maps each
 * batch row back to its position in `examples`.
 */
export function planEvalBatches(examples: readonly Example[], batchSize: number): { batches: Example[][]; index: number[][] } {
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].frames - examples[b].frames || a - b);
  const batches: Example[][] = [];
  const index: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    const idx = order.slice(i, i + batchSize);
    index.push(idx);
    batches.push(idx.map((k) => examples[k]));
  }
  return { batches, index };
}

/** Fraction of padded frames over a set of batches (each padded to its longest utterance). */
export function paddingFraction(batches: readonly (readonly Example[])[]): number {
  let padded = 0;
  let total = 0;
  for (const b of batches) {
    let max = 0;
    let sum = 0;
    for (const e of b) {
      max = Math.max(max, e.frames);
      sum += e.frames;
    }
    padded += b.length * max - sum;
    total += b.length * max;
  }
  return total === 0 ? 0 : padded / total;
}

/** A padded batch as plain arrays: x [n, frames, bins] zero-padded at the end, mask [n, frames] 1/0, labels [n]. */
export interface HostBatch {
  n: number;
  frames: number;
  bins: number;
  x: Float32Array;
  mask: Float32Array;
  labels: Int32Array;
}

/** Reads one batch's features from the source and pads them (zeros after each utterance's last frame). */
export function readBatch(batch: readonly Example[], source: FeatureSource): HostBatch {
  const bins = source.bins;
  const n = batch.length;
  let frames = 0;
  for (const e of batch) frames = Math.max(frames, e.frames);
  frames = Math.max(frames, 1);
  const x = new Float32Array(n * frames * bins);
  const mask = new Float32Array(n * frames);
  const labels = new Int32Array(n);
  batch.forEach((e, i) => {
    const data = source.read(e.id);
    if (data.length !== e.frames * bins) {
      throw new SerError(
        'SHAPE_MISMATCH',
        `FeatureSource.read('${e.id}') returned ${data.length} values but the example says ${e.frames} frames x ${bins} bins = ${e.frames * bins}; make Example.frames match the features.`,
        { details: { id: e.id, values: data.length, frames: e.frames, bins } },
      );
    }
    x.set(data, i * frames * bins);
    mask.fill(1, i * frames, i * frames + e.frames);
    labels[i] = e.label;
  });
  return { n, frames, bins, x, mask, labels };
}

/** Uploads a host batch: x [n, frames, bins] float32, mask [n, frames] float32, labels [n] int32. The caller disposes them. */
export function batchTensors(b: HostBatch): { x: tf.Tensor3D; mask: tf.Tensor2D; labels: tf.Tensor1D } {
  return {
    x: tf.tensor3d(b.x, [b.n, b.frames, b.bins]),
    mask: tf.tensor2d(b.mask, [b.n, b.frames]),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}
