#!/usr/bin/env node
// The `ser` program. The workspace runs TypeScript directly through tsx, so no build step is
// needed between editing a package and running it; worker processes start this same file.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
