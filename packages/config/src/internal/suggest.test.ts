import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('suggest', () => {
  it('edit distance', () => {
    expect(editDistance('lamda', 'lambda')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest key within a third of its length, case-insensitively', () => {
    expect(suggest('lamda', ['alpha', 'lambda'])).toBe('lambda');
    expect(suggest('nmels', ['nMels', 'nMfcc'])).toBe('nMels');
    expect(suggest('learningRat', ['learningRate', 'beta1'])).toBe('learningRate');
    expect(suggest('xyz', ['lambda', 'alpha'])).toBeUndefined();
    expect(suggest('ab', ['cd'])).toBeUndefined();
  });
});
