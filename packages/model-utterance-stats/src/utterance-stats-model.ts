import type { JsonSchema, StateDict } from '@ser/core';
import { fastRelu, tf } from '@ser/engine';
import { checkModelInputs, defineModel, DropoutSeeds, VariableStore, type Model, type ModelOutput } from '@ser/model-core';

const ID = 'utterance-stats';

/** The utterance-stats config (YAML key `model`, without `id`). */
export interface UtteranceStatsConfig {
  /** Also the statistics of the frame-to-frame differences (deltas): 4 * bins statistics instead of 2 * bins. */
  deltas: boolean;
  /** Standardise each statistic by batch normalisation without scale and shift (moving averages at inference), as a classic pipeline z-scores its features. */
  standardise: boolean;
  /** Hidden ReLU layers between the statistics and the embedding z; [] = z straight from the statistics. */
  hiddenUnits: number[];
  /** d, the size of the feature z that center loss acts on. */
  embeddingDim: number;
  embeddingActivation: 'relu' | 'linear';
  /** Dropout rate on the statistics and on each hidden layer's output (training only). */
  dropout: number;
}

/** JSON Schema of UtteranceStatsConfig; defaults and descriptions are the docs. */
export const utteranceStatsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    deltas: {
      description:
        'Also the mean and standard deviation of the frame-to-frame differences (x[t+1] - x[t], over pairs of real frames): 4 * bins statistics instead of 2 * bins.',
      type: 'boolean',
      default: true,
    },
    standardise: {
      description:
        'Standardise each statistic (mean 0, variance 1) by batch normalisation without scale and shift: batch statistics in training, moving averages (momentum 0.9) at inference -- the z-scoring a classic pipeline applies before its classifier.',
      type: 'boolean',
      default: true,
    },
    hiddenUnits: {
      description: 'Hidden ReLU layers (units each) between the statistics and the embedding z; [] = z is one layer over the statistics.',
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      default: [],
    },
    embeddingDim: { description: 'd: size of the feature z that center loss acts on.', type: 'integer', minimum: 1, default: 128 },
    embeddingActivation: { description: 'Activation of the embedding layer: relu or linear.', enum: ['relu', 'linear'], default: 'relu' },
    dropout: {
      description: "Dropout rate on the statistics and on each hidden layer's output, training only (the returned embeddings are not dropped).",
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0.2,
    },
  },
};

// keeps sqrt differentiable for a constant bin (variance 0)
const VARIANCE_FLOOR = 1e-6;
// moving averages of the standardisation: short, since a small corpus gives a few hundred steps
const STANDARDISE_MOMENTUM = 0.9;
const STANDARDISE_EPSILON = 1e-3;

/**
 * Per-utterance statistics over real frames: [mean_t x, std_t x] and, with deltas, the same of
 * d_t = x_{t+1} - x_t over pairs of real frames. x [batch, frames, bins], mask [batch, frames]
 * -> [batch, 2 * bins] or [batch, 4 * bins]. std = sqrt(mean (x - mean)^2 + 1e-6); an utterance of
 * one frame has delta statistics 0.
 */
export function utteranceStatistics(x: tf.Tensor3D, mask: tf.Tensor2D, deltas: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const moments = (v: tf.Tensor3D, m: tf.Tensor2D): tf.Tensor2D[] => {
      const w = tf.expandDims(m, 2);
      const n = tf.maximum(tf.sum(w, 1), 1); // [batch, 1]
      const mean = tf.div(tf.sum(tf.mul(v, w), 1), n) as tf.Tensor2D;
      const centred = tf.mul(tf.sub(v, tf.expandDims(mean, 1)), w);
      const std = tf.sqrt(tf.add(tf.div(tf.sum(tf.square(centred), 1), n), VARIANCE_FLOOR)) as tf.Tensor2D;
      return [mean, std];
    };
    const parts = moments(x, mask);
    const frames = x.shape[1];
    if (deltas) {
      if (frames > 1) {
        const [b, , bins] = x.shape;
        const d = tf.sub(tf.slice(x, [0, 1, 0], [b, frames - 1, bins]), tf.slice(x, [0, 0, 0], [b, frames - 1, bins])) as tf.Tensor3D;
        const pairMask = tf.mul(tf.slice(mask, [0, 1], [b, frames - 1]), tf.slice(mask, [0, 0], [b, frames - 1])) as tf.Tensor2D;
        parts.push(...moments(d, pairMask));
      } else {
        parts.push(tf.zerosLike(parts[0]), tf.zerosLike(parts[0]));
      }
    }
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}

/**
 * The classic SER baseline as a model of the framework (in the spirit of openSMILE functionals +
 * a static classifier): per-utterance statistics of the feature frames (utteranceStatistics) ->
 * [dropout -> dense + ReLU] per hidden layer -> z = act(W_e h + b_e) [batch, embeddingDim] ->
 * logits = W_o z + b_o. It sees no frame order beyond the deltas, trains in seconds, and is the
 * reference a deep model has to beat on the same folds.
 */
export const utteranceStatsModel = defineModel<UtteranceStatsConfig>({
  id: ID,
  description:
    'Classic baseline: means and standard deviations of the feature frames and their deltas per utterance, into a small MLP (embedding z, output layer).',
  schema: utteranceStatsSchema,
  create(config, context) {
    return new UtteranceStats(config, context.inputBins, context.numClasses, context.seed);
  },
});

class UtteranceStats implements Model {
  readonly id = ID;
  readonly embeddingDim: number;
  readonly trainableVariables: tf.Variable[];
  private readonly store: VariableStore;
  private readonly hidden: { w: tf.Variable; b: tf.Variable }[] = [];
  private readonly embedding: { w: tf.Variable; b: tf.Variable };
  private readonly output: { w: tf.Variable; b: tf.Variable };
  private readonly moving: { mean: tf.Variable; variance: tf.Variable } | null;
  private readonly dropout: DropoutSeeds;
  private readonly owner = `model '${ID}'`;

  constructor(
    private readonly config: UtteranceStatsConfig,
    private readonly inputBins: number,
    numClasses: number,
    seed: number,
  ) {
    this.dropout = new DropoutSeeds(seed, this.owner);
    this.embeddingDim = config.embeddingDim;
    this.store = new VariableStore(seed, this.owner);
    let size = (config.deltas ? 4 : 2) * inputBins;
    this.moving = config.standardise
      ? {
          mean: this.store.add('standardise/movingMean', [size], 'zeros', false),
          variance: this.store.add('standardise/movingVariance', [size], 'ones', false),
        }
      : null;
    config.hiddenUnits.forEach((units, i) => {
      this.hidden.push({
        w: this.store.add(`hidden${i}/kernel`, [size, units], { fanIn: size, fanOut: units }),
        b: this.store.add(`hidden${i}/bias`, [units], 'zeros'),
      });
      size = units;
    });
    const d = config.embeddingDim;
    this.embedding = { w: this.store.add('embedding/kernel', [size, d], { fanIn: size, fanOut: d }), b: this.store.add('embedding/bias', [d], 'zeros') };
    this.output = {
      w: this.store.add('output/kernel', [d, numClasses], { fanIn: d, fanOut: numClasses }),
      b: this.store.add('output/bias', [numClasses], 'zeros'),
    };
    this.trainableVariables = [...this.store.trainable];
  }

  apply(batch: tf.Tensor3D, mask: tf.Tensor2D, training: boolean): ModelOutput {
    checkModelInputs(this.owner, batch, mask, this.inputBins);
    const rate = this.config.dropout;
    const drop = <T extends tf.Tensor>(t: T): T => (training && rate > 0 ? (tf.dropout(t, rate, undefined, this.dropout.next()) as T) : t);
    return tf.tidy(() => {
      let h = drop(this.standardise(utteranceStatistics(batch, tf.cast(mask, 'float32') as tf.Tensor2D, this.config.deltas), training));
      for (const layer of this.hidden) h = drop(fastRelu(tf.add(tf.matMul(h, layer.w), layer.b)) as tf.Tensor2D);
      const zLinear = tf.add(tf.matMul(h, this.embedding.w), this.embedding.b) as tf.Tensor2D;
      const embeddings = (this.config.embeddingActivation === 'relu' ? fastRelu(zLinear) : zLinear) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(drop(embeddings), this.output.w), this.output.b) as tf.Tensor2D;
      return { embeddings, logits };
    });
  }

  /** (s - mean) / sqrt(variance + eps) per statistic: the batch's moments in training (moving averages updated), the moving averages at inference. */
  private standardise(stats: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!this.moving) return stats;
    const { mean: mm, variance: mv } = this.moving;
    if (!training) return tf.div(tf.sub(stats, mm), tf.sqrt(tf.add(mv, STANDARDISE_EPSILON))) as tf.Tensor2D;
    const { mean, variance } = tf.moments(stats, 0);
    mm.assign(tf.add(tf.mul(mm, STANDARDISE_MOMENTUM), tf.mul(mean, 1 - STANDARDISE_MOMENTUM)));
    mv.assign(tf.add(tf.mul(mv, STANDARDISE_MOMENTUM), tf.mul(variance, 1 - STANDARDISE_MOMENTUM)));
    return tf.div(tf.sub(stats, mean), tf.sqrt(tf.add(variance, STANDARDISE_EPSILON))) as tf.Tensor2D;
  }

  getState(): StateDict {
    return { ...this.store.getState(), dropout: this.dropout.getState() };
  }

  setState(state: StateDict): void {
    this.dropout.setState(state.dropout);
    this.store.setState(state);
  }

  dispose(): void {
    this.store.dispose();
  }
}
