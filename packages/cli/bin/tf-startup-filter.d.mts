/** Whether a line is one of TensorFlow's start-up notices (warnings and errors never are). */
export function isStartupNoise(line: string, previousDropped?: boolean): boolean;
/** A streaming filter of TensorFlow's start-up notices: push() chunks, write what it returns; end() returns what it holds. */
export class TfStartupFilter {
  push(chunk: string): string;
  end(): string;
}
