/** Every error code the framework raises; results refer to them, so they are stable. */
export type SerErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_YAML_SYNTAX'
  | 'DATASET_NOT_FOUND'
  | 'DATASET_MISSING_FILES'
  | 'DATASET_UNKNOWN_LABEL'
  | 'DATASET_COUNT_MISMATCH'
  | 'SPLIT_LEAKAGE'
  | 'AUDIO_UNREADABLE'
  | 'AUDIO_EMPTY'
  | 'AUDIO_TOO_SHORT'
  | 'AUDIO_TRUNCATED'
  | 'AUDIO_SILENT'
  | 'AUDIO_NON_FINITE'
  | 'FEATURE_CACHE'
  | 'ENGINE_UNAVAILABLE'
  | 'PLUGIN_UNKNOWN'
  | 'PLUGIN_INVALID'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE_LOSS'
  | 'LOSS_DIVERGED'
  | 'CHECKPOINT_INVALID'
  | 'STORE_CORRUPT'
  | 'WORKER_CRASHED'
  | 'CELL_FAILED'
  | 'RESULTS_IN_USE'
  | 'FOLD_MISSING_CLASS'
  | 'LAUNCHER_FAILED'
  | 'REPORT_EMPTY'
  | 'USAGE';

/** The one error class: a typed code, a message naming the file/field and the fix, a cause, details. */
export class SerError extends Error {
  readonly code: SerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SerErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SerError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isSerError(err: unknown, code?: SerErrorCode): err is SerError {
  return err instanceof SerError && (code === undefined || err.code === code);
}
