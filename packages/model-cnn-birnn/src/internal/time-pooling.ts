import { tf } from '@ser/engine';

/** How frame outputs [batch, time, D] become one vector per utterance [batch, D]. */
export type TimePooling = 'mean' | 'max' | 'last' | 'attention';

// Large enough that exp() underflows to 0 and max() never picks a padded frame, small enough for float32.
const MASKED = 1e9;

/** Mean over real frames: sum_t m_t h_t / max(sum_t m_t, 1). h [batch, time, D], mask [batch, time]. */
export function maskedMean(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(mask, 2);
    return tf.div(tf.sum(tf.mul(h, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
  });
}

/** Max over real frames (0 for an utterance without any). */
export function maskedMax(h: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.expandDims(mask, 2);
    const any = tf.minimum(tf.sum(m, 1), 1); // [batch, 1]
    return tf.mul(tf.max(tf.add(h, tf.mul(tf.sub(m, 1), MASKED)), 1), any) as tf.Tensor2D;
  });
}

/**
 * The state after the whole utterance: for a bidirectional output (fw first, bw second, each
 * `units` wide) the forward half at the last real frame and the backward half at frame 0;
 * unidirectional: the output at the last real frame. Padding is at the end of each row.
 */
export function lastFrame(h: tf.Tensor3D, mask: tf.Tensor2D, bidirectionalUnits: number | null): tf.Tensor2D {
  return tf.tidy(() => {
    const time = h.shape[1];
    const lastIndex = tf.maximum(tf.sub(tf.sum(mask, 1), 1), 0).toInt();
    const pick = tf.expandDims(tf.oneHot(lastIndex, time).toFloat(), 2); // [batch, time, 1]
    const atLast = tf.sum(tf.mul(h, pick), 1) as tf.Tensor2D;
    if (bidirectionalUnits === null) return atLast;
    const fw = tf.slice(atLast, [0, 0], [-1, bidirectionalUnits]);
    const bw = tf.squeeze(tf.slice(h, [0, 0, bidirectionalUnits], [-1, 1, -1]), [1]);
    return tf.concat([fw, bw], 1) as tf.Tensor2D;
  });
}

/**
 * Additive attention over real frames: e_t = v . tanh(h_t W + b), a = softmax over real frames,
 * output sum_t a_t h_t. W [D, A], b [A], v [A].
 */
export function maskedAttention(h: tf.Tensor3D, mask: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, time, dim] = h.shape;
    const hidden = tf.tanh(tf.add(tf.matMul(tf.reshape(h, [batch * time, dim]), w), b));
    const scores = tf.reshape(tf.matMul(hidden, tf.expandDims(v, 1)), [batch, time]);
    const weights = tf.softmax(tf.add(scores, tf.mul(tf.sub(mask, 1), MASKED)), 1); // [batch, time]
    const any = tf.minimum(tf.sum(mask, 1, true), 1);
    return tf.mul(tf.sum(tf.mul(h, tf.expandDims(weights, 2)), 1), any) as tf.Tensor2D;
  });
}
