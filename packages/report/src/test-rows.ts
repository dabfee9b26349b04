// Hand-written result rows for the tests (not part of the package's API; excluded from the build).
import { Rng } from '@ser/core';
import { blankCellRow } from '@ser/store';
import type { CellRow, EmbeddingRow, EpochRow, ParamValue, PredictionRow, ResultRows } from './rows.js';

/** A CellRow with sensible defaults; the test sets what it checks. */
export function makeCell(over: Partial<CellRow> & Pick<CellRow, 'cellId'>): CellRow {
  return {
    ...blankCellRow(over.cellId),
    experiment: 'hand',
    fold: 'f1',
    status: 'ok',
    classes: ['angry', 'sad'],
    epochs: 3,
    bestEpoch: 2,
    seconds: 1,
    lossId: 'center',
    modelId: 'cnn-birnn',
    dataset: 'emodb',
    classMap: '4-class',
    protocol: 'leave-one-speaker-out',
    backend: 'cpu',
    configHash: 'h',
    splitHash: 's',
    codeVersion: '0',
    gitCommit: 'g',
    finishedAt: '2025-01-01T00:00:00Z',
    ...over,
  };
}

/** `count` test predictions of one cell with the given label and prediction. */
export function makePredictions(cellId: string, spec: [label: string, prediction: string, count: number][]): PredictionRow[] {
  const out: PredictionRow[] = [];
  let i = 0;
  for (const [label, prediction, count] of spec) {
    for (let k = 0; k < count; k++) out.push({ cellId, utteranceId: `u${i++}`, split: 'test', label, prediction, probabilities: [] });
  }
  return out;
}

/**
 * The hand-computed fixture: two classes (angry, sad); fold f1 tests 2 angry + 2 sad, fold f2
 * tests 5 angry + 2 sad; seeds 0 and 1. Per cell: [angry hits, sad hits] -> UA, WA.
 *   softmax  f1 s0 [1,1] UA .50 WA 2/4 | f2 s0 [2,2] UA .70 WA 4/7 | f1 s1 [2,1] UA .75 WA 3/4 | f2 s1 [4,1] UA .65 WA 5/7
 *   center   f1 s0 [1,2] UA .75 WA 3/4 | f2 s0 [4,2] UA .90 WA 6/7 | f1 s1 [2,2] UA 1.0 WA 4/4 | f2 s1 [5,1] UA .75 WA 6/7
 * A third point (center lambda 0.1) has 2 ok cells (UA .60, .80), one diverged (UA .30, must be
 * ignored) and one failed (UA null); it has no predictions.
 */
export function handRows(): ResultRows {
  const cells: CellRow[] = [];
  const predictions: PredictionRow[] = [];
  const size = { f1: [2, 2], f2: [5, 2] } as const;
  const add = (lossId: string, params: Record<string, ParamValue>, fold: 'f1' | 'f2', seed: number, hits: [number, number]) => {
    const cellId = `${lossId}-${String(params['loss.lambda'] ?? 'x').replace('.', '_')}-${fold}-${seed}`;
    const [na, ns] = size[fold];
    const recall = [hits[0] / na, hits[1] / ns];
    cells.push(
      makeCell({
        cellId,
        lossId,
        params,
        fold,
        seed,
        ua: (recall[0] + recall[1]) / 2,
        wa: (hits[0] + hits[1]) / (na + ns),
        perClassRecall: recall,
        confusion: [
          [hits[0], na - hits[0]],
          [ns - hits[1], hits[1]],
        ],
      }),
    );
    predictions.push(
      ...makePredictions(cellId, [
        ['angry', 'angry', hits[0]],
        ['angry', 'sad', na - hits[0]],
        ['sad', 'sad', hits[1]],
        ['sad', 'angry', ns - hits[1]],
      ]),
    );
  };
  const soft = { 'loss.id': 'softmax' };
  add('softmax', soft, 'f1', 0, [1, 1]);
  add('softmax', soft, 'f2', 0, [2, 2]);
  add('softmax', soft, 'f1', 1, [2, 1]);
  add('softmax', soft, 'f2', 1, [4, 1]);
  const center = { 'loss.lambda': 0.01, 'loss.alpha': 0.5 };
  add('center', center, 'f1', 0, [1, 2]);
  add('center', center, 'f2', 0, [4, 2]);
  add('center', center, 'f1', 1, [2, 2]);
  add('center', center, 'f2', 1, [5, 1]);
  const big = { 'loss.lambda': 0.1, 'loss.alpha': 0.5 };
  cells.push(
    makeCell({ cellId: 'big-f1-0', lossId: 'center', params: big, fold: 'f1', seed: 0, ua: 0.6, wa: 0.6, perClassRecall: [0.6, 0.6] }),
    makeCell({ cellId: 'big-f1-1', lossId: 'center', params: big, fold: 'f1', seed: 1, status: 'diverged', errorCode: 'NON_FINITE_LOSS', ua: 0.3, wa: 0.3 }),
    makeCell({ cellId: 'big-f2-0', lossId: 'center', params: big, fold: 'f2', seed: 0, status: 'failed', errorCode: 'CELL_FAILED' }),
    makeCell({ cellId: 'big-f2-1', lossId: 'center', params: big, fold: 'f2', seed: 1, ua: 0.8, wa: 0.7, perClassRecall: [0.9, 0.7] }),
  );
  return { cells, predictions, epochs: [], embeddings: [] };
}

/** A label that must show as text wherever it appears. */
export const EVIL_LABEL = '<img src=x onerror=alert(1)>';

/**
 * A synthetic sweep for the HTML report: center loss over lambda x alpha plus a softmax point,
 * 2 folds x 2 seeds, 4 classes (one named EVIL_LABEL), epochs, predictions, embeddings and
 * centers; one point entirely diverged, one entirely failed, one cell diverged; a second
 * protocol with one point (for the mixed-protocol warning).
 */
export function syntheticRows(options: { experiment?: string; dim?: number; perClass?: number } = {}): ResultRows {
  const rng = new Rng(42);
  const classes = ['angry', 'happy', 'neutral', EVIL_LABEL];
  const experiment = options.experiment ?? 'demo</script><script>alert(2)</script>';
  const dim = options.dim ?? 8;
  const perClass = options.perClass ?? 12;
  const cells: CellRow[] = [];
  const epochs: EpochRow[] = [];
  const predictions: PredictionRow[] = [];
  const embeddings: EmbeddingRow[] = [];
  const points: { lossId: string; params: Record<string, ParamValue>; strength: number; fate?: 'diverged' | 'failed' }[] = [
    { lossId: 'softmax', params: { 'loss.id': 'softmax' }, strength: 0 },
  ];
  for (const lambda of [0.001, 0.01, 0.1]) {
    for (const alpha of [0.1, 0.5]) {
      const fate = lambda === 0.1 && alpha === 0.5 ? 'diverged' : lambda === 0.1 && alpha === 0.1 ? 'failed' : undefined;
      points.push({ lossId: 'center', params: { 'loss.lambda': lambda, 'loss.alpha': alpha }, strength: lambda * 30 + alpha, fate });
    }
  }
  let index = 0;
  for (const p of points) {
    for (const fold of ['spk-01', 'spk-02']) {
      for (const seed of [0, 1]) {
        const cellId = `cell-${index++}`;
        const oneDiverged = p.params['loss.lambda'] === 0.01 && p.params['loss.alpha'] === 0.1 && fold === 'spk-02' && seed === 1;
        const status = p.fate ?? (oneDiverged ? 'diverged' : 'ok');
        const spread = 1.2 + p.strength; // center loss pulls classes together: clusters get tighter
        const confusion = classes.map(() => classes.map(() => 0));
        const centerVecs: number[][] = classes.map((_, k) => Array.from({ length: dim }, (_, j) => (j === k ? 4 : 0)));
        if (status === 'ok') {
          for (const [k, label] of classes.entries()) {
            for (let u = 0; u < perClass; u++) {
              const emb = centerVecs[k].map((v) => v + (rng.normal() * 4.5) / spread);
              let best = 0;
              let bestD = Infinity;
              centerVecs.forEach((c, j) => {
                const d = c.reduce((a, x, t) => a + (x - emb[t]) ** 2, 0);
                if (d < bestD) {
                  bestD = d;
                  best = j;
                }
              });
              confusion[k][best]++;
              const utteranceId = `${fold}/${label}/${u}`;
              predictions.push({ cellId, utteranceId, split: 'test', label, prediction: classes[best], probabilities: [] });
              embeddings.push({ cellId, utteranceId, split: 'test', label, embedding: emb });
            }
            embeddings.push({ cellId, utteranceId: `center:${label}`, split: 'center', label, embedding: centerVecs[k] });
          }
        }
        const recall = confusion.map(
          (row, k) =>
            row[k] /
            Math.max(
              1,
              row.reduce((a, b) => a + b, 0),
            ),
        );
        const total = confusion.flat().reduce((a, b) => a + b, 0);
        const ua = status === 'ok' ? recall.reduce((a, b) => a + b, 0) / classes.length : null;
        const wa = status === 'ok' ? confusion.reduce((a, row, k) => a + row[k], 0) / total : null;
        cells.push(
          makeCell({
            cellId,
            experiment,
            params: p.params,
            lossId: p.lossId,
            fold,
            seed,
            status,
            errorCode: status === 'failed' ? 'CELL_FAILED' : status === 'diverged' ? 'NON_FINITE_LOSS' : null,
            errorMessage: status === 'failed' ? 'worker crashed <b>bold</b>' : null,
            ua,
            wa,
            macroF1: ua,
            perClassRecall: status === 'ok' ? recall : [],
            classes,
            confusion: status === 'ok' ? confusion : [],
            dataset: 'emodb',
            classMap: '4-class',
          }),
        );
        if (status !== 'failed') {
          for (let e = 1; e <= 6; e++) {
            epochs.push({
              cellId,
              epoch: e,
              lr: 0.001,
              trainLoss: 1.4 / e + 0.1 * p.strength + rng.next() * 0.05,
              valLoss: 1.5 / e,
              valUa: 0.4 + 0.05 * e + 0.02 * p.strength + rng.next() * 0.02,
              valWa: 0.42 + 0.05 * e,
              valMacroF1: 0.4 + 0.04 * e,
              intraClassDistance: 3 / (1 + e * (0.2 + p.strength)),
              interCenterDistance: 5.6 + 0.1 * e,
              distanceRatio: 3 / (1 + e * (0.2 + p.strength)) / (5.6 + 0.1 * e),
              centerDrift: p.strength > 0 ? 0.5 / e : 0,
              paddingFraction: 0.1,
              seconds: 1,
              terms: { softmax: 1.4 / e },
            });
          }
        }
      }
    }
  }
  // a second protocol: same experiment on another class map, one point
  for (const seed of [0, 1]) {
    cells.push(
      makeCell({
        cellId: `other-${seed}`,
        experiment,
        params: { 'loss.id': 'softmax' },
        lossId: 'softmax',
        fold: 'spk-01',
        seed,
        ua: 0.5 + seed * 0.02,
        wa: 0.55,
        classes: ['pos', 'neg'],
        perClassRecall: [0.5, 0.5],
        confusion: [
          [5, 5],
          [5, 5],
        ],
        dataset: 'emodb',
        classMap: 'binary',
      }),
    );
  }
  return { cells, epochs, predictions, embeddings };
}
