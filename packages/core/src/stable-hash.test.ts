import { describe, expect, it } from 'vitest';
import { bytesHash, canonicalJson, stableHash } from './stable-hash.js';

describe('stableHash', () => {
  it('ignores key order at every level', () => {
    expect(stableHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(stableHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('changes with any value, and keeps array order', () => {
    const base = stableHash({ loss: { lambda: 0.01, alpha: 0.5 } });
    expect(stableHash({ loss: { lambda: 0.1, alpha: 0.5 } })).not.toBe(base);
    expect(stableHash([1, 2])).not.toBe(stableHash([2, 1]));
  });

  it('is sha256 hex, truncated on request', () => {
    expect(stableHash('x')).toMatch(/^[0-9a-f]{64}$/);
    expect(stableHash('x', 16)).toBe(stableHash('x').slice(0, 16));
    expect(bytesHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
