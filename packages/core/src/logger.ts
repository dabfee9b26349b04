/** Library code logs through this, never console directly; the CLI decides where it goes. */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger writing to stderr (info and up, or debug too when verbose). */
export function consoleLogger(options: { verbose?: boolean; prefix?: string } = {}): Logger {
  const p = options.prefix ? `${options.prefix} ` : '';
  return {
    debug: (m) => {
      if (options.verbose) process.stderr.write(`${p}${m}\n`);
    },
    info: (m) => process.stderr.write(`${p}${m}\n`),
    warn: (m) => process.stderr.write(`${p}warning: ${m}\n`),
    error: (m) => process.stderr.write(`${p}error: ${m}\n`),
  };
}
