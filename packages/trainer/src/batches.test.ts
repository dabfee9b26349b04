import { Rng } from '@ser/core';
import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchTensors, paddingFraction, planBatches, planEvalBatches, readBatch } from './batches.js';
import type { Example } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function examples(n: number, seed: number): Example[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `u${i}`, label: i % 4, frames: 10 + rng.int(300) }));
}

describe('planBatches', () => {
  const ex = examples(500, 1);
  it('uses every example once, in batches of batchSize (one short batch at most)', () => {
    for (const bucketing of [false, true]) {
      const plan = planBatches(ex, { batchSize: 16, bucketing, windowBatches: 8, rng: new Rng(3) });
      const ids = plan.batches.flat().map((e) => e.id);
      expect(ids.slice().sort()).toEqual(ex.map((e) => e.id).sort());
      expect(plan.batches.filter((b) => b.length !== 16).length).toBeLessThanOrEqual(1);
    }
  });
  it('bucketing cuts padding; the reported fraction matches the batches', () => {
    const shuffled = planBatches(ex, { batchSize: 16, bucketing: false, rng: new Rng(3) });
    const bucketed = planBatches(ex, { batchSize: 16, bucketing: true, windowBatches: 8, rng: new Rng(3) });
    expect(bucketed.paddingFraction).toBeLessThan(0.15); // a window of 128 spans ~300/8 frames per batch
    expect(bucketed.paddingFraction).toBeLessThan(shuffled.paddingFraction / 3);
    expect(shuffled.paddingFraction).toBeGreaterThan(0.3);
    expect(bucketed.paddingFraction).toBe(paddingFraction(bucketed.batches));
  });
  it('is a function of the generator state: same seed same plan, next epoch different', () => {
    const r1 = new Rng(5);
    const r2 = new Rng(5);
    const a = planBatches(ex, { batchSize: 16, bucketing: true, rng: r1 });
    const b = planBatches(ex, { batchSize: 16, bucketing: true, rng: r2 });
    expect(b.batches).toEqual(a.batches);
    const next = planBatches(ex, { batchSize: 16, bucketing: true, rng: r1 });
    expect(next.batches.map((x) => x[0].id)).not.toEqual(a.batches.map((x) => x[0].id));
  });
  it('paddingFraction by hand', () => {
    // batch 1: frames 2, 4 -> 8 slots, 2 padded; batch 2: 3 -> none
    const e = (frames: number) => ({ id: 'x', label: 0, frames });
    expect(paddingFraction([[e(2), e(4)], [e(3)]])).toBeCloseTo(2 / 11, 14);
  });
});

describe('planEvalBatches', () => {
  it('sorts by length and maps rows back', () => {
    const ex = [
      { id: 'a', label: 0, frames: 9 },
      { id: 'b', label: 1, frames: 3 },
      { id: 'c', label: 0, frames: 5 },
    ];
    const { batches, index } = planEvalBatches(ex, 2);
    expect(batches.map((b) => b.map((e) => e.id))).toEqual([['b', 'c'], ['a']]);
    expect(index).toEqual([[1, 2], [0]]);
  });
});

describe('readBatch / batchTensors', () => {
  it('pads with zeros at the end and masks 1/0', () => {
    const feats: Record<string, Float32Array> = { a: new Float32Array([1, 2, 3, 4]), b: new Float32Array([5, 6, 7, 8, 9, 10]) };
    const hb = readBatch(
      [
        { id: 'a', label: 2, frames: 2 },
        { id: 'b', label: 0, frames: 3 },
      ],
      { bins: 2, read: (id) => feats[id] },
    );
    expect(hb.frames).toBe(3);
    expect(Array.from(hb.x)).toEqual([1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(hb.mask)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(Array.from(hb.labels)).toEqual([2, 0]);
    const t = batchTensors(hb);
    expect(t.x.shape).toEqual([2, 3, 2]);
    expect(t.mask.shape).toEqual([2, 3]);
    expect(t.labels.dtype).toBe('int32');
    tf.dispose([t.x, t.mask, t.labels]);
    expect(() => readBatch([{ id: 'a', label: 0, frames: 3 }], { bins: 2, read: (id) => feats[id] })).toThrow(
      /returned 4 values but the example says 3 frames x 2 bins/,
    );
  });
});
