// Feature extraction's progress on the terminal or in a log: extractCorpus reports each file
// (@ser/features' ExtractProgress); this draws it. A bar redrawn in place on a TTY; elsewhere (logs,
// Slurm, a worker's stderr) a plain line now and then, never "\r".
import type { ExtractProgress } from '@ser/features';

/** The bits of a stream the printer uses (process.stderr fits). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ExtractProgressOptions {
  /** Put before every line, e.g. '[cell 3]'. */
  label?: string;
  /** Without a TTY: a line at least this often while files are being done (default 10 s)... */
  everySeconds?: number;
  /** ...and at each further tenth of the files, but not sooner than this after the last line (default 2 s). */
  minSeconds?: number;
  /** On a TTY: redraws at most this often (default 0.1 s); the bar appears once extraction has run this long (default 0.5 s). */
  redrawSeconds?: number;
  showAfterSeconds?: number;
  barWidth?: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/** Where a pass of extraction stands: what the lines show. */
export interface ExtractStatus {
  done: number;
  total: number;
  /** Files found in the cache (no work). */
  cached: number;
  /** Seconds of audio done, and of it the part computed (not from the cache). */
  audioSeconds: number;
  computedAudioSeconds: number;
  elapsedSeconds: number;
  /** Computed audio seconds per wall second; null until a file was computed. */
  audioRate: number | null;
  /** The time left at the pace of the computed files so far; null when unknown. */
  etaSeconds: number | null;
}

/** "45 s", "3m20s", "1h05m". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.round(s / 60);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Folds ExtractProgress events into a status. The pace is the computed files' (a file from the
 * cache costs nothing): eta = files left / (computed files / elapsed); the files left are taken to
 * need computing, so a mostly cached remainder finishes sooner than said.
 */
export class ExtractTracker {
  private startMs = 0;
  private computed = 0;
  /** The first event's file: done before the clock started, so left out of the pace. */
  private first = { computed: 0, audioSeconds: 0 };
  private s: ExtractStatus = ExtractTracker.empty(0);

  constructor(private readonly now: () => number = Date.now) {}

  private static empty(total: number): ExtractStatus {
    return { done: 0, total, cached: 0, audioSeconds: 0, computedAudioSeconds: 0, elapsedSeconds: 0, audioRate: null, etaSeconds: null };
  }

  /** The status after event p; an event whose done is not above the last one's starts a new pass, its clock at that event. */
  update(p: ExtractProgress): ExtractStatus {
    const t = this.now();
    if (p.done <= this.s.done || this.s.done === 0) {
      this.startMs = t;
      this.computed = 0;
      this.first = { computed: p.cached ? 0 : 1, audioSeconds: p.cached ? 0 : p.audioSeconds };
      this.s = ExtractTracker.empty(p.total);
    }
    const s = this.s;
    s.done = p.done;
    s.total = p.total;
    s.audioSeconds += p.audioSeconds;
    if (p.cached) s.cached++;
    else {
      this.computed++;
      s.computedAudioSeconds += p.audioSeconds;
    }
    s.elapsedSeconds = (t - this.startMs) / 1000;
    const pacedFiles = this.computed - this.first.computed;
    const pacedAudio = s.computedAudioSeconds - this.first.audioSeconds;
    s.audioRate = s.elapsedSeconds > 0 && pacedFiles > 0 ? pacedAudio / s.elapsedSeconds : null;
    s.etaSeconds = s.done >= s.total ? 0 : s.elapsedSeconds > 0 && pacedFiles > 0 ? ((s.total - s.done) * s.elapsedSeconds) / pacedFiles : null;
    return { ...s };
  }
}

function rateText(s: ExtractStatus): string {
  return s.audioRate === null ? '' : `, ${s.audioRate >= 100 ? Math.round(s.audioRate) : s.audioRate.toFixed(1)} audio-s/s`;
}

function etaText(s: ExtractStatus): string {
  return s.etaSeconds === null ? ', time left unknown' : `, about ${formatSeconds(s.etaSeconds)} left`;
}

/** "339 files (8.1 min of audio, 120 from the cache) in 4.2 s, 115 audio-s/s" */
export function summaryText(s: ExtractStatus): string {
  const audio = s.audioSeconds >= 120 ? `${(s.audioSeconds / 60).toFixed(1)} min` : `${s.audioSeconds.toFixed(1)} s`;
  const cached = s.cached === 0 ? '' : s.cached === s.done ? ', all from the cache' : `, ${s.cached} from the cache`;
  return `${s.done} files (${audio} of audio${cached}) in ${formatSeconds(s.elapsedSeconds)}${rateText(s)}`;
}

/** "120/339 files (35%), 95 audio-s/s, about 12 s left" */
export function statusText(s: ExtractStatus): string {
  const pct = s.total > 0 ? Math.floor((100 * s.done) / s.total) : 100;
  return `${s.done}/${s.total} files (${pct}%)${rateText(s)}${etaText(s)}`;
}

/**
 * An onProgress for extractCorpus (or a fold's feature preparation) that draws to a stream: on a TTY
 * a bar redrawn in place, then a summary line; elsewhere a plain line every `everySeconds` or each
 * tenth of the files (at most one per `minSeconds`), then the summary. A pass that is quick and all
 * from the cache prints nothing (every cell of a sweep finds its features cached).
 */
export function createExtractProgressPrinter(stream: ProgressStream, options: ExtractProgressOptions = {}): (p: ExtractProgress) => void {
  const now = options.now ?? Date.now;
  const tracker = new ExtractTracker(now);
  const tty = stream.isTTY === true;
  const label = `${options.label ? `${options.label} ` : ''}features`;
  const every = (options.everySeconds ?? 10) * 1000;
  const min = (options.minSeconds ?? 2) * 1000;
  const redraw = (options.redrawSeconds ?? 0.1) * 1000;
  const showAfter = (options.showAfterSeconds ?? 0.5) * 1000;
  const width = Math.max(4, options.barWidth ?? 24);
  let lastLine = 0;
  let lastTenth = 0;
  let drawn = 0;
  let prevDone = 0;

  const fit = (line: string) => {
    const cols = stream.columns ?? 0;
    return cols > 1 && line.length > cols - 1 ? line.slice(0, cols - 1) : line;
  };

  return (p) => {
    const s = tracker.update(p);
    const t = now();
    if (p.done <= prevDone || prevDone === 0) {
      // a new pass (the tracker restarted its clock too)
      lastLine = t;
      lastTenth = 0;
      drawn = 0;
    }
    prevDone = p.done;
    const elapsedMs = s.elapsedSeconds * 1000;
    if (s.done >= s.total) {
      const quiet = s.cached === s.done && elapsedMs < 1000;
      if (tty && drawn > 0) stream.write(`\r${' '.repeat(drawn)}\r`);
      drawn = 0;
      if (!quiet) stream.write(`${label}: ${summaryText(s)}\n`);
      return;
    }
    if (tty) {
      if (elapsedMs < showAfter || (drawn > 0 && t - lastLine < redraw)) return;
      const filled = Math.round((width * s.done) / Math.max(1, s.total));
      const line = fit(`${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${statusText(s)}`);
      stream.write(`\r${line}${' '.repeat(Math.max(0, drawn - line.length))}`);
      drawn = line.length;
      lastLine = t;
      return;
    }
    const tenth = Math.floor((10 * s.done) / Math.max(1, s.total));
    if (t - lastLine >= every || (tenth > lastTenth && t - lastLine >= min)) {
      stream.write(`${label}: ${statusText(s)}\n`);
      lastLine = t;
      lastTenth = tenth;
    }
  };
}
