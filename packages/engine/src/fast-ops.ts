// Ops that train faster than their plain tfjs form on the CPU backends, same results.
// Measured on the reference step (tfjs-node, 2 cores): libtensorflow's Conv2D and its backprop
// are slow for a first layer with one input channel (5x5x1 -> 16: about 1.3 GFLOP/s); as im2col +
// one matMul the same layer is ~2x faster. tf.relu's gradient on tfjs-node is Step, which tfjs-node
// builds from IsNan + Greater + Select + Fill over the whole tensor; sign(y) * dy is two ops.
import * as tf from '@tensorflow/tfjs';
import { SerError } from '@ser/core';

/** Largest fh*fw*inChannels for which fastConv2d uses im2col + matMul instead of tf.conv2d. */
export const IM2COL_MAX_PATCH = 32;

/**
 * 2-D convolution, NHWC: x [batch, h, w, cin] * filter [fh, fw, cin, cout] -> [batch, h', w', cout].
 * Equals tf.conv2d(x, filter, strides, pad). For small patches (fh*fw*cin <= IM2COL_MAX_PATCH, stride 1,
 * a first layer on a spectrogram) it builds the patch matrix [fh*fw*cin, batch*h*w] from fh*fw
 * shifted slices and does one matMul; otherwise it is tf.conv2d.
 */
export function fastConv2d(x: tf.Tensor4D, filter: tf.Tensor4D | tf.Variable, strides: number = 1, pad: 'same' | 'valid' = 'same'): tf.Tensor4D {
  if (x.rank !== 4 || filter.rank !== 4 || x.shape[3] !== filter.shape[2]) {
    throw new SerError(
      'SHAPE_MISMATCH',
      `fastConv2d: x must be [batch, h, w, cin] and filter [fh, fw, cin, cout] with the same cin, got x [${x.shape.join(', ')}] and filter [${filter.shape.join(', ')}]`,
    );
  }
  const [fh, fw, cin, cout] = filter.shape as [number, number, number, number];
  if (strides !== 1 || fh * fw * cin > IM2COL_MAX_PATCH) return tf.conv2d(x, filter as tf.Tensor4D, strides, pad);
  return tf.tidy(() => {
    const [b, h, w] = x.shape;
    // 'same' pads like TF: the extra row/column (even filters) goes after.
    const [pt, pl] = pad === 'same' ? [Math.floor((fh - 1) / 2), Math.floor((fw - 1) / 2)] : [0, 0];
    const [oh, ow] = pad === 'same' ? [h, w] : [h - fh + 1, w - fw + 1];
    const xp =
      pad === 'same'
        ? tf.pad(x, [
            [0, 0],
            [pt, fh - 1 - pt],
            [pl, fw - 1 - pl],
            [0, 0],
          ])
        : x;
    // rows in filter order (i, j, c): [fh*fw*cin, b*oh*ow], each row a contiguous copy
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const s = tf.slice(xp, [0, i, j, 0], [b, oh, ow, cin]);
        rows.push(cin === 1 ? tf.reshape(s, [1, b * oh * ow]) : tf.transpose(tf.reshape(s, [b * oh * ow, cin])));
      }
    }
    const patchesT = tf.concat(rows, 0);
    const out = tf.matMul(patchesT, tf.reshape(filter, [fh * fw * cin, cout]), true, false);
    return tf.reshape(out, [b, oh, ow, cout]) as tf.Tensor4D;
  });
}

/** ReLU, max(x, 0), whose gradient is dy * sign(y): two ops (tf.relu's Step is five on tfjs-node). */
export const fastRelu: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.relu(x);
  save([y]);
  return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sign(saved[0])) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;

/**
 * Max-pooling, window = stride = size (a number for square windows or [h, w]), 'valid' (trailing
 * rows/columns that do not fill a window are dropped): x [b, h, w, c] -> [b, floor(h/sh), floor(w/sw), c];
 * equals tf.maxPool(x, size, size, 'valid'). Its gradient is three elementwise ops (equal, cast, mul
 * against the broadcast output) instead of libtensorflow's MaxPoolGrad, the slowest kernel of the
 * reference step on tfjs-node. On exact ties within a window every tied element gets the gradient
 * (MaxPoolGrad picks one). On other backends (wasm, cpu) it is tf.maxPool.
 */
export function fastMaxPool(x: tf.Tensor4D, size: number | [number, number] = 2): tf.Tensor4D {
  const [sh, sw] = typeof size === 'number' ? [size, size] : size;
  const [b, h, w, c] = x.shape;
  const oh = Math.floor(h / sh);
  const ow = Math.floor(w / sw);
  if (oh === 0 || ow === 0) {
    throw new SerError('SHAPE_MISMATCH', `fastMaxPool: x [${x.shape.join(', ')}] is smaller than the ${sh}x${sw} window`);
  }
  // Only libtensorflow gains: wasm's own MaxPoolGrad is native, its broadcasting elementwise ops are not.
  if (tf.getBackend() !== 'tensorflow') return tf.maxPool(x, [sh, sw], [sh, sw], 'valid');
  const pool = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.maxPool(input as tf.Tensor4D, [sh, sw], [sh, sw], 'valid');
    save([input, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved;
        const win = [b * oh, sh, ow, sw, c];
        const one = [b * oh, 1, ow, 1, c];
        const mask = tf.cast(tf.equal(tf.reshape(xs, win), tf.reshape(ys, one)), 'float32');
        return tf.reshape(tf.mul(mask, tf.reshape(dy, one)), [b, oh * sh, ow * sw, c]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const cropped = oh * sh === h && ow * sw === w ? x : tf.slice(x, [0, 0, 0, 0], [b, oh * sh, ow * sw, c]);
  return pool(cropped) as tf.Tensor4D;
}
