import { isSerError } from '@ser/core';
import { describe, expect, it } from 'vitest';
import { defaultTrainerConfig, resolveTrainerConfig, trainerConfigSchema, validateTrainerConfig } from './config.js';

describe('trainer config', () => {
  it('defaults validate and match the schema defaults', () => {
    expect(resolveTrainerConfig()).toEqual(defaultTrainerConfig);
    const props = trainerConfigSchema.properties as Record<string, { default: unknown }>;
    for (const [k, v] of Object.entries(defaultTrainerConfig)) expect(props[k].default).toEqual(v);
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
