// One JSON Schema (draft-07) for a whole experiment: the core keys plus every registered plugin's
// schema, each plugin group a oneOf discriminated on `id`.
import { SerError } from '@ser/core';
import type { JsonSchema } from '@ser/core';
import { coreTopProperties, datasetCoreProperties, DEFAULTS_GROUPS } from './core-schema.js';
import type { PluginSchemaEntry, PluginSchemas } from './types.js';

/** Options of buildSchema. */
export interface BuildSchemaOptions {
  /**
   * 'editor' (default): for yaml-language-server; accepts `defaults` and `extends`, requires no
   * top-level key (pieces may supply them) and selects a plugin's keys with if/then on `id`, so a
   * block that only tweaks a defaults piece (no `id`) is not flagged.
   * 'resolved': what loadExperiment validates a composed config with (ajv discriminator on `id`).
   */
  target?: 'editor' | 'resolved';
}

const PLUGIN_GROUPS = [
  { key: 'dataset', list: 'datasets', noun: 'dataset' },
  { key: 'model', list: 'models', noun: 'model' },
  { key: 'loss', list: 'losses', noun: 'loss' },
] as const;

/** The JSON Schema (draft-07) of an experiment file given the registered plugins' schemas. */
export function buildSchema(plugins: PluginSchemas, options: BuildSchemaOptions = {}): JsonSchema {
  const target = options.target ?? 'editor';
  const properties: Record<string, JsonSchema> =
    target === 'editor' ? (relaxForEditor(structuredClone(coreTopProperties)) as Record<string, JsonSchema>) : { ...coreTopProperties };
  for (const group of PLUGIN_GROUPS) {
    const entries = plugins[group.list];
    const seen = new Set<string>();
    for (const [i, entry] of entries.entries()) {
      if (!entry || typeof entry.id !== 'string' || !entry.schema) {
        throw new SerError(
          'USAGE',
          `buildSchema: plugins.${group.list}[${i}] is not a plugin definition (${entry === undefined ? 'undefined: check the import in the plugin list' : 'it needs id, description and schema'})`,
        );
      }
      if (seen.has(entry.id)) {
        throw new SerError('USAGE', `buildSchema: two ${group.noun} plugins share the id '${entry.id}'; plugin ids must be unique`);
      }
      seen.add(entry.id);
    }
    const extra = group.key === 'dataset' ? datasetCoreProperties : {};
    const branches = entries.map((entry) => pluginBranch(group.noun, entry, extra));
    const ids = entries.map((e) => e.id);
    const description = `The ${group.noun} plugin: id (one of ${ids.join(', ') || 'none registered'}) and its keys.`;
    properties[group.key] =
      target === 'resolved'
        ? { type: 'object', description, discriminator: { propertyName: 'id' }, required: ['id'], oneOf: branches }
        : {
            type: 'object',
            description,
            properties: { id: { type: 'string', enum: ids, description: `${group.noun} plugin id` } },
            allOf: branches.map((branch, i) => ({
              if: { properties: { id: { const: ids[i] } }, required: ['id'] },
              then: branch,
            })),
          };
  }
  if (target === 'editor') {
    properties.defaults = {
      type: 'object',
      description: "Pieces from configs/<group>/<name>.yaml loaded under their group key, below this file's own keys.",
      additionalProperties: false,
      properties: Object.fromEntries(DEFAULTS_GROUPS.map((g) => [g, { type: 'string', description: `configs/${g}/<name>.yaml` }])),
    };
    properties.extends = {
      description: 'Whole experiment files (relative to this one) merged below this file, in order.',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://ser.local/experiment.schema.json',
    title: 'SER experiment',
    description: 'A speech-emotion-recognition experiment (packages/config/README.md).',
    type: 'object',
    additionalProperties: false,
    required: target === 'resolved' ? ['name', 'dataset', 'model', 'loss'] : [],
    properties,
  };
}

/** A plugin's schema as one oneOf branch: `id` const added, unknown keys rejected at every object level. */
function pluginBranch(noun: string, entry: PluginSchemaEntry, extra: Record<string, JsonSchema>): JsonSchema {
  const schema = closeObjects(structuredClone(entry.schema)) as JsonSchema;
  const own = (schema.properties ?? {}) as Record<string, JsonSchema>;
  if (schema.type !== undefined && schema.type !== 'object') {
    throw new SerError('USAGE', `${noun} plugin '${entry.id}': its schema must describe an object (type: object), found type ${JSON.stringify(schema.type)}`);
  }
  for (const key of ['id', ...Object.keys(extra)]) {
    if (key in own) {
      throw new SerError('USAGE', `${noun} plugin '${entry.id}': its schema must not declare '${key}' (the config layer adds it)`);
    }
  }
  const { properties: _p, required, additionalProperties: _a, $schema: _s, type: _t, ...rest } = schema;
  return {
    ...rest,
    type: 'object',
    title: entry.id,
    description: entry.description,
    additionalProperties: false,
    required: ['id', ...((required as string[] | undefined) ?? [])],
    properties: { id: { const: entry.id, description: entry.description }, ...own, ...extra },
  };
}

/**
 * Sets additionalProperties: false on every object schema with properties that does not say
 * otherwise, following properties, items and additionalProperties only: closing the branches of
 * if/allOf/anyOf/oneOf would change what they mean.
 */
function closeObjects(node: unknown): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const obj = node as Record<string, unknown>;
  if (obj.properties && typeof obj.properties === 'object') {
    for (const [key, value] of Object.entries(obj.properties as Record<string, unknown>)) {
      (obj.properties as Record<string, unknown>)[key] = closeObjects(value);
    }
    if (obj.additionalProperties === undefined) obj.additionalProperties = false;
  }
  if (Array.isArray(obj.items)) obj.items = obj.items.map(closeObjects);
  else if (obj.items) obj.items = closeObjects(obj.items);
  if (obj.additionalProperties && typeof obj.additionalProperties === 'object') {
    obj.additionalProperties = closeObjects(obj.additionalProperties);
  }
  return obj;
}

/**
 * For editors: a core block chosen by `id` may leave the id out (the loader fills the default id),
 * so discriminated oneOf becomes anyOf of the branches without `id` required.
 */
function relaxForEditor(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxForEditor);
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'default' && key !== 'const' && key !== 'enum') obj[key] = relaxForEditor(value);
  }
  if (obj.discriminator && Array.isArray(obj.oneOf)) {
    const withoutId = (s: Record<string, unknown>): void => {
      if (Array.isArray(s.required)) s.required = (s.required as string[]).filter((k) => k !== 'id');
    };
    obj.anyOf = obj.oneOf;
    delete obj.oneOf;
    delete obj.discriminator;
    withoutId(obj);
    (obj.anyOf as Record<string, unknown>[]).forEach(withoutId);
  }
  return obj;
}
