import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { CenterBank } from './center-bank.js';

describe('CenterBank', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('starts at zeros and gives squared distances to every center', () => {
    const bank = new CenterBank({ numClasses: 2, embeddingDim: 2, update: 'alpha-rule' });
    expect(bank.trainableVariables).toEqual([]);
    const d = tf.tidy(() => bank.squaredDistances(tf.tensor2d([[3, 4]])).arraySync());
    expect(d).toEqual([[25, 25]]);
    bank.dispose();
  });

  it("is a trainable variable under 'gradient'", () => {
    const bank = new CenterBank({ numClasses: 2, embeddingDim: 2, update: 'gradient' });
    expect(bank.trainableVariables).toEqual([bank.variable]);
    expect(bank.variable.trainable).toBe(true);
    bank.dispose();
  });

  it('adds an extra delta to the alpha rule (classes absent from the batch move by it alone)', () => {
    const bank = new CenterBank({ numClasses: 2, embeddingDim: 1, update: 'alpha-rule' });
    tf.tidy(() => bank.applyAlphaRule(tf.tensor2d([[2]]), tf.tensor1d([0], 'int32'), 0.5, tf.tensor2d([[0], [1]])));
    // class 0: delta = (0 - 2) / 2 = -1 -> c = 0 - 0.5 * -1 = 0.5; class 1: c = 0 - 0.5 * 1
    expect(Array.from(bank.variable.dataSync())).toEqual([0.5, -0.5]);
    bank.dispose();
  });
});
