#!/usr/bin/env node
// The `ser` program. The workspace runs TypeScript directly through tsx, so no build step is
// needed between editing a package and running it; worker processes start this same file.
import { register } from 'tsx/esm/api';

// libtensorflow's C++ start-up notices (CPU feature hints) are noise on every run.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
register();
await import('../src/main.ts');
