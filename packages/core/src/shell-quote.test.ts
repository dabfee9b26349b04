import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('leaves safe words alone and quotes the rest so that the shell gives them back unchanged', () => {
    expect(shellQuote('loss.lambda=0.01')).toBe('loss.lambda=0.01');
    const words = ["name=it's", 'sweep.seeds=[0, 1]', 'sweep.grid={loss.lambda: [0.1]}', '$HOME', 'a"b', '*', ''];
    const echoed = spawnSync('sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' }).stdout;
    expect(echoed).toBe(words.map((w) => `${w}\n`).join(''));
  });
});
