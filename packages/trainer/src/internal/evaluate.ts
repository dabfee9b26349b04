import { SerError } from '@ser/core';
import { tf } from '@ser/engine';
import type { Loss } from '@ser/loss-core';
import type { Model } from '@ser/model-core';
import { batchTensors, planEvalBatches, readBatch } from '../batches.js';
import { argmaxRows, confusionMatrix, macroF1, perClassRecall, unweightedAccuracy, weightedAccuracy } from '../metrics.js';
import type { EvalResult, Example, FeatureSource } from '../types.js';
import { poolSegmentScores } from './pool-segment-scores.js';

/**
 * A split scored in inference mode, a row per utterance: per example in the order of the examples,
 * or, for segments (Example.utteranceId), per utterance in the order of their first segment.
 */
export interface SplitScores {
  result: EvalResult;
  /** The utterance id of each row. */
  ids: string[];
  labels: number[];
  predictions: number[];
  /** Row-major [n, numClasses]. */
  probabilities: Float32Array;
  /** Row-major [n, embeddingDim]. */
  embeddings: Float32Array;
  dim: number;
}

/** The EvalResult of a split that was not scored (no utterances, or a diverged run). */
export function emptyEvalResult(numClasses: number): EvalResult {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  return { ua: NaN, wa: NaN, macroF1: NaN, perClassRecall: new Array<number>(numClasses).fill(NaN), confusion, loss: NaN, terms: {} };
}

/**
 * Runs the model (training = false) and the loss over a split in length-sorted batches; loss and
 * terms are means per utterance (batch means weighted by batch size).
 */
export function evaluateSplit(args: {
  model: Model;
  loss: Loss;
  examples: readonly Example[];
  source: FeatureSource;
  batchSize: number;
  numClasses: number;
  onBatch?: (step: number, steps: number, terms: Record<string, number>, utterances: number) => void;
}): SplitScores {
  const { model, loss, examples, source, numClasses } = args;
  const n = examples.length;
  const dim = model.embeddingDim;
  const probabilities = new Float32Array(n * numClasses);
  const embeddings = new Float32Array(n * dim);
  const { batches, index } = planEvalBatches(examples, args.batchSize);
  let names: string[] = [];
  let sums: number[] = [];
  let seen = 0;
  batches.forEach((batch, b) => {
    const hb = readBatch(batch, source);
    const out = tf.tidy(() => {
      const t = batchTensors(hb);
      const { embeddings: z, logits } = model.apply(t.x, t.mask, false);
      const l = loss.compute({ embeddings: z, logits, labels: t.labels });
      names = Object.keys(l.terms);
      const scores = loss.scores ? loss.scores(z, logits) : logits;
      return { z, p: tf.softmax(scores), packed: tf.stack([l.total, ...names.map((k) => l.terms[k])]) };
    });
    const zv = out.z.dataSync();
    const pv = out.p.dataSync();
    const lv = out.packed.dataSync();
    tf.dispose([out.z, out.p, out.packed]);
    if (sums.length === 0) sums = new Array<number>(lv.length).fill(0);
    for (let k = 0; k < lv.length; k++) sums[k] += lv[k] * hb.n;
    index[b].forEach((row, i) => {
      embeddings.set(zv.subarray(i * dim, (i + 1) * dim), row * dim);
      probabilities.set(pv.subarray(i * numClasses, (i + 1) * numClasses), row * numClasses);
    });
    seen += hb.n;
    args.onBatch?.(b + 1, batches.length, Object.fromEntries(names.map((k, j) => [k, sums[j + 1] / seen])), seen);
  });
  const rows = poolSegments(examples, probabilities, embeddings, numClasses, dim);
  const { labels, ids } = rows;
  const predictions = argmaxRows(rows.probabilities, numClasses);
  const confusion = confusionMatrix(labels, predictions, numClasses);
  const result: EvalResult =
    ids.length === 0
      ? emptyEvalResult(numClasses)
      : {
          ua: unweightedAccuracy(confusion),
          wa: weightedAccuracy(confusion),
          macroF1: macroF1(confusion),
          perClassRecall: perClassRecall(confusion),
          confusion,
          loss: sums[0] / n,
          terms: Object.fromEntries(names.map((k, j) => [k, sums[j + 1] / n])),
        };
  return { result, ids, labels, predictions, probabilities: rows.probabilities, embeddings: rows.embeddings, dim };
}

/**
 * Utterance-level rows: examples without utteranceId stay as they are; the segments of one utterance
 * become one row with the mean of their class probabilities (poolSegmentScores) and of their
 * embeddings. Loss and terms stay means per scored example.
 */
function poolSegments(examples: readonly Example[], probabilities: Float32Array, embeddings: Float32Array, numClasses: number, dim: number) {
  if (!examples.some((e) => e.utteranceId !== undefined)) {
    return { ids: examples.map((e) => e.id), labels: examples.map((e) => e.label), probabilities, embeddings };
  }
  const groups = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const key = e.utteranceId ?? e.id;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const ids = [...groups.keys()];
  const pooledP = new Float32Array(ids.length * numClasses);
  const pooledZ = new Float32Array(ids.length * dim);
  const labels = ids.map((id, r) => {
    const members = groups.get(id)!;
    pooledP.set(poolSegmentScores(members.map((i) => probabilities.subarray(i * numClasses, (i + 1) * numClasses))), r * numClasses);
    pooledZ.set(poolSegmentScores(members.map((i) => embeddings.subarray(i * dim, (i + 1) * dim))), r * dim);
    const label = examples[members[0]].label;
    if (members.some((i) => examples[i].label !== label)) {
      throw new SerError('SHAPE_MISMATCH', `evaluateSplit: the segments of utterance '${id}' carry different labels; a segment takes its utterance's label`);
    }
    return label;
  });
  return { ids, labels, probabilities: pooledP, embeddings: pooledZ };
}
