import { SerError, type StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import type { OptimizerConfig } from './config.js';

let uniq = 0;

/**
 * An optimiser over a fixed list of variables whose whole state (step count and slot variables)
 * is plain data, so a checkpoint restores it exactly. Written here rather than tf.train's so that
 * weight decay is decoupled and the state is keyed by variable position (tfjs variable names
 * differ between processes).
 */
export interface TrainOptimizer {
  readonly id: OptimizerConfig['id'];
  /** Steps taken so far. */
  readonly iterations: number;
  /**
   * One update at learning rate `lr`; grads[i] belongs to variables[i] (null = no gradient: the
   * variable and its slots are left alone). Disposes nothing it was given.
   */
  step(grads: readonly (tf.Tensor | null)[], lr: number): void;
  /** Slots as `<variable index>/<slot>` entries plus `iterations`. Reads the device (call once per epoch). */
  getState(): StateDict;
  setState(state: StateDict): void;
  dispose(): void;
}

/**
 * Creates Adam or SGD over `variables`. Weight decay is decoupled (AdamW / SGDW):
 * p <- p * (1 - lr * weightDecay) before the gradient step, only where `decay[i]` is true.
 */
export function createOptimizer(config: OptimizerConfig, variables: readonly tf.Variable[], decay?: readonly boolean[]): TrainOptimizer {
  const slotNames = config.id === 'adam' ? ['m', 'v'] : ['momentum'];
  // created in a tidy: tf.variable keeps its own reference, the zeros it was made from must go
  const slots = variables.map((v, i) => slotNames.map((s) => tf.tidy(() => tf.variable(tf.zerosLike(v), false, `ser-opt-${i}-${s}-${uniq++}`))));
  const wd = config.weightDecay;
  let iterations = 0;

  const decayed = (p: tf.Tensor, i: number, lrT: tf.Scalar): tf.Tensor => (wd > 0 && (decay?.[i] ?? true) ? tf.mul(p, tf.sub(1, tf.mul(lrT, wd))) : p);

  const step = (grads: readonly (tf.Tensor | null)[], lr: number) => {
    if (grads.length !== variables.length) {
      throw new SerError('SHAPE_MISMATCH', `optimizer.step: ${grads.length} gradients for ${variables.length} variables.`);
    }
    iterations++;
    tf.tidy(() => {
      const lrT = tf.scalar(lr);
      if (config.id === 'adam') {
        const { beta1, beta2, epsilon } = config;
        // bias corrections in float64 on the host, then one float32 scalar each
        const bc1 = tf.scalar(1 - Math.pow(beta1, iterations));
        const bc2 = tf.scalar(1 - Math.pow(beta2, iterations));
        grads.forEach((g, i) => {
          if (!g) return;
          const [m, v] = slots[i];
          const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
          const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
          m.assign(m1);
          v.assign(v1);
          const upd = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), epsilon));
          variables[i].assign(tf.sub(decayed(variables[i], i, lrT), tf.mul(lrT, upd)));
        });
      } else {
        const { momentum, nesterov } = config;
        grads.forEach((g, i) => {
          if (!g) return;
          const [buf] = slots[i];
          const b1 = tf.add(tf.mul(buf, momentum), g);
          buf.assign(b1);
          const s = nesterov ? tf.add(g, tf.mul(b1, momentum)) : b1;
          variables[i].assign(tf.sub(decayed(variables[i], i, lrT), tf.mul(lrT, s)));
        });
      }
    });
  };

  return {
    id: config.id,
    get iterations() {
      return iterations;
    },
    step,
    getState() {
      const out: StateDict = { iterations: { shape: [], values: [iterations] } };
      slots.forEach((ss, i) =>
        ss.forEach((s, k) => {
          out[`${i}/${slotNames[k]}`] = { shape: s.shape.slice(), values: Array.from(s.dataSync()) };
        }),
      );
      return out;
    },
    setState(state) {
      const it = state.iterations?.values[0];
      if (typeof it !== 'number') throw new SerError('CHECKPOINT_INVALID', `optimizer state lacks 'iterations'; the checkpoint is not from this trainer.`);
      slots.forEach((ss, i) =>
        ss.forEach((s, k) => {
          const key = `${i}/${slotNames[k]}`;
          const t = state[key];
          if (!t || t.shape.join(',') !== s.shape.join(',')) {
            throw new SerError(
              'CHECKPOINT_INVALID',
              `optimizer state '${key}' has shape [${t?.shape ?? 'missing'}] but variable ${i} (${variables[i].name}) is [${s.shape}]; the checkpoint is from another model or optimiser.`,
            );
          }
          tf.tidy(() => s.assign(tf.tensor(t.values, s.shape, 'float32')));
        }),
      );
      iterations = it;
    },
    dispose() {
      for (const ss of slots) for (const s of ss) s.dispose();
    },
  };
}

/**
 * Global-norm clipping (Pascanu et al.): g_i <- g_i * c / max(||g||, c), ||g|| = sqrt(sum_i sum g_i^2)
 * over all gradients together. Stays on the device (no sync); returns new tensors (null stays null).
 */
export function clipByGlobalNorm(grads: readonly (tf.Tensor | null)[], clipNorm: number): (tf.Tensor | null)[] {
  const present = grads.filter((g): g is tf.Tensor => g !== null);
  if (present.length === 0) return grads.slice();
  const scale = tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
    return tf.div(clipNorm, tf.maximum(norm, clipNorm));
  });
  const out = grads.map((g) => (g ? tf.mul(g, scale) : null));
  scale.dispose();
  return out;
}
