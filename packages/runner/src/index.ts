export { planCells } from './cell.js';
export type { Cell, CellConfig, FoldRef, FoldsSpec } from './cell.js';
export { failedCellRow } from './cell-row.js';
export type { CellOutcome, LaunchEvent, LaunchRequest, LaunchSummary, Launcher } from './launcher.js';
export { LocalPoolLauncher, defaultWorkers } from './local-pool-launcher.js';
export type { LocalPoolOptions } from './local-pool-launcher.js';
export { runSweep } from './run-sweep.js';
export type { RunSweepOptions, SweepEvent, SweepProgress, SweepSummary } from './run-sweep.js';
export { createSweepProgressPrinter, progressText } from './progress-printer.js';
