import { SerError } from '@ser/core';

/** Counts [true class][predicted class] over the utterances; labels and predictions are class indices. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number): number[][] {
  if (labels.length !== predictions.length) {
    throw new SerError('SHAPE_MISMATCH', `confusionMatrix: ${labels.length} labels but ${predictions.length} predictions; pass one prediction per label.`);
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predictions[i];
    if (!(y >= 0 && y < numClasses && p >= 0 && p < numClasses) || !Number.isInteger(y) || !Number.isInteger(p)) {
      throw new SerError('SHAPE_MISMATCH', `confusionMatrix: item ${i} has label ${y} / prediction ${p}, outside 0..${numClasses - 1}.`);
    }
    m[y][p]++;
  }
  return m;
}

/** Recall of each class: confusion[c][c] / sum_k confusion[c][k]; NaN for a class with no true utterances. */
export function perClassRecall(confusion: number[][]): number[] {
  return confusion.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? NaN : row[c] / n;
  });
}

/**
 * Unweighted accuracy (UA, balanced accuracy): the mean of the per-class recalls over the classes
 * present in the split (classes with no true utterances are left out of the mean); NaN if none.
 */
export function unweightedAccuracy(confusion: number[][]): number {
  const r = perClassRecall(confusion).filter((x) => !Number.isNaN(x));
  return r.length === 0 ? NaN : r.reduce((a, b) => a + b, 0) / r.length;
}

/** Weighted accuracy (WA): overall accuracy, trace / total; NaN for an empty matrix. */
export function weightedAccuracy(confusion: number[][]): number {
  let correct = 0;
  let total = 0;
  confusion.forEach((row, c) => {
    correct += row[c];
    for (const v of row) total += v;
  });
  return total === 0 ? NaN : correct / total;
}

/**
 * Macro-F1: the mean over classes of F1_c = 2 TP / (2 TP + FP + FN), over the classes that occur
 * as a label or as a prediction (as scikit-learn does); a class predicted but absent from the
 * labels scores 0. NaN when no class occurs.
 */
export function macroF1(confusion: number[][]): number {
  const k = confusion.length;
  const f1: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let fn = 0;
    let fp = 0;
    for (let j = 0; j < k; j++) {
      if (j === c) continue;
      fn += confusion[c][j];
      fp += confusion[j][c];
    }
    const denom = 2 * tp + fp + fn;
    if (denom > 0) f1.push((2 * tp) / denom);
  }
  return f1.length === 0 ? NaN : f1.reduce((a, b) => a + b, 0) / f1.length;
}

/** Index of the largest value in each row of a row-major [rows, cols] array (first one on ties). */
export function argmaxRows(values: ArrayLike<number>, cols: number): number[] {
  const rows = values.length / cols;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Feature-space statistics of center loss, on one split's embeddings. */
export interface EmbeddingStats {
  /** mean_i ||z_i - m_{y_i}||, m_c = mean embedding of class c (Euclidean, not squared). */
  intraClassDistance: number;
  /** Mean over pairs j < k of ||m_j - m_k|| over the classes present; NaN with fewer than 2 classes. */
  interCenterDistance: number;
  /** intraClassDistance / interCenterDistance. */
  distanceRatio: number;
  /** m_c per class index ([] for a class absent from the split). */
  classMeans: number[][];
}

/**
 * Intra-class and inter-center distances of embeddings ([n][dim] rows, or row-major with `dim`).
 * Both use the class means of these embeddings (not a loss's learnt centers), so losses with and
 * without centers are measured the same way.
 */
export function embeddingStats(embeddings: ArrayLike<number> | number[][], labels: ArrayLike<number>, numClasses: number, dim?: number): EmbeddingStats {
  const n = labels.length;
  const rows = Array.isArray(embeddings) && Array.isArray(embeddings[0]);
  const d = rows ? (embeddings as number[][])[0].length : (dim ?? (n > 0 ? (embeddings as ArrayLike<number>).length / n : 0));
  const at = rows ? (i: number, j: number) => (embeddings as number[][])[i][j] : (i: number, j: number) => (embeddings as ArrayLike<number>)[i * d + j];
  const sums = Array.from({ length: numClasses }, () => new Float64Array(d));
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    counts[y]++;
    for (let j = 0; j < d; j++) sums[y][j] += at(i, j);
  }
  const classMeans = sums.map((s, c) => (counts[c] === 0 ? [] : Array.from(s, (v) => v / counts[c])));
  let intra = 0;
  for (let i = 0; i < n; i++) {
    const m = classMeans[labels[i]];
    let s = 0;
    for (let j = 0; j < d; j++) s += (at(i, j) - m[j]) ** 2;
    intra += Math.sqrt(s);
  }
  const intraClassDistance = n === 0 ? NaN : intra / n;
  const present = classMeans.filter((m) => m.length > 0);
  const interCenterDistance = meanPairwiseDistance(present);
  return { intraClassDistance, interCenterDistance, distanceRatio: intraClassDistance / interCenterDistance, classMeans };
}

/** Mean Euclidean distance over all pairs j < k of the rows; NaN with fewer than 2 rows. */
export function meanPairwiseDistance(points: number[][]): number {
  let total = 0;
  let pairs = 0;
  for (let a = 0; a < points.length; a++) {
    for (let b = a + 1; b < points.length; b++) {
      total += euclidean(points[a], points[b]);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : total / pairs;
}

/** How far the centers moved: mean_j ||end_j - start_j||; 0 when there are no centers. */
export function centerDrift(start: number[][] | undefined, end: number[][] | undefined): number {
  if (!start || !end || start.length === 0) return 0;
  if (start.length !== end.length) {
    throw new SerError('SHAPE_MISMATCH', `centerDrift: ${start.length} centers at the start but ${end.length} at the end.`);
  }
  let s = 0;
  for (let j = 0; j < start.length; j++) s += euclidean(start[j], end[j]);
  return s / start.length;
}

function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}
