// Sample rows for tests (excluded from the build).
import type { CellResult } from './result-store.js';
import { blankCellRow, type CellRow } from './rows.js';

export function sampleCell(cellId: string, over: Partial<CellRow> = {}): CellRow {
  return {
    ...blankCellRow(cellId),
    experiment: 'demo',
    sweepIndex: 0,
    params: { 'loss.lambda': 0.01, 'loss.id': 'center', 'model.bidirectional': true, 'loss.margin': null },
    fold: 'speaker-03',
    seed: 1,
    status: 'ok',
    errorCode: null,
    errorMessage: null,
    ua: 0.625,
    wa: 0.6,
    macroF1: 0.55,
    valUa: 0.5,
    perClassRecall: [0.5, 0.75, 0.25, 1],
    classes: ['neutral', 'happy', 'angry', 'sad'],
    confusion: [
      [1, 1, 0, 0],
      [0, 3, 1, 0],
      [1, 2, 1, 0],
      [0, 0, 0, 2],
    ],
    epochs: 2,
    bestEpoch: 1,
    seconds: 12.5,
    lossId: 'center',
    modelId: 'cnn-birnn',
    dataset: 'synthetic',
    classMap: '4-class',
    protocol: 'leave-one-speaker-out',
    backend: 'tensorflow',
    versions: JSON.stringify({ tfjs: '4.22.0' }),
    configHash: 'c'.repeat(64),
    splitHash: 's'.repeat(16),
    codeVersion: '0.1.0',
    gitCommit: 'abc123',
    finishedAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

export function sampleResult(cellId: string, over: Partial<CellRow> = {}, terms: string[] = ['softmax', 'center']): CellResult {
  const cell = sampleCell(cellId, over);
  return {
    cell,
    epochs: [0, 1].map((epoch) => ({
      cellId,
      epoch,
      lr: 0.001,
      trainLoss: 1.5 - epoch * 0.25,
      valLoss: 1.25,
      valUa: 0.5,
      valWa: 0.5,
      valMacroF1: 0.5,
      intraClassDistance: 2,
      interCenterDistance: 4,
      distanceRatio: 0.5,
      centerDrift: 0.125,
      paddingFraction: 0.25,
      seconds: 6.25,
      terms: Object.fromEntries(terms.map((t, i) => [t, i + epoch + 0.5])),
    })),
    predictions: ['u1', 'u2'].map((utteranceId, i) => ({
      cellId,
      utteranceId,
      split: i === 0 ? ('validation' as const) : ('test' as const),
      label: 'happy',
      prediction: 'sad',
      probabilities: [0.25, 0.25, 0, 0.5],
    })),
    embeddings: [
      { cellId, utteranceId: 'u1', split: 'validation' as const, label: 'happy', embedding: [1, -2, 0.5] },
      { cellId, utteranceId: 'center:happy', split: 'center' as const, label: 'happy', embedding: [0.25, 0, 1] },
    ],
    resolvedConfig: { name: 'demo', seed: cell.seed, loss: { id: 'center', lambda: 0.01 } },
  };
}
