// The loss conformance suite: every loss package runs it (`describeLossConformance(myLoss)`).
// Test support only: import it from '@ser/loss-core/testing' in *.test.ts files.
import { Rng, SerError, silentLogger } from '@ser/core';
import { tf } from '@ser/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Loss, LossContext, LossDefinition, LossInputs } from './loss.js';
import { resolveSchemaConfig, useTestBackend } from '@ser/engine/testing';
import type { TestBackend } from '@ser/engine/testing';

export type { TestBackend } from '@ser/engine/testing';
export { useTestBackend } from '@ser/engine/testing';

export interface LossConformanceOptions {
  /** Backends to run on, each in its own describe block; default both 'cpu' and 'tensorflow'. */
  backends?: TestBackend[];
  numClasses?: number;
  embeddingDim?: number;
  batch?: number;
  seed?: number;
}

/** Fills a partial config with the schema's defaults and validates it, as the config layer does (see resolveSchemaConfig). */
export const resolveConfig = resolveSchemaConfig;

/**
 * A deterministic batch: embeddings N(0,1) [batch, dim], logits N(0,1) [batch, classes], labels
 * cycling through every class (so each class occurs, some twice). Values come from Rng, not tf,
 * so they are identical on every backend.
 */
export function makeLossInputs(options: { batch: number; numClasses: number; embeddingDim: number; seed: number }): LossInputs {
  const rng = new Rng(options.seed);
  const normals = (n: number) => Array.from({ length: n }, () => rng.normal());
  return {
    embeddings: tf.tensor2d(normals(options.batch * options.embeddingDim), [options.batch, options.embeddingDim]),
    logits: tf.tensor2d(normals(options.batch * options.numClasses), [options.batch, options.numClasses]),
    labels: tf.tensor1d(
      Array.from({ length: options.batch }, (_, i) => i % options.numClasses),
      'int32',
    ),
  };
}

/** Runs a loss' compute() and reads the total and terms back as numbers (no tensors kept). */
export function computeValues(loss: Loss, inputs: LossInputs): { total: number; terms: Record<string, number> } {
  return tf.tidy(() => {
    const out = loss.compute(inputs);
    const terms: Record<string, number> = {};
    for (const [k, v] of Object.entries(out.terms)) terms[k] = v.dataSync()[0];
    return { total: out.total.dataSync()[0], terms };
  }) as unknown as { total: number; terms: Record<string, number> };
}

function disposeInputs(inputs: LossInputs): void {
  tf.dispose([inputs.embeddings, inputs.logits, inputs.labels]);
}

/** One optimiser-like step: gradient descent on the loss' own variables, then afterStep. */
function trainStep(loss: Loss, inputs: LossInputs, learningRate: number): void {
  if (loss.trainableVariables.length > 0) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => loss.compute(inputs).total, loss.trainableVariables);
      for (const v of loss.trainableVariables) {
        const g = grads[v.name];
        if (g) v.assign(tf.sub(v, tf.mul(g, learningRate)));
      }
    });
  }
  loss.afterStep?.({ embeddings: inputs.embeddings, labels: inputs.labels });
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * The conformance suite every loss runs: schema defaults and descriptions; shapes and finite values
 * of total, terms, scores and centers; finite gradients with respect to the embeddings, the logits
 * and the loss' own variables; input validation; state round trip (getState -> new instance ->
 * setState gives an identical compute()); no tensor leaks over repeated compute/afterStep and after
 * dispose; seeded determinism. Registers one describe block per backend.
 * @param config a partial config; the schema's defaults fill the rest
 */
export function describeLossConformance(definition: LossDefinition, config: Record<string, unknown> = {}, options: LossConformanceOptions = {}): void {
  const numClasses = options.numClasses ?? 3;
  const embeddingDim = options.embeddingDim ?? 4;
  const batch = options.batch ?? 5;
  const seed = options.seed ?? 7;
  const context = (s = seed): LossContext => ({ numClasses, embeddingDim, seed: s, logger: silentLogger });

  for (const backend of options.backends ?? ['cpu', 'tensorflow']) {
    describe(`loss '${definition.id}' conformance [${backend}]`, () => {
      let resolved: Record<string, unknown>;
      const create = (s = seed) => definition.create(resolved, context(s));
      const inputs = (s = 1) => makeLossInputs({ batch, numClasses, embeddingDim, seed: s });

      beforeAll(async () => {
        await useTestBackend(backend);
        resolved = resolveConfig(definition.schema, config);
      });

      it('has an id, a description and a schema whose every property has a description and a default', () => {
        expect(definition.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(definition.description.length).toBeGreaterThan(10);
        expect(definition.schema.type).toBe('object');
        const props = (definition.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
        for (const [key, prop] of Object.entries(props)) {
          expect(typeof prop.description, `schema property '${key}' needs a description`).toBe('string');
          expect('default' in prop, `schema property '${key}' needs a default`).toBe(true);
        }
        const loss = create();
        expect(loss.id).toBe(definition.id);
        loss.dispose();
      });

      it('computes a finite scalar total and finite scalar terms', () => {
        const loss = create();
        const x = inputs();
        tf.tidy(() => {
          const out = loss.compute(x);
          expect(out.total.shape).toEqual([]);
          expect(allFinite(out.total.dataSync())).toBe(true);
          expect(Object.keys(out.terms).length).toBeGreaterThan(0);
          for (const [name, term] of Object.entries(out.terms)) {
            expect(name).toMatch(/^[a-z][a-zA-Z0-9]*$/);
            expect(term.shape, `term '${name}'`).toEqual([]);
            expect(allFinite(term.dataSync()), `term '${name}'`).toBe(true);
          }
        });
        disposeInputs(x);
        loss.dispose();
      });

      it('gives finite gradients with respect to embeddings, logits and its own variables', () => {
        const loss = create();
        const x = inputs();
        const emb = tf.variable(x.embeddings, true);
        const logits = tf.variable(x.logits, true);
        tf.tidy(() => {
          const vars = [emb, logits, ...loss.trainableVariables];
          const { value, grads } = tf.variableGrads(
            () => loss.compute({ embeddings: emb as tf.Tensor2D, logits: logits as tf.Tensor2D, labels: x.labels }).total,
            vars,
          );
          expect(allFinite(value.dataSync())).toBe(true);
          const ge = grads[emb.name];
          const gl = grads[logits.name];
          // a loss must depend on the embeddings or the logits (softmax-type: logits; cosface: embeddings)
          expect(ge !== undefined || gl !== undefined).toBe(true);
          for (const g of [ge, gl]) {
            if (g) expect(allFinite(g.dataSync())).toBe(true);
          }
          const gsum = [ge, gl].filter((g) => g !== undefined).reduce((acc, g) => acc + tf.sum(tf.abs(g!)).dataSync()[0], 0);
          expect(gsum).toBeGreaterThan(0);
          for (const v of loss.trainableVariables) {
            const g = grads[v.name];
            expect(g, `trainable variable ${v.name} gets no gradient`).toBeDefined();
            expect(g!.shape).toEqual(v.shape);
            expect(allFinite(g!.dataSync())).toBe(true);
          }
        });
        tf.dispose([emb, logits]);
        disposeInputs(x);
        loss.dispose();
      });

      it('returns scores [batch, numClasses] and centers [numClasses, embeddingDim] when it has them', () => {
        const loss = create();
        const x = inputs();
        tf.tidy(() => {
          if (loss.scores) {
            const s = loss.scores(x.embeddings, x.logits);
            expect(s.shape).toEqual([batch, numClasses]);
            expect(allFinite(s.dataSync())).toBe(true);
          }
          const c = loss.centers?.();
          if (c) {
            expect(c.shape).toEqual([numClasses, embeddingDim]);
            expect(allFinite(c.dataSync())).toBe(true);
          }
        });
        disposeInputs(x);
        loss.dispose();
      });

      it('rejects inputs of the wrong shape with SHAPE_MISMATCH', () => {
        const loss = create();
        const bad = makeLossInputs({ batch, numClasses, embeddingDim: embeddingDim + 1, seed: 1 });
        const good = inputs();
        expect(() => loss.compute(bad)).toThrow(SerError);
        try {
          loss.compute({ ...good, embeddings: bad.embeddings });
        } catch (err) {
          expect((err as SerError).code).toBe('SHAPE_MISMATCH');
        }
        const wrongLogits = tf.zeros([batch, numClasses + 1]) as tf.Tensor2D;
        expect(() => loss.compute({ ...good, logits: wrongLogits })).toThrow(/logits/);
        tf.dispose(wrongLogits);
        disposeInputs(bad);
        disposeInputs(good);
        loss.dispose();
      });

      it('round-trips its state: getState -> new instance -> setState gives identical compute()', () => {
        const a = create();
        const x1 = inputs(1);
        const x2 = inputs(2);
        for (let i = 0; i < 3; i++) trainStep(a, i % 2 ? x2 : x1, 0.1);
        const state = a.getState();
        const json = JSON.parse(JSON.stringify(state));
        const b = create(seed + 100); // another seed: everything must come from the state
        b.setState(json);
        expect(b.getState()).toEqual(state);
        expect(computeValues(b, x2)).toEqual(computeValues(a, x2));
        if (a.scores) {
          const [sa, sb] = tf.tidy(() => [
            a.scores!(x2.embeddings, x2.logits).arraySync(),
            b.scores!(x2.embeddings, x2.logits).arraySync(),
          ]) as unknown as number[][][];
          expect(sb).toEqual(sa);
        }
        // and the state keeps moving the same way
        trainStep(a, x1, 0.1);
        trainStep(b, x1, 0.1);
        expect(b.getState()).toEqual(a.getState());
        disposeInputs(x1);
        disposeInputs(x2);
        a.dispose();
        b.dispose();
      });

      it('rejects state of the wrong shape with CHECKPOINT_INVALID', () => {
        const a = create();
        const state = a.getState();
        const key = Object.keys(state)[0];
        if (key !== undefined) {
          const broken = { ...state, [key]: { shape: [1], values: [0] } };
          expect(() => a.setState(broken)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_INVALID' }));
        }
        a.dispose();
      });

      it('leaks no tensors over repeated compute, afterStep, scores and centers, and dispose frees its variables', () => {
        const x = inputs();
        const before = tf.memory().numTensors;
        const loss = create();
        trainStep(loss, x, 0.1); // first step may create lazily held tensors; count from here
        const afterCreate = tf.memory().numTensors;
        for (let i = 0; i < 3; i++) {
          tf.tidy(() => {
            loss.compute(x);
            loss.scores?.(x.embeddings, x.logits);
            loss.centers?.();
          });
          trainStep(loss, x, 0.1);
        }
        expect(tf.memory().numTensors).toBe(afterCreate);
        loss.dispose();
        expect(tf.memory().numTensors).toBe(before);
        disposeInputs(x);
      });

      it('is deterministic for a seed: two instances give identical state and values', () => {
        const a = create();
        const b = create();
        const x = inputs();
        expect(b.getState()).toEqual(a.getState());
        for (let i = 0; i < 2; i++) {
          trainStep(a, x, 0.1);
          trainStep(b, x, 0.1);
        }
        expect(b.getState()).toEqual(a.getState());
        expect(computeValues(b, x)).toEqual(computeValues(a, x));
        disposeInputs(x);
        a.dispose();
        b.dispose();
      });
    });
  }
}
