import { SerError } from '@ser/core';
import type { FeatureMatrix } from './feature-config.js';

/** One fixed-length piece of an utterance: frames [startFrame, startFrame + validFrames) of it, then zeros. */
export interface FeatureSegment extends FeatureMatrix {
  startFrame: number;
  validFrames: number;
}

/**
 * Cuts [frames, bins] into segments of `frames` frames starting every `hopFrames` frames. Segments start at
 * 0, hop, 2 hop, ... while the previous ones leave frames uncovered; the final partial segment is ZERO-PADDED
 * at its end (never dropped), so every frame is in some segment and an utterance shorter than one segment
 * still gives one. Zeros equal the mean after normalisation. Count: 1 + max(0, ceil((T - frames) / hopFrames)).
 */
export function segment(mat: FeatureMatrix, spec: { frames: number; hopFrames: number }): FeatureSegment[] {
  const { bins, data } = mat;
  return segmentBounds(mat.frames, spec).map(({ startFrame, validFrames }) => {
    const seg = new Float32Array(spec.frames * bins);
    seg.set(data.subarray(startFrame * bins, (startFrame + validFrames) * bins));
    return { frames: spec.frames, bins, data: seg, startFrame, validFrames };
  });
}

/** Where segment() cuts an utterance of totalFrames frames: each segment's first frame and its real (unpadded) frames. */
export function segmentBounds(totalFrames: number, spec: { frames: number; hopFrames: number }): { startFrame: number; validFrames: number }[] {
  const { frames: len, hopFrames: hop } = spec;
  if (!Number.isInteger(len) || len < 1 || !Number.isInteger(hop) || hop < 1) {
    throw new SerError('CONFIG_INVALID', `segment: frames and hopFrames must be positive integers, got ${len} and ${hop}`);
  }
  const count = 1 + Math.max(0, Math.ceil((totalFrames - len) / hop));
  return Array.from({ length: count }, (_, s) => ({ startFrame: s * hop, validFrames: Math.max(0, Math.min(len, totalFrames - s * hop)) }));
}
