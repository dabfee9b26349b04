/** One word for a POSIX shell: as it is when it holds only safe characters, else in single quotes ('it'\''s'). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
