import { SerError } from '@ser/core';
import type { StateTensor } from '@ser/core';
import { tf } from '@ser/engine';

/** Copies a tensor into plain, serialisable state (shape + values); the tensor is left as it is. */
export function tensorToState(tensor: tf.Tensor): StateTensor {
  return { shape: [...tensor.shape], values: Array.from(tensor.dataSync()) };
}

/** A new float32 tensor from state; the caller owns it. */
export function stateToTensor(state: StateTensor): tf.Tensor {
  return tf.tensor(state.values, state.shape, 'float32');
}

/**
 * Assigns state[key] to a variable after checking it is there and has the variable's shape.
 * @param owner names the plugin in the error ("loss 'center'")
 */
export function assignFromState(variable: tf.Variable, state: Record<string, StateTensor>, key: string, owner: string): void {
  const entry = state[key];
  if (entry === undefined) {
    throw new SerError(
      'CHECKPOINT_INVALID',
      `${owner}: state has no '${key}' (keys: ${Object.keys(state).join(', ') || 'none'}); the checkpoint was written by another configuration`,
      {
        details: { key },
      },
    );
  }
  const expected = variable.shape;
  const size = expected.reduce((a, b) => a * b, 1);
  if (entry.shape.length !== expected.length || entry.shape.some((s, i) => s !== expected[i]) || entry.values.length !== size) {
    throw new SerError(
      'CHECKPOINT_INVALID',
      `${owner}: state '${key}' has shape [${entry.shape}] with ${entry.values.length} values, expected [${expected}]; the checkpoint was written with other classes or dimensions`,
      {
        details: { key, got: entry.shape, expected },
      },
    );
  }
  tf.tidy(() => variable.assign(tf.tensor(entry.values, expected, variable.dtype)));
}
