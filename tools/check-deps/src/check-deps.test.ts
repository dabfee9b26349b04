import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDependencies, describeProblem, importsOf, isTestCode, packageOf } from './check-deps.js';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the workspace', () => {
  it('every package declares in its package.json what its files import', () => {
    expect(checkDependencies(workspaceRoot).map(describeProblem)).toEqual([]);
  });
});

describe('packageOf / importsOf / isTestCode', () => {
  it('names the package of a specifier; null for relative paths and node builtins', () => {
    expect(['@ser/core/testing', 'vitest/config', 'apache-arrow', '@tensorflow/tfjs'].map(packageOf)).toEqual([
      '@ser/core',
      'vitest',
      'apache-arrow',
      '@tensorflow/tfjs',
    ]);
    expect(['./x.js', '../y/z.js', '/abs', 'node:fs', 'fs', 'path/posix', 'worker_threads'].map(packageOf)).toEqual([null, null, null, null, null, null, null]);
  });

  it('finds static, type-only, re-exported, dynamic, required and resolved imports, and not those in comments', () => {
    const src = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export { c } from 'c/sub';",
      "const d = await import('d');",
      "const e = require('e');",
      "const f = createRequire(import.meta.url).resolve('f/bundle.js');",
      "const g = require.resolve('g');",
      "type H = typeof import('h');",
      "// import x from 'commented';",
      'const msg = `template ${"x"}`;',
    ].join('\n');
    expect(importsOf(src).sort()).toEqual(['a', 'b', 'c/sub', 'd', 'e', 'f/bundle.js', 'g', 'h']);
  });

  it('tells test code (tests, test helpers, testing entry points, vitest configs) from the rest', () => {
    expect(['src/a.test.ts', 'src/a.smoke.test.ts', 'src/test-wav.ts', 'src/testing.ts', 'vitest.config.ts'].map(isTestCode)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['src/index.ts', 'src/contest.ts', 'src/testing-utils.ts', 'bin/ser.mjs'].map(isTestCode)).toEqual([false, false, false, false]);
  });
});

describe('checkDependencies on a small workspace', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-check-deps-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('package.json', JSON.stringify({ workspaces: ['packages/*'], dependencies: { lodash: '1' }, devDependencies: { vitest: '4' } }));
  write('packages/a/package.json', JSON.stringify({ name: '@w/a', dependencies: { yaml: '2' }, devDependencies: { ajv: '8' } }));
  write('packages/b/package.json', JSON.stringify({ name: '@w/b', dependencies: { '@w/a': '*' }, peerDependencies: { tf: '4' } }));
  write('packages/a/src/index.ts', "import fs from 'node:fs';\nimport YAML from 'yaml';\nimport { x } from './x.js';\nexport * from '@w/a/sub';\n");
  write('packages/a/src/index.test.ts', "import { it } from 'vitest';\nimport Ajv from 'ajv';\n");
  write('packages/b/src/index.ts', "import { a } from '@w/a';\nconst tf = await import('tf');\n");
  write('tools/script.ts', "import { a } from '@w/a';\nimport _ from 'lodash';\n");

  it('passes when every import is declared where its file may use it', () => {
    expect(checkDependencies(root)).toEqual([]);
  });

  it('fails on an undeclared import in package code, naming the file, the package.json and the field', () => {
    write('packages/b/src/store.ts', "import { tableFromIPC } from 'apache-arrow';\n");
    expect(checkDependencies(root).map(describeProblem)).toEqual([
      `packages/b/src/store.ts imports 'apache-arrow', but packages/b/package.json does not declare apache-arrow (add it to "dependencies")`,
    ]);
    fs.rmSync(path.join(root, 'packages/b/src/store.ts'));
  });

  it("package code may not lean on the root's or its own devDependencies; test code may", () => {
    write('packages/a/src/run.ts', "import { it } from 'vitest';\nimport Ajv from 'ajv';\nimport _ from 'lodash';\n");
    write('packages/b/src/b.test.ts', "import { it } from 'vitest';\nimport Ajv from 'ajv';\n");
    expect(checkDependencies(root).map((p) => [p.file, p.dependency, p.field])).toEqual([
      ['packages/a/src/run.ts', 'vitest', 'dependencies'],
      ['packages/a/src/run.ts', 'ajv', 'dependencies'],
      ['packages/a/src/run.ts', 'lodash', 'dependencies'],
      ['packages/b/src/b.test.ts', 'ajv', 'devDependencies'],
    ]);
    fs.rmSync(path.join(root, 'packages/a/src/run.ts'));
    fs.rmSync(path.join(root, 'packages/b/src/b.test.ts'));
  });

  it('checks tools/ against the root package.json', () => {
    write('tools/other.mjs', "import chalk from 'chalk';\n");
    expect(checkDependencies(root).map((p) => [p.manifest, p.file, p.dependency])).toEqual([['package.json', 'tools/other.mjs', 'chalk']]);
    fs.rmSync(path.join(root, 'tools/other.mjs'));
  });
});
