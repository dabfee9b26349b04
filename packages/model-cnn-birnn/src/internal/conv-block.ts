import { fastConv2d, fastMaxPool, fastRelu, fusedConvPoolRelu, tf } from '@ser/engine';
import type { ConvLayerConfig } from '../config.js';
import type { VariableStore } from '@ser/model-core';

// Keras' BatchNormalization defaults.
const BN_MOMENTUM = 0.99;
const BN_EPSILON = 1e-3;

/** Output length of a conv with zero padding floor((k-1)/2) before and the rest after: ceil(len / stride). */
export function convLength(length: number, stride: number): number {
  return Math.floor((length - 1) / stride) + 1;
}

/** Output length of non-overlapping pooling that drops a partial last window. */
export function poolLength(length: number, size: number): number {
  return Math.floor(length / size);
}

/**
 * A conv block over x [batch, time, freq, channels]: zero padding + 'valid' conv (not tfjs 'same',
 * whose split of the padding depends on the input length and would shift frames between a padded
 * and an unpadded utterance) -> batch norm over real frames -> ReLU -> non-overlapping pooling ->
 * dropout -> padded frames zeroed, so the next conv sees exactly the zeros of its own padding.
 * Without batch norm, stride 1 and with max-pooling it is the engine's fusedConvPoolRelu: one native
 * kernel each way where the engine runs them, else its fast ops. Otherwise the engine's fast ops
 * (fastConv2d, fastMaxPool, fastRelu), max-pooling before the bias and ReLU where that is the same
 * function (a quarter of the elementwise work).
 */
export class ConvBlock {
  private readonly kernel: tf.Variable;
  private readonly bias?: tf.Variable;
  private readonly gamma?: tf.Variable;
  private readonly beta?: tf.Variable;
  private readonly movingMean?: tf.Variable;
  private readonly movingVariance?: tf.Variable;

  constructor(
    readonly config: ConvLayerConfig,
    inChannels: number,
    store: VariableStore,
    prefix: string,
    /** inputGradient false: the block's input is data (the first block), so no gradient flows into it. */
    private readonly options: { inputGradient?: boolean } = {},
  ) {
    const [kt, kf] = config.kernel;
    const fans = { fanIn: kt * kf * inChannels, fanOut: kt * kf * config.filters };
    this.kernel = store.add(`${prefix}/kernel`, [kt, kf, inChannels, config.filters], fans);
    if (config.batchNorm) {
      // no conv bias: batch norm's beta takes its place
      this.gamma = store.add(`${prefix}/gamma`, [config.filters], 'ones');
      this.beta = store.add(`${prefix}/beta`, [config.filters], 'zeros');
      this.movingMean = store.add(`${prefix}/movingMean`, [config.filters], 'zeros', false);
      this.movingVariance = store.add(`${prefix}/movingVariance`, [config.filters], 'ones', false);
    } else {
      this.bias = store.add(`${prefix}/bias`, [config.filters], 'zeros');
    }
  }

  /** [time, freq] after this block, from [time, freq] before it. */
  outputSize([time, freq]: [number, number]): [number, number] {
    const { stride, pooling } = this.config;
    let t = convLength(time, stride[0]);
    let f = convLength(freq, stride[1]);
    if (pooling.type !== 'none') {
      t = poolLength(t, pooling.size[0]);
      f = poolLength(f, pooling.size[1]);
    }
    return [t, f];
  }

  /**
   * @param x [batch, time, freq, channels], zero at padded frames
   * @param mask [batch, time]
   * @param dropoutSeed a fresh seed for this call's dropout (training only)
   * @returns the block output [batch, time', freq', filters] and its mask [batch, time']
   */
  apply(x: tf.Tensor4D, mask: tf.Tensor2D, training: boolean, dropoutSeed: () => string): { x: tf.Tensor4D; mask: tf.Tensor2D } {
    const {
      kernel: [kt, kf],
      stride,
      pooling,
      dropout,
    } = this.config;
    const [batch, time] = mask.shape;
    const before = [Math.floor((kt - 1) / 2), Math.floor((kf - 1) / 2)];
    const pads = [before[0], kt - 1 - before[0], before[1], kf - 1 - before[1]] as [number, number, number, number];
    // frame i of the output is centred on input frame i * stride: real iff that frame is
    let m: tf.Tensor2D = tf.stridedSlice(mask, [0, 0], [batch, time], [1, stride[0]]) as tf.Tensor2D;
    let y: tf.Tensor4D;
    if (!this.gamma && pooling.type === 'max' && stride[0] === 1 && stride[1] === 1) {
      y = fusedConvPoolRelu(x, this.kernel, this.bias!, { pad: pads, pool: pooling.size, inputGradient: this.options.inputGradient ?? true });
    } else {
      y = this.convActPool(x, pads, m, training);
    }
    if (pooling.type !== 'none') {
      // a pooled frame is real iff every frame of its window is
      const pt = pooling.size[0];
      const n = y.shape[1];
      m = tf.min(tf.reshape(tf.slice(m, [0, 0], [batch, n * pt]), [batch, n, pt]), 2) as tf.Tensor2D;
    }
    if (training && dropout > 0) y = tf.dropout(y, dropout, undefined, dropoutSeed()) as tf.Tensor4D;
    return { x: tf.mul(y, tf.reshape(m, [batch, m.shape[1], 1, 1])), mask: m };
  }

  /** conv -> (batch norm) -> relu -> pooling from the engine's fast tf ops; m: the conv output's mask. */
  private convActPool(x: tf.Tensor4D, pads: [number, number, number, number], m: tf.Tensor2D, training: boolean): tf.Tensor4D {
    const { stride, pooling } = this.config;
    const padded = tf.pad(x, [
      [0, 0],
      [pads[0], pads[1]],
      [pads[2], pads[3]],
      [0, 0],
    ]);
    // fastConv2d: im2col + one matMul for small patches (a first layer), else tf.conv2d
    let y: tf.Tensor4D =
      stride[0] === 1 && stride[1] === 1
        ? fastConv2d(padded, this.kernel as tf.Tensor4D, 1, 'valid')
        : tf.conv2d(padded, this.kernel as tf.Tensor4D, [stride[0], stride[1]], 'valid');
    if (!this.gamma && pooling.type === 'max') {
      // relu(maxPool(y) + b) equals maxPool(relu(y + b)) (a per-channel bias and relu commute with
      // max) with the elementwise work on the pooled elements only. Not with batch norm: a negative
      // gamma does not commute with max.
      y = fastRelu(tf.add(fastMaxPool(y, pooling.size), this.bias!));
    } else {
      y = this.gamma ? this.batchNorm(y, m, training) : tf.add(y, this.bias!);
      y = fastRelu(y);
      if (pooling.type !== 'none') {
        const [pt, pf] = pooling.size;
        y = pooling.type === 'max' ? fastMaxPool(y, [pt, pf]) : tf.avgPool(y, [pt, pf], [pt, pf], 'valid');
      }
    }
    return y;
  }

  /** Batch norm per channel; training: statistics over the real frames only, moving averages updated. */
  private batchNorm(y: tf.Tensor4D, mask: tf.Tensor2D, training: boolean): tf.Tensor4D {
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (training) {
      const [batch, time, freq] = y.shape;
      const m = tf.reshape(mask, [batch, time, 1, 1]);
      const count = tf.maximum(tf.mul(tf.sum(mask), freq), 1);
      mean = tf.div(tf.sum(tf.mul(y, m), [0, 1, 2]), count);
      variance = tf.div(tf.sum(tf.mul(tf.square(tf.sub(y, mean)), m), [0, 1, 2]), count);
      const mm = this.movingMean!;
      const mv = this.movingVariance!;
      mm.assign(tf.add(tf.mul(mm, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
      mv.assign(tf.add(tf.mul(mv, BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM)));
    } else {
      mean = this.movingMean!;
      variance = this.movingVariance!;
    }
    return tf.add(tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), this.gamma!), this.beta!);
  }
}
