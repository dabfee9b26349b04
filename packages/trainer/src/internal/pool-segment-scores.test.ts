import { describe, expect, it } from 'vitest';
import { poolSegmentScores } from './pool-segment-scores.js';

describe('poolSegmentScores', () => {
  it('averages segment probabilities class by class', () => {
    expect(
      poolSegmentScores([
        [0.5, 0.5],
        [0.9, 0.1],
        [0.1, 0.9],
        [0.7, 0.3],
      ]),
    ).toEqual([0.55, 0.45]);
  });
  it('returns one segment unchanged, and takes typed arrays (subarrays of a batch)', () => {
    const batch = Float32Array.from([0.25, 0.75, 0.5, 0.5]);
    expect(poolSegmentScores([batch.subarray(0, 2)])).toEqual([0.25, 0.75]);
    expect(poolSegmentScores([batch.subarray(0, 2), batch.subarray(2, 4)])).toEqual([0.375, 0.625]);
  });
  it('rejects segments of different lengths, naming the segment', () => {
    expect(() => poolSegmentScores([[1], [0.5, 0.5]])).toThrow(/segment 1 has 2 scores, segment 0 has 1/);
  });
  it('rejects an utterance without segments', () => {
    expect(() => poolSegmentScores([])).toThrow(/no segment scores given/);
  });
});
