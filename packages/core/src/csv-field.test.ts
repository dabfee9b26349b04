import { describe, expect, it } from 'vitest';
import { csvField } from './csv-field.js';

describe('csvField', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(['a b', 0.25, -3, true, 'wav/x.wav'].map(csvField)).toEqual(['a b', '0.25', '-3', 'true', 'wav/x.wav']);
  });
  it('quotes a field with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });
  it('writes null, undefined, NaN and infinities as the empty field', () => {
    expect([null, undefined, Number.NaN, Infinity, -Infinity].map(csvField)).toEqual(['', '', '', '', '']);
  });
});
