import { describe, expect, it } from 'vitest';
import { createProgressPrinter } from './progress-printer.js';
import type { EpochRecord, TrainProgress } from './types.js';

const record: EpochRecord = {
  epoch: 1,
  lr: 0.001,
  trainLoss: 1.2,
  trainTerms: { softmax: 1.1, center: 0.5 },
  valLoss: 1.3,
  valUa: 0.55,
  valWa: 0.6,
  valMacroF1: 0.5,
  intraClassDistance: 1,
  interCenterDistance: 2,
  distanceRatio: 0.5,
  centerDrift: 0.1,
  paddingFraction: 0.05,
  seconds: 3.2,
};
const run = (p: (x: TrainProgress) => void) => {
  for (let s = 1; s <= 5; s++) p({ phase: 'train', epoch: 1, epochs: 2, step: s, steps: 5, terms: { softmax: 1.5, center: 0.25 }, utterancesPerSecond: 40 });
  p({ phase: 'validate', epoch: 1, epochs: 2, step: 1, steps: 1, terms: {}, utterancesPerSecond: 100 });
  p({ phase: 'epoch', epoch: 1, epochs: 2, step: 5, steps: 5, terms: record.trainTerms, utterancesPerSecond: 40, record });
};

describe('createProgressPrinter', () => {
  it('redraws one line with \\r on a TTY, then prints the epoch summary', () => {
    let out = '';
    run(createProgressPrinter({ isTTY: true, columns: 200, write: (t: string) => (out += t) }, { barWidth: 10 }));
    expect(out).toContain('\repoch 1/2 [##........] 1/5 softmax 1.5000 center 0.2500 40.0 utt/s');
    expect(out).toContain('[##########] 5/5');
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toMatch(/epoch 1\/2 lr 0.00100 train softmax 1.1000 center 0.5000 \| val loss 1.3000 UA 0.5500 WA 0.6000/);
  });
  it('prints plain lines without \\r when not a TTY: every N steps and one per epoch', () => {
    let out = '';
    run(createProgressPrinter({ write: (t: string) => (out += t) }, { everySteps: 2 }));
    expect(out).not.toContain('\r');
    const lines = out.trim().split('\n');
    expect(lines).toEqual([
      'epoch 1/2 step 2/5 softmax 1.5000 center 0.2500 40.0 utt/s',
      'epoch 1/2 step 4/5 softmax 1.5000 center 0.2500 40.0 utt/s',
      'epoch 1/2 step 5/5 softmax 1.5000 center 0.2500 40.0 utt/s',
      expect.stringMatching(/^epoch 1\/2 lr .* UA 0.5500 .* 3.2 s$/),
    ]);
  });
});
