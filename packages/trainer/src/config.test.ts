import { isSerError } from '@ser/core';
import { describe, expect, it } from 'vitest';
import { defaultTrainerConfig, resolveTrainerConfig, trainerConfigSchema, validateTrainerConfig } from './config.js';

describe('trainer config', () => {
  it("the defaults are the schema's, filled into nested blocks and the default optimiser and schedule", () => {
    expect(resolveTrainerConfig()).toEqual(defaultTrainerConfig);
    expect(Object.isFrozen(defaultTrainerConfig.optimizer)).toBe(true);
    expect(defaultTrainerConfig).toMatchObject({
      epochs: 30,
      batchSize: 32,
      optimizer: { id: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      schedule: { id: 'constant' },
      earlyStopping: { metric: 'ua', patience: 10, restoreBest: true },
      augmentation: { cropFrames: null, timeMasks: 0, timeMaskFrames: 20, freqMasks: 0, freqMaskBins: 8 },
      divergence: { factor: 100, steps: 20 },
    });
    // every key has a default, so the editor schema requires none of them
    expect(trainerConfigSchema.required).toBeUndefined();
  });
  it('documents what the code does: decoupled weight decay and the step schedule counted from epoch 1', () => {
    const text = JSON.stringify(trainerConfigSchema);
    expect(text).toMatch(/Decoupled weight decay .*p <- p \* \(1 - lr \* weightDecay\)/);
    expect(text).not.toMatch(/L2 weight decay/);
    // schedules.test.ts checks the formula itself: rates 0.8, 0.8, 0.4 for everyEpochs 2
    expect(text).toContain('gamma ^ floor((epoch - 1) / everyEpochs)');
  });
  it("a block may leave its id out: it gets the default one, and the caller's object is not changed", () => {
    const partial = { optimizer: { learningRate: 0.01 }, schedule: { minLearningRate: 0.001 } };
    expect(() => resolveTrainerConfig(partial)).toThrow(/trainer\.schedule.*minLearningRate/); // constant has no such key
    const c = resolveTrainerConfig({ optimizer: { learningRate: 0.01 } });
    expect(c.optimizer).toEqual({ id: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(partial).toEqual({ optimizer: { learningRate: 0.01 }, schedule: { minLearningRate: 0.001 } });
  });
  it('fills the defaults of the chosen optimiser and schedule', () => {
    const c = resolveTrainerConfig({ optimizer: { id: 'sgd', learningRate: 0.1 }, schedule: { id: 'plateau' } });
    expect(c.optimizer).toEqual({ id: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0 });
    expect(c.schedule).toEqual({ id: 'plateau', factor: 0.5, patience: 3, minLearningRate: 0 });
  });
  it('names the bad field', () => {
    let err: unknown;
    try {
      resolveTrainerConfig({ batchSize: 0, earlyStopping: { metric: 'test-ua' } });
    } catch (e) {
      err = e;
    }
    expect(isSerError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/trainer\.batchSize/);
    expect((err as Error).message).toMatch(/trainer\.earlyStopping\.metric/);
    expect(() => validateTrainerConfig({ ...defaultTrainerConfig, optimizer: { id: 'adam', learningRate: -1 } })).toThrow(/trainer\.optimizer\.learningRate/);
    expect(() => validateTrainerConfig({ ...defaultTrainerConfig, extra: 1 })).toThrow(/additional/);
  });
});
