// Test helpers (excluded from the build): tiny WAV fixtures in temp folders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '@ser/core';
import { writeWav } from '@ser/core/testing';
import type { DatasetContext } from '@ser/dataset-core';

/** Writes a 16-bit mono WAV of a quiet 220 Hz tone (amplitude 3000 / 32767, durationS long) to file, making folders. */
export function writeTinyWav(file: string, durationS = 0.05, sampleRateHz = 16000): void {
  const n = Math.round(durationS * sampleRateHz);
  writeWav(
    file,
    Float64Array.from({ length: n }, (_, i) => (3000 / 32767) * Math.sin((2 * Math.PI * 220 * i) / sampleRateHz)),
    sampleRateHz,
  );
}

export function makeTmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ser-${prefix}-`));
}

/** A context whose logger records messages, so tests can check what was said. */
export function testContext(cacheDir: string, configFile?: string): DatasetContext & { messages: string[] } {
  const messages: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    info: (m) => messages.push(`info: ${m}`),
    warn: (m) => messages.push(`warn: ${m}`),
  };
  return { logger, cacheDir, messages, ...(configFile ? { configFile } : {}) };
}

/** Runs fn and returns what it threw (a failing expectation when it does not throw). */
export async function caught(fn: () => Promise<unknown> | unknown): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error, but the call succeeded');
}
