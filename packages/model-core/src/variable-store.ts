import { Rng, SerError } from '@ser/core';
import type { StateDict } from '@ser/core';
import { glorotUniform, tf } from '@ser/engine';

/**
 * The model's own variables under stable state keys ('conv0/kernel', 'bn0/movingMean', ...), so
 * a checkpoint does not depend on tfjs' global variable names. Initial values come from one seed.
 */
export class VariableStore {
  private readonly vars = new Map<string, tf.Variable>();
  readonly trainable: tf.Variable[] = [];
  private readonly rng: Rng;

  constructor(
    seed: number,
    private readonly owner: string,
  ) {
    this.rng = new Rng(seed);
  }

  /** A variable initialised by glorot-uniform ('glorot', with fans), zeros or ones. */
  add(key: string, shape: number[], init: 'zeros' | 'ones' | { fanIn: number; fanOut: number }, trainable = true): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values =
      init === 'zeros'
        ? new Float32Array(size)
        : init === 'ones'
          ? new Float32Array(size).fill(1)
          : glorotUniform(this.rng.fork(key), init.fanIn, init.fanOut, size);
    const initial = tf.tensor(values, shape);
    const v = tf.variable(initial, trainable);
    initial.dispose(); // the variable holds its own reference
    this.vars.set(key, v);
    if (trainable) this.trainable.push(v);
    return v;
  }

  getState(): StateDict {
    const out: StateDict = {};
    for (const [key, v] of this.vars) out[key] = { shape: [...v.shape], values: Array.from(v.dataSync()) };
    return out;
  }

  setState(state: StateDict): void {
    for (const [key, v] of this.vars) {
      const s = state[key];
      if (s === undefined) {
        throw new SerError('CHECKPOINT_INVALID', `${this.owner}: state has no '${key}'; the checkpoint was written by a model with another configuration`, {
          details: { key },
        });
      }
      if (s.shape.length !== v.shape.length || s.shape.some((d, i) => d !== v.shape[i]) || s.values.length !== v.size) {
        throw new SerError(
          'CHECKPOINT_INVALID',
          `${this.owner}: state '${key}' has shape [${s.shape}] (${s.values.length} values), expected [${v.shape}]; the checkpoint was written with other layer sizes or input bins`,
          {
            details: { key, got: s.shape, expected: v.shape },
          },
        );
      }
    }
    tf.tidy(() => {
      for (const [key, v] of this.vars) v.assign(tf.tensor(state[key].values, v.shape));
    });
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
