import { describe, expect, it } from 'vitest';
import {
  argmaxRows,
  centerDrift,
  confusionMatrix,
  embeddingStats,
  macroF1,
  meanPairwiseDistance,
  perClassRecall,
  unweightedAccuracy,
  weightedAccuracy,
} from './metrics.js';

// labels / predictions over 4 classes; class 3 never occurs
const labels = [0, 0, 0, 1, 1, 2];
const preds = [0, 1, 0, 1, 2, 2];

describe('classification metrics (hand-computed)', () => {
  const m = confusionMatrix(labels, preds, 4);
  it('confusion rows are true classes, columns predictions', () => {
    expect(m).toEqual([
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
  });
  it('per-class recall is NaN for an absent class; UA leaves it out', () => {
    expect(perClassRecall(m)).toEqual([2 / 3, 1 / 2, 1, NaN]);
    expect(unweightedAccuracy(m)).toBeCloseTo(13 / 18, 14); // (2/3 + 1/2 + 1) / 3
  });
  it('WA is overall accuracy', () => {
    expect(weightedAccuracy(m)).toBeCloseTo(4 / 6, 14);
  });
  it('macro-F1 averages 2TP/(2TP+FP+FN) over classes that occur', () => {
    expect(macroF1(m)).toBeCloseTo((4 / 5 + 1 / 2 + 2 / 3) / 3, 14); // = 59/90
    // a class predicted but absent from the labels counts with F1 = 0; UA ignores it
    const m2 = confusionMatrix([0, 0], [0, 1], 2);
    expect(macroF1(m2)).toBeCloseTo((2 / 3 + 0) / 2, 14);
    expect(unweightedAccuracy(m2)).toBe(0.5);
  });
  it('is NaN on an empty split and rejects out-of-range classes', () => {
    const empty = confusionMatrix([], [], 3);
    expect(unweightedAccuracy(empty)).toBeNaN();
    expect(weightedAccuracy(empty)).toBeNaN();
    expect(macroF1(empty)).toBeNaN();
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/item 1 has label 3/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
  });
  it('argmaxRows takes the first maximum', () => {
    expect(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 3)).toEqual([1, 0]);
  });
});

describe('embedding statistics (hand-computed)', () => {
  it('intra-class distance, inter-center distance and their ratio', () => {
    // class 0: (0,0),(2,0) mean (1,0); class 1: (0,3),(0,5) mean (0,4): every point 1 from its mean
    const z = [
      [0, 0],
      [2, 0],
      [0, 3],
      [0, 5],
    ];
    const s = embeddingStats(z, [0, 0, 1, 1], 3);
    expect(s.intraClassDistance).toBeCloseTo(1, 14);
    expect(s.interCenterDistance).toBeCloseTo(Math.sqrt(17), 14);
    expect(s.distanceRatio).toBeCloseTo(1 / Math.sqrt(17), 14);
    expect(s.classMeans).toEqual([[1, 0], [0, 4], []]);
    // row-major input gives the same; a third class (one point at (4,0)) adds two pairs
    const flat = new Float32Array([0, 0, 2, 0, 0, 3, 0, 5, 4, 0]);
    const s3 = embeddingStats(flat, [0, 0, 1, 1, 2], 3, 2);
    expect(s3.intraClassDistance).toBeCloseTo(4 / 5, 6);
    expect(s3.interCenterDistance).toBeCloseTo((Math.sqrt(17) + 3 + Math.sqrt(32)) / 3, 6);
  });
  it('meanPairwiseDistance is NaN with one point; centerDrift is the mean center movement', () => {
    expect(meanPairwiseDistance([[1, 2]])).toBeNaN();
    expect(
      centerDrift(
        [
          [0, 0],
          [1, 1],
        ],
        [
          [3, 4],
          [1, 1],
        ],
      ),
    ).toBe(2.5);
    expect(centerDrift(undefined, undefined)).toBe(0);
  });
});
