import { SerError } from '@ser/core';

/** Utterance-level scores from its segments' class probabilities: p[c] = mean over segments of p_s[c]. */
export function poolSegmentScores(segmentProbabilities: ArrayLike<number>[]): number[] {
  if (segmentProbabilities.length === 0)
    throw new SerError('SHAPE_MISMATCH', 'poolSegmentScores: no segment scores given; an utterance has at least one segment');
  const classes = segmentProbabilities[0].length;
  const sum = new Float64Array(classes);
  for (const [i, p] of segmentProbabilities.entries()) {
    if (p.length !== classes) {
      throw new SerError('SHAPE_MISMATCH', `poolSegmentScores: segment ${i} has ${p.length} scores, segment 0 has ${classes}`);
    }
    for (let c = 0; c < classes; c++) sum[c] += p[c];
  }
  return Array.from(sum, (v) => v / segmentProbabilities.length);
}
