// Shared vitest settings for every package. Tests run in child processes (the forks pool):
// tfjs-node cannot be loaded by two worker threads of one process.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
