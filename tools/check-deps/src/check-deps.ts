// Every workspace package declares in its own package.json what its files import, so a package's
// dependencies cannot drift from its code again (npm test runs this through check-deps.test.ts).
// Rules: a package's code may import node builtins, relative paths, itself, and what its
// package.json declares (dependencies, peerDependencies, optionalDependencies); its test code
// (*.test.*, test-*.*, testing.*, vitest.config.*) may also use its devDependencies and the root's
// devDependencies (the workspace's test tools: vitest, playwright-core). Files outside the
// packages (tools/, the root's config files) may use whatever the root package.json declares, and
// the workspace packages. Run it directly for a listing: `npx tsx tools/check-deps/src/check-deps.ts`.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One import of something the importing package does not declare. */
export interface UndeclaredImport {
  /** The package.json that should declare it, relative to the workspace root. */
  manifest: string;
  /** The importing file, relative to the workspace root. */
  file: string;
  specifier: string;
  /** The package the specifier names ('@scope/name' or 'name'). */
  dependency: string;
  /** Where to declare it. */
  field: 'dependencies' | 'devDependencies';
}

interface Manifest {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', '.nx']);
const BUILTINS = new Set(builtinModules);

/** The package a specifier names, or null for relative and absolute paths and node builtins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? null : name;
}

/**
 * Module specifiers a source file imports, once each: static and dynamic import, export ... from,
 * import type, require(), and require.resolve(), createRequire(...).resolve(), import.meta.resolve()
 * (a package's files used by path).
 */
export function importsOf(source: string): string[] {
  const found = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
  const resolver = (e: ts.Expression) =>
    (ts.isIdentifier(e) && e.text === 'require') ||
    (ts.isMetaProperty(e) && e.keywordToken === ts.SyntaxKind.ImportKeyword) ||
    (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'createRequire');
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'resolve' &&
      resolver(node.expression.expression) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return [...new Set(found)];
}

/** Test code: tests, test helpers, a package's testing entry point, its vitest config. */
export function isTestCode(file: string): boolean {
  const base = path.basename(file);
  return /\.test\.[cm]?[jt]s$/.test(base) || base.startsWith('test-') || /^testing\.[cm]?[jt]s$/.test(base) || /^vitest\.config\./.test(base);
}

function readManifest(file: string): Manifest {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}

function sourceFiles(dir: string, skip: (abs: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.') && !skip(abs)) out.push(...sourceFiles(abs, skip));
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.d.mts')) {
      out.push(abs);
    }
  }
  return out;
}

/** The workspace packages' folders, from the root package.json's workspaces ('dir/*' or 'dir'). */
export function workspaceDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const pattern of readManifest(path.join(root, 'package.json')).workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      if (!fs.existsSync(parent)) continue;
      for (const d of fs.readdirSync(parent).sort()) if (fs.existsSync(path.join(parent, d, 'package.json'))) dirs.push(path.join(parent, d));
    } else if (fs.existsSync(path.join(root, pattern, 'package.json'))) {
      dirs.push(path.join(root, pattern));
    }
  }
  return dirs;
}

const keys = (...records: (Record<string, string> | undefined)[]) => new Set(records.flatMap((r) => Object.keys(r ?? {})));

/** Every import in the workspace of a package that the importing package.json does not declare. */
export function checkDependencies(root: string): UndeclaredImport[] {
  const rootManifest = readManifest(path.join(root, 'package.json'));
  const rootDev = keys(rootManifest.devDependencies);
  const packages = workspaceDirs(root);
  const workspaceNames = new Set(packages.map((d) => readManifest(path.join(d, 'package.json')).name).filter((n): n is string => n !== undefined));
  const problems: UndeclaredImport[] = [];
  const check = (file: string, manifest: string, allowed: (dependency: string) => 'dependencies' | 'devDependencies' | null) => {
    for (const specifier of importsOf(fs.readFileSync(file, 'utf8'))) {
      const dependency = packageOf(specifier);
      if (dependency === null) continue;
      const field = allowed(dependency);
      if (field !== null) problems.push({ manifest: path.relative(root, manifest), file: path.relative(root, file), specifier, dependency, field });
    }
  };

  for (const dir of packages) {
    const manifestFile = path.join(dir, 'package.json');
    const m = readManifest(manifestFile);
    const runtime = keys(m.dependencies, m.peerDependencies, m.optionalDependencies);
    if (m.name) runtime.add(m.name);
    const dev = keys(m.devDependencies);
    // a nested workspace package (none today) is checked on its own
    const nested = (abs: string) => abs !== dir && packages.includes(abs);
    for (const file of sourceFiles(dir, nested)) {
      const test = isTestCode(file);
      check(file, manifestFile, (d) => (runtime.has(d) || (test && (dev.has(d) || rootDev.has(d))) ? null : test ? 'devDependencies' : 'dependencies'));
    }
  }

  // tools/ and the root's own config files: the root package.json and the workspace packages
  const rootAllowed = keys(rootManifest.dependencies, rootManifest.devDependencies, rootManifest.peerDependencies, rootManifest.optionalDependencies);
  const rootFiles = [
    ...fs
      .readdirSync(root)
      .filter((f) => SOURCE.test(f) && fs.statSync(path.join(root, f)).isFile())
      .map((f) => path.join(root, f)),
    ...(fs.existsSync(path.join(root, 'tools')) ? sourceFiles(path.join(root, 'tools'), (abs) => packages.includes(abs)) : []),
  ];
  for (const file of rootFiles) {
    check(file, path.join(root, 'package.json'), (d) => (rootAllowed.has(d) || workspaceNames.has(d) ? null : 'devDependencies'));
  }
  return problems;
}

/** One line per problem: file, specifier, and where to declare it. */
export function describeProblem(p: UndeclaredImport): string {
  return `${p.file} imports '${p.specifier}', but ${p.manifest} does not declare ${p.dependency} (add it to "${p.field}")`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const problems = checkDependencies(root);
  for (const p of problems) console.error(describeProblem(p));
  console.log(problems.length === 0 ? 'check-deps: every package declares what it imports' : `check-deps: ${problems.length} undeclared import(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
