import { stableHash } from '@ser/core';
import type { Fold } from './protocol.js';

/**
 * The identity of a split: sha256 (hex, 64 chars) of the canonical JSON of
 * { train, validation, test } with each id list sorted. The fold name is left out, so renaming a
 * fold keeps its hash and moving one utterance changes it.
 */
export function splitHash(fold: Fold): string {
  const sorted = (ids: readonly string[]) => [...ids].sort();
  return stableHash({ train: sorted(fold.train), validation: sorted(fold.validation), test: sorted(fold.test) });
}
