export { buildReport, uaWa } from './build-report.js';
export { separateConfigVariants } from './config-variants.js';
export type { ConfigVariants } from './config-variants.js';
export type {
  BestPoint,
  CellCounts,
  PointSummary,
  ProtocolKey,
  ProtocolSignificance,
  ProtocolTables,
  Report,
  ReportOptions,
  SignificanceRow,
  Summary,
} from './build-report.js';
export { renderTable } from './render-table.js';
export type { RenderTableOptions, TableFormat } from './render-table.js';
export { renderHtml, plotlyBundlePath } from './render-html.js';
export type { HtmlOptions } from './render-html.js';
export { compareResults } from './compare-results.js';
export type { CompareOptions, Comparison, ComparisonRow, ProtocolComparison } from './compare-results.js';
export { wilcoxonSignedRank, WILCOXON_EXACT_MAX_N } from './wilcoxon.js';
export type { WilcoxonResult } from './wilcoxon.js';
export { pairedBootstrap } from './bootstrap.js';
export type { BootstrapResult } from './bootstrap.js';
export { holmAdjust } from './holm.js';
export { pcaProject, umapProject } from './projection.js';
export type { Projection2d } from './projection.js';
export type { CellRow, EmbeddingRow, EpochRow, ParamValue, PredictionRow, ResultRows } from './rows.js';
