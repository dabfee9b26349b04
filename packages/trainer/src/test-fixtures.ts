// Test scaffolding (excluded from the build): tiny models and losses that implement the Model and
// Loss contracts with plain tf ops, and synthetic features whose class shifts the mean.
import { Rng, type StateDict } from '@ser/core';
import { tf } from '@ser/engine';
import type { Loss, LossOutput } from '@ser/loss-core';
import type { Model } from '@ser/model-core';
import { resolveTrainerConfig } from './config.js';
import type { Example, FeatureSource } from './types.js';

let uniq = 0;

function stateOf(vars: tf.Variable[], names: string[]): StateDict {
  return Object.fromEntries(vars.map((v, i) => [names[i], { shape: v.shape.slice(), values: Array.from(v.dataSync()) }]));
}
function setStateOf(vars: tf.Variable[], names: string[], state: StateDict): void {
  vars.forEach((v, i) => {
    const s = state[names[i]];
    if (!s) throw new Error(`state lacks ${names[i]}`);
    tf.tidy(() => v.assign(tf.tensor(s.values, v.shape)));
  });
}

/** Masked mean over frames -> dense + tanh (the embedding z) -> dense (logits). */
export function makePoolModel(opts: { bins: number; numClasses: number; embeddingDim: number; seed: number }): Model {
  const rng = new Rng(opts.seed);
  const init = (shape: number[], scale: number) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
          shape,
        ),
        true,
        `pool-${uniq++}`,
      ),
    );
  const w1 = init([opts.bins, opts.embeddingDim], 1 / Math.sqrt(opts.bins));
  const b1 = tf.tidy(() => tf.variable(tf.zeros([opts.embeddingDim]), true, `pool-${uniq++}`));
  const w2 = init([opts.embeddingDim, opts.numClasses], 1 / Math.sqrt(opts.embeddingDim));
  const b2 = tf.tidy(() => tf.variable(tf.zeros([opts.numClasses]), true, `pool-${uniq++}`));
  const vars = [w1, b1, w2, b2];
  const names = ['w1', 'b1', 'w2', 'b2'];
  return {
    id: 'test-pool',
    embeddingDim: opts.embeddingDim,
    trainableVariables: vars,
    apply(batch, mask) {
      return tf.tidy(() => {
        const m = tf.expandDims(mask, 2);
        const pooled = tf.div(tf.sum(tf.mul(batch, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
        const embeddings = tf.tanh(tf.add(tf.matMul(pooled, w1), b1)) as tf.Tensor2D;
        const logits = tf.add(tf.matMul(embeddings, w2), b2) as tf.Tensor2D;
        return { embeddings, logits };
      });
    },
    getState: () => stateOf(vars, names),
    setState: (s) => setStateOf(vars, names, s),
    dispose: () => tf.dispose(vars),
  };
}

const xent = (logits: tf.Tensor2D, labels: tf.Tensor1D, k: number) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, k), logits) as tf.Scalar;

/** Softmax cross-entropy, term { softmax }. */
export function makeSoftmaxLoss(numClasses: number): Loss {
  return {
    id: 'test-softmax',
    trainableVariables: [],
    compute({ logits, labels }): LossOutput {
      const s = xent(logits, labels, numClasses);
      return { total: s, terms: { softmax: s } };
    },
    getState: () => ({}),
    setState: () => {},
    dispose: () => {},
  };
}

/**
 * softmax + lambda * center, center = (1/2) mean_i ||z_i - c_{y_i}||^2 (Wen et al.); centers are not
 * trained by gradient but by the alpha rule in afterStep: c_j -= alpha * sum_{y_i=j}(c_j - z_i) / (1 + n_j).
 */
export function makeCenterLoss(opts: {
  numClasses: number;
  embeddingDim: number;
  lambda: number;
  alpha: number;
  trainable?: boolean;
}): Loss & { centersVar: tf.Variable } {
  // trainable: the centers are learnt by gradient with the model instead of by the alpha rule
  const centers = tf.tidy(() => tf.variable(tf.zeros([opts.numClasses, opts.embeddingDim]), opts.trainable === true, `centers-${uniq++}`));
  return {
    id: 'test-center',
    centersVar: centers,
    trainableVariables: opts.trainable ? [centers] : [],
    compute({ embeddings, logits, labels }): LossOutput {
      const s = xent(logits, labels, opts.numClasses);
      const c = tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(embeddings, tf.gather(centers, labels))), 1))) as tf.Scalar;
      return { total: tf.add(s, tf.mul(opts.lambda, c)), terms: { softmax: s, center: c } };
    },
    afterStep({ embeddings, labels }) {
      if (opts.trainable) return;
      tf.tidy(() => {
        const onehot = tf.oneHot(labels, opts.numClasses).toFloat(); // [b, k]
        const counts = tf.sum(onehot, 0).expandDims(1); // [k, 1]
        const diff = tf.sub(tf.mul(counts, centers), tf.matMul(onehot, embeddings, true, false)); // sum_i (c_j - z_i)
        centers.assign(tf.sub(centers, tf.mul(opts.alpha, tf.div(diff, tf.add(counts, 1)))));
      });
    },
    centers: () => centers as unknown as tf.Tensor2D,
    getState: () => stateOf([centers], ['centers']),
    setState: (s) => setStateOf([centers], ['centers'], s),
    dispose: () => centers.dispose(),
  };
}

/** A loss whose total becomes NaN from the `fromCall`-th compute on (1-based). */
export function makeNanLoss(numClasses: number, fromCall: number): Loss {
  let calls = 0;
  const base = makeSoftmaxLoss(numClasses);
  return {
    ...base,
    id: 'test-nan',
    compute(inputs) {
      calls++;
      const out = base.compute(inputs);
      return calls >= fromCall ? { total: tf.mul(out.total, NaN) as tf.Scalar, terms: out.terms } : out;
    },
  };
}

/** Features [frames, bins] ~ N(shift * e_{label mod bins}, 1): the class moves the mean of one bin. */
export function makeSyntheticData(opts: {
  numClasses: number;
  bins: number;
  perClass: { train: number; validation: number; test: number };
  seed: number;
  shift?: number;
  minFrames?: number;
  maxFrames?: number;
}) {
  const rng = new Rng(opts.seed);
  const shift = opts.shift ?? 1.5;
  const minF = opts.minFrames ?? 4;
  const maxF = opts.maxFrames ?? 30;
  const store = new Map<string, Float32Array>();
  const split = (name: 'train' | 'validation' | 'test'): Example[] => {
    const out: Example[] = [];
    for (let c = 0; c < opts.numClasses; c++) {
      for (let i = 0; i < opts.perClass[name]; i++) {
        const id = `${name}-${c}-${i}`;
        const frames = minF + rng.int(maxF - minF + 1);
        const x = new Float32Array(frames * opts.bins);
        for (let f = 0; f < frames; f++) for (let b = 0; b < opts.bins; b++) x[f * opts.bins + b] = rng.normal() + (b === c % opts.bins ? shift : 0);
        store.set(id, x);
        out.push({ id, label: c, frames });
      }
    }
    return out;
  };
  const data = { train: split('train'), validation: split('validation'), test: split('test') };
  const reads: string[] = [];
  const source: FeatureSource & { reads: string[] } = {
    bins: opts.bins,
    reads,
    read(id) {
      reads.push(id);
      const x = store.get(id);
      if (!x) throw new Error(`no features for ${id}`);
      return x;
    },
  };
  return { data, source };
}

/** The small cell the trainer tests share: 4 classes, 6 bins, 80/32/32 utterances, pool model, center loss. */
export function smallCell(opts: { modelSeed?: number; lambda?: number; alpha?: number } = {}) {
  const K = 4;
  const bins = 6;
  const dim = 8;
  const { data, source } = makeSyntheticData({ numClasses: K, bins, perClass: { train: 20, validation: 8, test: 8 }, seed: 7 });
  const model = makePoolModel({ bins, numClasses: K, embeddingDim: dim, seed: opts.modelSeed ?? 1 });
  const loss = makeCenterLoss({ numClasses: K, embeddingDim: dim, lambda: opts.lambda ?? 0.1, alpha: opts.alpha ?? 0.5 });
  const config = resolveTrainerConfig({
    epochs: 5,
    batchSize: 8,
    optimizer: { id: 'adam', learningRate: 0.03 },
    schedule: { id: 'plateau', patience: 0, factor: 0.5 },
    gradientClipNorm: 5,
    earlyStopping: { metric: 'ua', patience: null },
    evalBatchSize: 16,
  });
  return { data, source, model, loss, config, classes: ['ang', 'hap', 'neu', 'sad'] };
}
