// Plugin discovery: the CLI's datasets, models and losses are the packages of the workspace (and
// the root's installed dependencies) whose package.json declares them in a `ser` field, e.g.
//   "ser": { "plugin": "loss", "export": "ringLoss" }
// so adding a loss package needs no edit in the CLI. See docs/adding-a-loss.md.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SerError } from '@ser/core';
import type { PluginRegistry } from '@ser/runner';

/** The kinds a package may contribute, as written in `ser.plugin`, and their registry lists. */
const KINDS = { dataset: 'datasets', model: 'models', loss: 'losses' } as const;
export type PluginKind = keyof typeof KINDS;

/** The `ser` field of a plugin package's package.json. */
export interface SerPackageField {
  /** What the package contributes: 'dataset', 'model' or 'loss'. */
  plugin: PluginKind;
  /** The named export(s) of the package's entry that hold the definitions (defineDataset / defineModel / defineLoss). */
  export: string | string[];
}

/** A package that declares a `ser` field, found on disk, not loaded yet. */
export interface PluginPackage {
  /** package.json `name`. */
  name: string;
  /** Absolute folder of the package. */
  dir: string;
  /** The package folder relative to the root, for messages. */
  where: string;
  kind: PluginKind;
  exports: string[];
  /** Absolute path of the entry module (exports['.'], else main). */
  entry: string;
}

const FIELD_EXAMPLE = `"ser": { "plugin": "loss", "export": "ringLoss" } (plugin: dataset | model | loss; export: the name, or a list of names, of the definitions the package's entry exports)`;
const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function invalid(message: string, details: Record<string, unknown>, cause?: unknown): SerError {
  return new SerError('PLUGIN_INVALID', message, { details, ...(cause === undefined ? {} : { cause }) });
}

function readJson(file: string): Record<string, any> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err: any) {
    if (err?.code === 'ENOENT' || err?.code === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${file} is not valid JSON (${(err as Error).message}); fix the file`, { file }, err);
  }
}

/** The folders a workspaces pattern names ('packages/*', 'tools/generators'); '*' matches one folder name. */
function expandWorkspace(root: string, pattern: string): string[] {
  let dirs = [root];
  for (const segment of pattern.split('/').filter((s) => s !== '' && s !== '.')) {
    if (segment === '**')
      throw invalid(`package.json workspaces pattern '${pattern}': '**' is not supported by plugin discovery; list the folders with '*' patterns`, { pattern });
    if (!segment.includes('*')) {
      dirs = dirs.map((d) => path.join(d, segment));
      continue;
    }
    const re = new RegExp(
      `^${segment
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    dirs = dirs.flatMap((d) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return [];
      }
      return entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.') && re.test(e.name)).map((e) => path.join(d, e.name));
    });
  }
  return dirs;
}

/** The entry module of a package: exports['.'] (a path, or its import / default condition), else main, else index.js. */
function entryOf(pkg: Record<string, any>, dir: string, name: string, where: string): string {
  let target: unknown = pkg.exports;
  if (target && typeof target === 'object' && !Array.isArray(target) && Object.keys(target).some((k) => k.startsWith('.')))
    target = (target as Record<string, unknown>)['.'];
  if (target && typeof target === 'object' && !Array.isArray(target))
    target = (target as Record<string, unknown>).import ?? (target as Record<string, unknown>).default;
  if (target === undefined) target = pkg.main ?? 'index.js';
  if (typeof target !== 'string') {
    throw invalid(
      `${name} (${where}/package.json) declares a "ser" plugin but its entry cannot be read from "exports" (want a path for ".", or an "import" / "default" condition); fix its "exports"`,
      { package: name },
    );
  }
  return path.resolve(dir, target);
}

/** Checks a package's `ser` field; returns the export names. */
function checkField(field: unknown, name: string, where: string): { kind: PluginKind; exports: string[] } {
  const at = `${name} (${where}/package.json)`;
  const fix = `; write ${FIELD_EXAMPLE}`;
  if (field === null || typeof field !== 'object' || Array.isArray(field)) {
    throw invalid(`${at}: "ser" must be an object, got ${JSON.stringify(field)}${fix}`, { package: name });
  }
  const f = field as Record<string, unknown>;
  const unknownKeys = Object.keys(f).filter((k) => k !== 'plugin' && k !== 'export');
  if (unknownKeys.length > 0)
    throw invalid(`${at}: "ser" has unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `'${k}'`).join(', ')}${fix}`, {
      package: name,
      keys: unknownKeys,
    });
  if (typeof f.plugin !== 'string' || !Object.hasOwn(KINDS, f.plugin)) {
    throw invalid(`${at}: "ser.plugin" must be one of ${Object.keys(KINDS).join(', ')}, got ${JSON.stringify(f.plugin)}${fix}`, {
      package: name,
      plugin: f.plugin,
    });
  }
  const names = typeof f.export === 'string' ? [f.export] : f.export;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string' || !IDENTIFIER.test(n)) || new Set(names).size !== names.length) {
    throw invalid(`${at}: "ser.export" must be an export name or a non-empty list of distinct export names, got ${JSON.stringify(f.export)}${fix}`, {
      package: name,
      export: f.export,
    });
  }
  return { kind: f.plugin as PluginKind, exports: names as string[] };
}

/**
 * The plugin packages of a project, sorted by package name: its workspace packages (the root
 * package.json's `workspaces` patterns) and its installed dependencies (root dependencies,
 * optionalDependencies and devDependencies, in root/node_modules) whose package.json has a `ser`
 * field. Reads package.json files only; throws PLUGIN_INVALID for a malformed field.
 */
export function findPluginPackages(root: string): PluginPackage[] {
  const rootPkg = readJson(path.join(root, 'package.json'));
  if (!rootPkg) throw invalid(`plugin discovery: no package.json in ${root}`, { root });
  const patterns: unknown = Array.isArray(rootPkg.workspaces) ? rootPkg.workspaces : (rootPkg.workspaces?.packages ?? []);
  const dirs = (patterns as unknown[]).filter((p): p is string => typeof p === 'string').flatMap((p) => expandWorkspace(root, p));
  for (const group of ['dependencies', 'optionalDependencies', 'devDependencies']) {
    for (const dep of Object.keys(rootPkg[group] ?? {})) dirs.push(path.join(root, 'node_modules', dep));
  }
  const found = new Map<string, PluginPackage>();
  for (const dir of dirs) {
    const pkg = readJson(path.join(dir, 'package.json'));
    if (!pkg || pkg.ser === undefined) continue;
    const where = path.relative(root, dir) || '.';
    const name = typeof pkg.name === 'string' ? pkg.name : where;
    const { kind, exports } = checkField(pkg.ser, name, where);
    // a workspace package is also linked in node_modules when a root dependency names it: keep one
    if (found.has(name)) continue;
    found.set(name, { name, dir, where, kind, exports, entry: entryOf(pkg, dir, name, where) });
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A dataset loads its corpus; a model and a loss create an instance. */
const FACTORY = { dataset: 'load(config, context)', model: 'create(config, context)', loss: 'create(config, context)' } as const;

/** What is missing for `value` to be a plugin definition of this kind ({ id, description, schema, create | load }). */
function definitionProblems(value: unknown, kind: PluginKind): string[] {
  if (value === null || typeof value !== 'object') return [`an object (got ${value === null ? 'null' : typeof value})`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v.id !== 'string' || !ID.test(v.id)) problems.push(`a kebab-case string id (got ${JSON.stringify(v.id)})`);
  if (typeof v.description !== 'string') problems.push('a description string');
  if (v.schema === null || typeof v.schema !== 'object' || Array.isArray(v.schema)) problems.push('a JSON Schema object `schema`');
  const factory = FACTORY[kind];
  if (typeof v[factory.slice(0, factory.indexOf('('))] !== 'function') problems.push(`a ${factory} function`);
  return problems;
}

const DEFINE = { dataset: 'defineDataset from @ser/dataset-core', model: 'defineModel from @ser/model-core', loss: 'defineLoss from @ser/loss-core' } as const;

/**
 * Loads the plugin packages and returns the registry, each list sorted by plugin id. Throws
 * PLUGIN_INVALID naming the package and the fix when an entry cannot be loaded, an export named in
 * `ser.export` is missing or is not a plugin definition, or two packages define the same id.
 */
export async function loadPlugins(packages: readonly PluginPackage[]): Promise<PluginRegistry> {
  const modules = await Promise.all(
    packages.map(async (p) => {
      try {
        return (await import(pathToFileURL(p.entry).href)) as Record<string, unknown>;
      } catch (err) {
        throw invalid(
          `${p.name} (${p.where}/package.json): loading its entry ${path.relative(p.dir, p.entry)} failed: ${(err as Error)?.message ?? err}; fix the package, or remove its "ser" field to leave it out`,
          { package: p.name, entry: p.entry },
          err,
        );
      }
    }),
  );
  const lists: Record<PluginKind, Array<{ id: string; definition: any; from: string }>> = { dataset: [], model: [], loss: [] };
  packages.forEach((p, i) => {
    const mod = modules[i];
    for (const name of p.exports) {
      if (!(name in mod)) {
        const available = Object.keys(mod).sort();
        throw invalid(
          `${p.name} (${p.where}/package.json): "ser.export" names '${name}', but ${path.relative(p.dir, p.entry)} does not export it (it exports: ${available.join(', ') || 'nothing'}); export the ${p.kind} from the entry, or fix "ser.export"`,
          { package: p.name, export: name, available },
        );
      }
      const problems = definitionProblems(mod[name], p.kind);
      if (problems.length > 0) {
        throw invalid(`${p.name}: export '${name}' is not a ${p.kind} plugin definition: it needs ${problems.join(', ')}; make it with ${DEFINE[p.kind]}`, {
          package: p.name,
          export: name,
        });
      }
      const definition = mod[name] as { id: string };
      const twin = lists[p.kind].find((d) => d.id === definition.id);
      if (twin) {
        throw invalid(
          `${p.kind} id '${definition.id}' is defined twice, by ${twin.from} and by ${p.name} (${name}); plugin ids must be unique: rename the new one (results refer to ids forever)`,
          {
            kind: p.kind,
            id: definition.id,
          },
        );
      }
      lists[p.kind].push({ id: definition.id, definition, from: `${p.name} (${name})` });
    }
  });
  const sorted = (kind: PluginKind) => lists[kind].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((d) => d.definition);
  return { datasets: sorted('dataset'), models: sorted('model'), losses: sorted('loss') };
}

/** findPluginPackages + loadPlugins: every dataset, model and loss the project's packages declare. */
export async function discoverPlugins(root: string): Promise<PluginRegistry> {
  return loadPlugins(findPluginPackages(root));
}
