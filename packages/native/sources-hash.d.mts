/** sha256 (16 hex digits) of the .cc and .h files in the folders `dirs` of csrc ('' is csrc itself), with their names. */
export function sourcesHash(csrc: string, dirs: string[]): string;
