// libtensorflow prints its start-up notices on fd 2 while it loads, before TensorFlow reads
// TF_CPP_MIN_LOG_LEVEL (absl's "All log messages before absl::InitializeLog()..." banner and INFO
// lines such as "oneDNN custom operations are on"), so no environment variable silences them.
// bin/ser.mjs runs the commands that load it with their stderr passed through this filter, which
// drops those lines and forwards everything else as it comes (a progress bar's "\r" updates too).

const ABSL_BANNER = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
/** An absl / glog INFO line: I0000 00:00:1796486840.844600    7848 port.cc:153] ... */
const INFO_LINE = /^I\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\s\]]+:\d+\] /;
/** The second line of cpu_feature_guard's notice. */
const CPU_GUARD_TAIL = /^To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.$/;

/** Whether a line is one of TensorFlow's start-up notices (warnings and errors never are). */
export function isStartupNoise(line, previousDropped = false) {
  const text = line.replace(/\r$/, '');
  return text === ABSL_BANNER || INFO_LINE.test(text) || (previousDropped && CPU_GUARD_TAIL.test(text));
}

/** Whether the start of a line, its newline not come yet, could still become a notice (held back until it does). */
function couldBeNoise(partial, previousDropped) {
  if (ABSL_BANNER.startsWith(partial) || INFO_LINE.test(partial)) return true;
  if (/^I\d{0,4}($| [\d:. ]*$| [\d:.]+\s+\d+ [^\s\]]*\]?$)/.test(partial)) return true;
  const tail = 'To enable the following instructions:';
  return previousDropped && (tail.startsWith(partial) || partial.startsWith(tail));
}

/**
 * A streaming filter: push() each chunk of text, write what it returns; end() returns what is held.
 * Whole lines that are notices are dropped; a line is forwarded as soon as it cannot be one, so
 * text without a newline (a progress bar) is not delayed.
 */
export class TfStartupFilter {
  #held = '';
  /** The current line was already (partly) forwarded. */
  #open = false;
  #lastDropped = false;

  push(chunk) {
    let out = '';
    let text = this.#held + chunk;
    this.#held = '';
    for (;;) {
      const nl = text.indexOf('\n');
      if (nl < 0) break;
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.#open) {
        out += `${line}\n`;
        this.#open = false;
        this.#lastDropped = false;
      } else if (isStartupNoise(line, this.#lastDropped)) {
        this.#lastDropped = true;
      } else {
        out += `${line}\n`;
        this.#lastDropped = false;
      }
    }
    if (text) {
      if (this.#open || !couldBeNoise(text, this.#lastDropped)) {
        out += text;
        this.#open = true;
      } else {
        this.#held = text;
      }
    }
    return out;
  }

  end() {
    const rest = this.#held;
    this.#held = '';
    return rest;
  }
}
