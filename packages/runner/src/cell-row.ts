import type { CellRow } from '@ser/store';
import type { Cell } from './cell.js';

/**
 * A CellRow for a cell that produced no result: status 'failed' with the error code and message,
 * metrics null, the cell's identity and config fields filled in.
 */
export function failedCellRow(cell: Cell, error: { code: string; message: string }, extra: Partial<CellRow> = {}): CellRow {
  return {
    cellId: cell.cellId,
    experiment: cell.experiment,
    sweepIndex: cell.index,
    params: cell.params,
    fold: cell.fold,
    seed: cell.seed,
    status: 'failed',
    errorCode: error.code,
    errorMessage: error.message,
    ua: null,
    wa: null,
    macroF1: null,
    valUa: null,
    perClassRecall: [],
    classes: [],
    confusion: [],
    epochs: 0,
    bestEpoch: -1,
    seconds: 0,
    lossId: cell.config.loss.id,
    modelId: cell.config.model.id,
    dataset: cell.config.dataset.id,
    classMap: '',
    protocol: cell.config.dataset.protocol.id,
    backend: '',
    versions: '{}',
    configHash: cell.configHash,
    splitHash: cell.splitHash,
    codeVersion: cell.codeVersion,
    gitCommit: '',
    finishedAt: new Date().toISOString(),
    skippedAudio: 0,
    skippedAudioIds: [],
    ...extra,
  };
}
