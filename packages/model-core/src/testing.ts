// The model conformance suite: every model package runs it (`describeModelConformance(myModel, config)`).
// Test support only: import it from '@ser/model-core/testing' in *.test.ts files.
import { Rng, silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model, ModelContext, ModelDefinition } from './model.js';
import { resolveSchemaConfig, useTestBackend } from '@ser/engine/testing';
import type { TestBackend } from '@ser/engine/testing';

export type { TestBackend } from '@ser/engine/testing';
export { useTestBackend } from '@ser/engine/testing';

export interface ModelConformanceOptions {
  /** Backends to run on, each in its own describe block; default both 'cpu' and 'tensorflow'. */
  backends?: TestBackend[];
  inputBins?: number;
  numClasses?: number;
  /** Padded frames of the test batch; the second utterance is shorter (shortFrames). */
  frames?: number;
  shortFrames?: number;
  seed?: number;
}

/** Fills a partial config with the schema's defaults and validates it, as the config layer does (see resolveSchemaConfig). */
export const resolveModelConfig = resolveSchemaConfig;

/**
 * A padded batch [lengths.length, frames, bins] of N(0,1) features (from Rng, identical on every
 * backend), zero after each utterance's length, and its mask [batch, frames].
 */
export function makeBatch(lengths: number[], frames: number, bins: number, seed: number): { batch: tf.Tensor3D; mask: tf.Tensor2D } {
  const rng = new Rng(seed);
  const values = new Float32Array(lengths.length * frames * bins);
  const mask = new Float32Array(lengths.length * frames);
  lengths.forEach((len, b) => {
    for (let t = 0; t < len; t++) {
      mask[b * frames + t] = 1;
      for (let f = 0; f < bins; f++) values[(b * frames + t) * bins + f] = rng.normal();
    }
  });
  return { batch: tf.tensor3d(values, [lengths.length, frames, bins]), mask: tf.tensor2d(mask, [lengths.length, frames]) };
}

/** Slices utterance b out of a padded batch at its own length: [1, length, bins] and an all-ones mask. */
export function unpadded(batch: tf.Tensor3D, b: number, length: number): { batch: tf.Tensor3D; mask: tf.Tensor2D } {
  return { batch: tf.slice(batch, [b, 0, 0], [1, length, batch.shape[2]]), mask: tf.ones([1, length]) as tf.Tensor2D };
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** Runs apply and reads embeddings and logits back as arrays (no tensors kept). */
export function applyValues(model: Model, batch: tf.Tensor3D, mask: tf.Tensor2D, training: boolean): { embeddings: number[][]; logits: number[][] } {
  return tf.tidy(() => {
    const out = model.apply(batch, mask, training);
    return { embeddings: out.embeddings.arraySync(), logits: out.logits.arraySync() };
  }) as unknown as { embeddings: number[][]; logits: number[][] };
}

function expectClose(got: number[][], want: number[][], tolerance: number, what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) =>
    row.forEach((v, j) => {
      expect(Math.abs(v - want[i][j]), `${what}[${i}][${j}]: ${v} vs ${want[i][j]}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want[i][j])));
    }),
  );
}

/**
 * The conformance suite every model runs: schema defaults and descriptions; output shapes and
 * finite values in training and inference; finite gradients for every trainable variable; state
 * round trip (getState -> new instance with another seed -> setState gives identical outputs, also
 * in training mode); no tensor leaks over repeated apply and after dispose; seeded determinism;
 * mask honouring (a padded utterance gives the embedding of the unpadded one, in inference).
 * Registers one describe block per backend.
 * @param config a partial config; the schema's defaults fill the rest (keep it tiny)
 */
export function describeModelConformance(definition: ModelDefinition, config: Record<string, unknown> = {}, options: ModelConformanceOptions = {}): void {
  const inputBins = options.inputBins ?? 8;
  const numClasses = options.numClasses ?? 3;
  const frames = options.frames ?? 16;
  const shortFrames = options.shortFrames ?? 11;
  const seed = options.seed ?? 3;
  const context = (s = seed): ModelContext => ({ inputBins, numClasses, seed: s, logger: silentLogger });
  const lengths = [frames, shortFrames, frames - 1];
  const label = JSON.stringify(config).slice(0, 80);

  for (const backend of options.backends ?? ['cpu', 'tensorflow']) {
    describe(`model '${definition.id}' conformance ${label} [${backend}]`, () => {
      let resolved: Record<string, unknown>;
      const create = (s = seed) => definition.create(resolved, context(s));
      const withBatch = <T>(fn: (b: { batch: tf.Tensor3D; mask: tf.Tensor2D }) => T, s = 1): T => {
        const b = makeBatch(lengths, frames, inputBins, s);
        try {
          return fn(b);
        } finally {
          tf.dispose([b.batch, b.mask]);
        }
      };

      beforeAll(async () => {
        await useTestBackend(backend);
        resolved = resolveModelConfig(definition.schema, config);
      });

      it('has an id, a description and a schema whose every property has a description and a default', () => {
        expect(definition.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(definition.description.length).toBeGreaterThan(10);
        const props = (definition.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
        for (const [key, prop] of Object.entries(props)) {
          expect(typeof prop.description, `schema property '${key}' needs a description`).toBe('string');
          expect('default' in prop, `schema property '${key}' needs a default`).toBe(true);
        }
      });

      it('gives finite embeddings [batch, embeddingDim] and logits [batch, numClasses] in training and inference', () => {
        const model = create();
        expect(model.id).toBe(definition.id);
        withBatch(({ batch, mask }) => {
          for (const training of [true, false]) {
            const out = applyValues(model, batch, mask, training);
            expect([out.embeddings.length, out.embeddings[0].length]).toEqual([lengths.length, model.embeddingDim]);
            expect([out.logits.length, out.logits[0].length]).toEqual([lengths.length, numClasses]);
            expect(allFinite(out.embeddings.flat())).toBe(true);
            expect(allFinite(out.logits.flat())).toBe(true);
          }
        });
        model.dispose();
      });

      it('gives a finite gradient to every trainable variable', () => {
        const model = create();
        expect(model.trainableVariables.length).toBeGreaterThan(0);
        withBatch(({ batch, mask }) =>
          tf.tidy(() => {
            const rng = new Rng(11);
            // a random projection of both outputs, so no variable's gradient cancels by symmetry
            const we = tf.tensor2d(
              Array.from({ length: lengths.length * model.embeddingDim }, () => rng.normal()),
              [lengths.length, model.embeddingDim],
            );
            const wl = tf.tensor2d(
              Array.from({ length: lengths.length * numClasses }, () => rng.normal()),
              [lengths.length, numClasses],
            );
            const { value, grads } = tf.variableGrads(() => {
              const out = model.apply(batch, mask, true);
              return tf.add(tf.sum(tf.mul(out.embeddings, we)), tf.sum(tf.mul(out.logits, wl))) as tf.Scalar;
            }, model.trainableVariables);
            expect(allFinite(value.dataSync())).toBe(true);
            for (const v of model.trainableVariables) {
              const g = grads[v.name];
              expect(g, `variable ${v.name} gets no gradient`).toBeDefined();
              expect(g.shape).toEqual(v.shape);
              expect(allFinite(g.dataSync()), `variable ${v.name}`).toBe(true);
            }
          }),
        );
        model.dispose();
      });

      it('round-trips its state: a new instance (another seed) given getState() gives identical outputs', () => {
        const a = create();
        withBatch(({ batch, mask }) => {
          applyValues(a, batch, mask, true); // moves batch-norm statistics and the dropout counter
          applyValues(a, batch, mask, true);
        }, 2);
        const state = a.getState();
        const b = create(seed + 100);
        b.setState(JSON.parse(JSON.stringify(state)));
        expect(b.getState()).toEqual(state);
        withBatch(({ batch, mask }) => {
          expect(applyValues(b, batch, mask, false)).toEqual(applyValues(a, batch, mask, false));
          expect(applyValues(b, batch, mask, true)).toEqual(applyValues(a, batch, mask, true));
        });
        expect(b.getState()).toEqual(a.getState());
        a.dispose();
        b.dispose();
      });

      it('rejects state with a missing or misshapen entry with CHECKPOINT_INVALID', () => {
        const a = create();
        const state = a.getState();
        const key = Object.keys(state).find((k) => state[k].values.length > 1)!;
        expect(() => a.setState({ ...state, [key]: { shape: [1], values: [0] } })).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
        const { [key]: _dropped, ...missing } = state;
        expect(() => a.setState(missing)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
        a.dispose();
      });

      it('leaks no tensors over repeated apply, and dispose frees everything it made', () => {
        withBatch(({ batch, mask }) => {
          const before = tf.memory().numTensors;
          const model = create();
          applyValues(model, batch, mask, true);
          const afterFirst = tf.memory().numTensors;
          for (let i = 0; i < 2; i++) {
            applyValues(model, batch, mask, true);
            applyValues(model, batch, mask, false);
            tf.tidy(() => {
              tf.variableGrads(() => tf.sum(model.apply(batch, mask, true).logits) as tf.Scalar, model.trainableVariables);
            });
          }
          expect(tf.memory().numTensors).toBe(afterFirst);
          model.dispose();
          expect(tf.memory().numTensors).toBe(before);
        });
      });

      it('is deterministic for a seed, dropout included; another seed gives other weights', () => {
        const a = create();
        const b = create();
        const c = create(seed + 1);
        expect(b.getState()).toEqual(a.getState());
        expect(c.getState()).not.toEqual(a.getState());
        withBatch(({ batch, mask }) => {
          for (let i = 0; i < 2; i++) expect(applyValues(b, batch, mask, true)).toEqual(applyValues(a, batch, mask, true));
        });
        a.dispose();
        b.dispose();
        c.dispose();
      });

      it('honours the mask: padded utterances give the embeddings of the unpadded ones (inference)', () => {
        const model = create();
        withBatch(({ batch, mask }) => {
          const padded = applyValues(model, batch, mask, false);
          lengths.forEach((len, b) => {
            const one = unpadded(batch, b, len);
            const alone = applyValues(model, one.batch, one.mask, false);
            tf.dispose([one.batch, one.mask]);
            expectClose([padded.embeddings[b]], alone.embeddings, 1e-4, `embeddings of utterance ${b}`);
            expectClose([padded.logits[b]], alone.logits, 1e-4, `logits of utterance ${b}`);
          });
        });
        model.dispose();
      });
    });
  }
}
