import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkClassWeights, softmaxCrossEntropy } from './softmax-cross-entropy.js';

const logits = [
  [2, 0, -1],
  [0.5, 0.5, 1],
];
const labels = [0, 2];

// log-softmax by hand, for the reference values
function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

function ce(opts: { classWeights?: number[] | null; labelSmoothing?: number }): number {
  return tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), opts).dataSync()[0]);
}

describe('softmaxCrossEntropy', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the mean negative log-likelihood of the labels', () => {
    const nll = labels.map((y, i) => -logSoftmaxRow(logits[i])[y]);
    expect(ce({})).toBeCloseTo((nll[0] + nll[1]) / 2, 6);
  });

  it('weights examples by their class weight: sum w CE / sum w', () => {
    const nll = labels.map((y, i) => -logSoftmaxRow(logits[i])[y]);
    const w = [1, 5, 3];
    expect(ce({ classWeights: w })).toBeCloseTo((1 * nll[0] + 3 * nll[1]) / (1 + 3), 6);
  });

  it('smooths labels: target (1 - eps) onehot + eps / K', () => {
    const eps = 0.3;
    const per = labels.map((y, i) => {
      const lp = logSoftmaxRow(logits[i]);
      return -lp.reduce((a, v, k) => a + ((k === y ? 1 - eps : 0) + eps / 3) * v, 0);
    });
    expect(ce({ labelSmoothing: eps })).toBeCloseTo((per[0] + per[1]) / 2, 6);
  });

  it('rejects class weights of the wrong length, naming the field', () => {
    expect(() => checkClassWeights('softmax', 'classWeights', [1, 2], 3)).toThrow(/classWeights must hold 3/);
    expect(() => checkClassWeights('softmax', 'classWeights', [0, 0, 0], 3)).toThrow(/not all 0/);
    expect(() => checkClassWeights('softmax', 'classWeights', null, 3)).not.toThrow();
  });
});
