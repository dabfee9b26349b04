import { blankCellRow, type CellRow } from '@ser/store';
import type { TrainOutcome } from '@ser/trainer';
import type { Cell } from './cell.js';

/** What the runner knows of a cell besides its plan: the corpus' identity and the engine that ran it. */
export type CellProvenance = Partial<
  Pick<CellRow, 'dataset' | 'classMap' | 'classes' | 'backend' | 'versions' | 'gitCommit' | 'skippedAudio' | 'skippedAudioIds'>
>;

/** A row with the cell's plan filled in (identity, sweep point, config hashes) and no result yet; the builders below and tests start from it. */
export function plannedCellRow(cell: Cell, provenance: CellProvenance = {}): CellRow {
  return {
    ...blankCellRow(cell.cellId),
    experiment: cell.experiment,
    sweepIndex: cell.index,
    params: cell.params,
    fold: cell.fold,
    seed: cell.seed,
    lossId: cell.config.loss.id,
    modelId: cell.config.model.id,
    dataset: cell.config.dataset.id,
    protocol: cell.config.dataset.protocol.id,
    configHash: cell.configHash,
    splitHash: cell.splitHash,
    codeVersion: cell.codeVersion,
    ...provenance,
  };
}

/** A CellRow for a cell that produced no result: status 'failed' with the error code and message, metrics null. */
export function failedCellRow(cell: Cell, error: { code: string; message: string }, provenance: CellProvenance = {}, seconds = 0): CellRow {
  return { ...plannedCellRow(cell, provenance), status: 'failed', errorCode: error.code, errorMessage: error.message, seconds };
}

/** The CellRow of a trained cell: 'ok' with its test scores, or 'diverged' with why (no scores). */
export function trainedCellRow(cell: Cell, outcome: TrainOutcome, provenance: CellProvenance): CellRow {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const d = outcome.diverged;
  return {
    ...plannedCellRow(cell, provenance),
    status: outcome.status,
    errorCode: d?.code ?? null,
    errorMessage: d ? `diverged at epoch ${d.epoch}, step ${d.step}: ${d.message}` : null,
    ua: finite(outcome.test.ua),
    wa: finite(outcome.test.wa),
    macroF1: finite(outcome.test.macroF1),
    valUa: finite(outcome.validation.ua),
    perClassRecall: outcome.test.perClassRecall,
    confusion: outcome.test.confusion,
    epochs: outcome.epochsRun,
    bestEpoch: outcome.bestEpoch,
    seconds: outcome.seconds,
  };
}
