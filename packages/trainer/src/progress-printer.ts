import type { TrainProgress } from './types.js';

export interface ProgressPrinterOptions {
  /** Without a TTY: a log line every this many training steps (and always at an epoch's end). Default 50. */
  everySteps?: number;
  /** Bar width in characters on a TTY. Default 24. */
  barWidth?: number;
}

/** The bits of a stream the printer uses (process.stderr fits). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4));
const termsText = (t: Record<string, number>) =>
  Object.entries(t)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' ');

/**
 * A `progress` callback that draws to a stream. On a TTY: one line redrawn with "\r" (epoch, a bar,
 * step/steps, loss terms, utterances/s), then the epoch's summary on its own line. Otherwise: plain
 * lines, one every `everySteps` training steps and one per epoch (never "\r").
 */
export function createProgressPrinter(stream: ProgressStream, options: ProgressPrinterOptions = {}): (p: TrainProgress) => void {
  const every = Math.max(1, options.everySteps ?? 50);
  const width = Math.max(4, options.barWidth ?? 24);
  const tty = stream.isTTY === true;
  let drawn = 0;

  const clearLine = () => {
    if (drawn > 0) stream.write(`\r${' '.repeat(drawn)}\r`);
    drawn = 0;
  };

  return (p) => {
    const ep = `epoch ${p.epoch}/${p.epochs}`;
    if (p.phase === 'epoch') {
      const r = p.record;
      const line = r
        ? `${ep} lr ${r.lr.toPrecision(3)} train ${termsText(r.trainTerms) || fmt(r.trainLoss)} | val loss ${fmt(r.valLoss)} UA ${r.valUa.toFixed(4)} WA ${r.valWa.toFixed(4)} F1 ${r.valMacroF1.toFixed(4)} | intra/inter ${r.distanceRatio.toFixed(3)} | ${r.seconds.toFixed(1)} s`
        : `${ep} done`;
      if (tty) clearLine();
      stream.write(`${line}\n`);
      return;
    }
    const label = p.phase === 'train' ? ep : `${ep} ${p.phase}`;
    const rate = `${p.utterancesPerSecond.toFixed(1)} utt/s`;
    if (tty) {
      const filled = Math.round((width * p.step) / Math.max(1, p.steps));
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      let line = `${label} ${bar} ${p.step}/${p.steps} ${termsText(p.terms)} ${rate}`;
      const cols = stream.columns ?? 0;
      if (cols > 1 && line.length > cols - 1) line = line.slice(0, cols - 1);
      const pad = Math.max(0, drawn - line.length);
      stream.write(`\r${line}${' '.repeat(pad)}`);
      drawn = line.length;
      return;
    }
    if (p.phase === 'train' && (p.step % every === 0 || p.step === p.steps)) {
      stream.write(`${label} step ${p.step}/${p.steps} ${termsText(p.terms)} ${rate}\n`);
    }
  };
}
