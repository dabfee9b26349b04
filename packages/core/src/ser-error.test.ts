import { describe, expect, it } from 'vitest';
import { isSerError, SerError } from './ser-error.js';

describe('SerError', () => {
  it('carries a typed code, a cause and details', () => {
    const cause = new Error('ENOENT');
    const err = new SerError('DATASET_NOT_FOUND', 'EMO-DB folder not found: /x', { cause, details: { path: '/x' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('DATASET_NOT_FOUND');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ path: '/x' });
    expect(isSerError(err)).toBe(true);
    expect(isSerError(err, 'DATASET_NOT_FOUND')).toBe(true);
    expect(isSerError(err, 'CONFIG_INVALID')).toBe(false);
    expect(isSerError(new Error('x'))).toBe(false);
  });
});
