import type { SweepEvent, SweepProgress } from './run-sweep.js';
import { formatDuration, formatParams } from './internal/format.js';
import type { CellEndResult } from './launcher.js';

/**
 * A sweep event printer: on a TTY one line rewritten in place; elsewhere (logs, CI) one plain line
 * per finished, retried or failed cell.
 */
export function createSweepProgressPrinter(stream: NodeJS.WritableStream & { isTTY?: boolean }): (event: SweepEvent) => void {
  const tty = stream.isTTY === true;
  return (event) => {
    const status = progressText(event.progress);
    let line: string | null = null;
    switch (event.type) {
      case 'sweep-start':
        line = `sweep: ${event.progress.total} cells, ${event.progress.skipped} already stored`;
        break;
      case 'cell-corrupt':
        line = `cell ${event.cell.index} (${formatParams(event.cell.params)}, fold ${event.cell.fold}, seed ${event.cell.seed}): its stored file cannot be read (${event.reason.split('\n')[0]}); moved to ${event.movedTo}, running it again`;
        break;
      case 'cell-note':
        line = event.text;
        break;
      case 'cell-retry':
        line = `cell ${event.cell.index} (${formatParams(event.cell.params)}, fold ${event.cell.fold}, seed ${event.cell.seed}): attempt ${event.attempt} ${event.reason}; retrying`;
        break;
      case 'cell-end':
        line = `cell ${event.cell.index} (${formatParams(event.cell.params)}, fold ${event.cell.fold}, seed ${event.cell.seed}): ${event.crashed ? 'failed (worker crashed)' : event.status} in ${formatDuration(event.seconds)}${resultText(event.result)}`;
        break;
      case 'sweep-end': {
        const s = event.summary;
        line = `sweep ${s.ok ? 'finished' : 'finished with failures'}: ${s.done} ok, ${s.diverged} diverged, ${s.failed} failed, ${s.skipped} skipped of ${s.total}`;
        break;
      }
    }
    if (tty) {
      // \r + erase line: the status line is redrawn under any message
      if (line && event.type !== 'cell-start') stream.write(`\r\x1b[2K${line}\n`);
      stream.write(event.type === 'sweep-end' ? '' : `\r\x1b[2K${status}`);
    } else if (line) {
      stream.write(event.type === 'cell-end' || event.type === 'cell-retry' ? `${line} [${status}]\n` : `${line}\n`);
    }
  };
}

/** "12/24 done, 2 running, 1 failed, 0 diverged, about 3m20s left" */
export function progressText(p: SweepProgress): string {
  const eta = p.etaS === null ? 'time left unknown' : `about ${formatDuration(p.etaS)} left`;
  return `${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed, ${p.diverged} diverged, ${eta}`;
}

/** ", UA 84.2%, 2 utterances skipped (bad audio)" or ", LOSS_DIVERGED"; empty without a result. */
function resultText(r: CellEndResult | undefined): string {
  if (!r) return '';
  const parts: string[] = [];
  if (r.ua !== null) parts.push(`UA ${(100 * r.ua).toFixed(1)}%`);
  if (r.errorCode) parts.push(r.errorCode);
  if (r.skippedAudio > 0) parts.push(`${r.skippedAudio} utterance${r.skippedAudio === 1 ? '' : 's'} skipped (bad audio)`);
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}
