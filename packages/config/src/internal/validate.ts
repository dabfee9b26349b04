// Validates a composed (plain) config against the experiment schema with ajv (allErrors, defaults
// filled, unknown keys rejected) and turns ajv's errors into positioned problems.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { SerError, isSerError } from '@ser/core';
import { fillDefaultIds } from '@ser/core/config-schema';
import { resolveFrameParams, type FeatureConfig } from '@ser/features/config';
import { trainerConfigSchema } from '@ser/trainer/config';
import type { JsonSchema } from '@ser/core';
import { buildSchema } from '../build-schema.js';
import { DEFAULTS_GROUPS, datasetCoreProperties } from '../core-schema.js';
import type { PluginSchemas } from '../types.js';
import { describeSchema, describeValue } from './describe.js';
import { problemAt } from './problems.js';
import type { Problem } from './problems.js';
import type { SourceMap } from './source-map.js';
import { suggest } from './suggest.js';

const validators = new WeakMap<PluginSchemas, ValidateFunction>();

/** The compiled validator of the resolved-config schema for these plugins (cached per plugins object). */
export function validatorFor(plugins: PluginSchemas): ValidateFunction {
  const cached = validators.get(plugins);
  if (cached) return cached;
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    discriminator: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
  });
  // Annotation keywords editors understand; harmless to validation.
  ajv.addKeyword({ keyword: 'markdownDescription', schemaType: 'string' });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(buildSchema(plugins, { target: 'resolved' }));
  } catch (cause) {
    throw new SerError('USAGE', `a plugin schema is not a valid JSON Schema: ${(cause as Error).message}`, { cause });
  }
  validators.set(plugins, validate);
  return validate;
}

const VALUE_KEYWORDS = new Set([
  'type',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'format',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'oneOf',
  'anyOf',
]);

/**
 * Validates `value` in place (defaults are written into it), then fills the defaults that depend on
 * other keys (output.dir = results/<name>, sweep.seeds = [seed]) and checks cross-key constraints.
 */
export function validateValue(value: Record<string, unknown>, plugins: PluginSchemas, sources: SourceMap): Problem[] {
  const validate = validatorFor(plugins);
  fillCoreIds(value);
  const problems = validate(value) ? [] : mapErrors(validate.errors ?? [], sources);
  fillDependentDefaults(value);
  problems.push(...checkFeatures(value, sources));
  if (problems.length === 0 && isObject(value.features)) problems.push(...checkFrameParams(value, sources));
  return problems;
}

function pointerToSegments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function mapErrors(errors: ErrorObject[], sources: SourceMap): Problem[] {
  // A failed oneOf/anyOf also reports each branch's failure; the summary ("expected A or B") is enough.
  const composite = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const problems: Problem[] = [];
  const valueErrorAt = new Set<string>();
  for (const e of errors) {
    if (composite.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    // `if` fails together with the errors of its `then`/`else` branch, which say what is wrong.
    if (e.keyword === 'if') continue;
    const segments = pointerToSegments(e.instancePath);
    const parent = (e.parentSchema ?? {}) as JsonSchema;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const known = Object.keys((parent.properties ?? {}) as object);
        const hint = suggest(key, known);
        // In a plugin block, say which plugin: the keys of 'softmax' are not those of 'center'.
        const pluginId = ((parent.properties as Record<string, JsonSchema> | undefined)?.id as JsonSchema | undefined)?.const;
        const of = typeof pluginId === 'string' ? ` for ${segments[segments.length - 1] ?? 'block'} '${pluginId}'` : '';
        const others = known.filter((k) => k !== 'id' || of === '');
        const message = hint
          ? `unknown key${of} (did you mean '${hint}'?)`
          : others.length > 0
            ? `unknown key${of} (known keys: ${others.join(', ')})`
            : `unknown key${of} (it takes no keys${of ? ' besides id' : ''})`;
        problems.push(problemAt(sources, [...segments, key], message, 'key'));
        break;
      }
      case 'required':
        // A discriminated block without `id`: the discriminator's error says it, with the ids.
        if (e.params.missingProperty === 'id' && parent.discriminator) break;
        problems.push(problemAt(sources, segments, `missing required key '${String(e.params.missingProperty)}'`, 'key'));
        break;
      case 'discriminator':
        problems.push(discriminatorProblem(e, segments, parent, sources));
        break;
      default: {
        if (!VALUE_KEYWORDS.has(e.keyword)) {
          problems.push(problemAt(sources, segments, e.message ?? e.keyword, 'value'));
          break;
        }
        const at = segments.join('\u0000');
        if (valueErrorAt.has(at)) break; // type + range on one value: one line says both
        valueErrorAt.add(at);
        let message = `expected ${describeSchema(parent)}, found ${describeValue(e.data)}`;
        const group = segments[0] as (typeof DEFAULTS_GROUPS)[number];
        if (segments.length === 1 && DEFAULTS_GROUPS.includes(group) && typeof e.data === 'string') {
          message += ` (to use the piece configs/${group}/${e.data}.yaml write defaults: { ${group}: ${e.data} })`;
        }
        problems.push(problemAt(sources, segments, message, 'value'));
      }
    }
  }
  return problems;
}

function discriminatorProblem(e: ErrorObject, segments: string[], parent: JsonSchema, sources: SourceMap): Problem {
  const ids = ((parent.oneOf ?? []) as JsonSchema[]).map((b) => String((b.properties as Record<string, JsonSchema>).id.const));
  const noun = segments[segments.length - 1] ?? 'plugin';
  const known = ids.length > 0 ? `known: ${ids.join(', ')}` : `no ${noun} plugins are registered`;
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (e.params.error === 'mapping') {
    const tag = String(data.id);
    const hint = suggest(tag, ids);
    const message = `unknown ${noun} '${tag}'${hint ? ` (did you mean '${hint}'?)` : ''}; ${known}`;
    return problemAt(sources, [...segments, 'id'], message, 'value');
  }
  if (data.id === undefined) return problemAt(sources, segments, `missing required key 'id' (${known})`, 'key');
  return problemAt(sources, [...segments, 'id'], `expected one of ${ids.map((i) => `'${i}'`).join(', ')}, found ${describeValue(data.id)}`, 'value');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Core blocks chosen by `id` whose id has a default: a block written without it (trainer:
// { optimizer: { learningRate: 0.01 } }) means the default id, as an absent block would.
function fillCoreIds(value: Record<string, unknown>): void {
  // the core blocks' default ids come from their owners' schemas (a plugin block's id is never defaulted)
  fillDefaultIds({ properties: datasetCoreProperties }, value.dataset);
  fillDefaultIds(trainerConfigSchema, value.trainer);
}

function fillDependentDefaults(value: Record<string, unknown>): void {
  if (isObject(value.output) && value.output.dir === undefined && typeof value.name === 'string') {
    value.output.dir = `results/${value.name}`;
  }
  if (isObject(value.sweep) && value.sweep.seeds === undefined && Number.isInteger(value.seed)) {
    value.sweep.seeds = [value.seed];
  }
}

/** Constraints between feature keys that a JSON Schema cannot state. */
function checkFeatures(value: Record<string, unknown>, sources: SourceMap): Problem[] {
  const f = value.features;
  if (!isObject(f)) return [];
  const problems: Problem[] = [];
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const { sampleRateHz: sr, windowMs, nFft, fMinHz, fMaxHz, nMels, nMfcc, kind } = f;
  if (num(sr) && num(windowMs) && num(nFft)) {
    const windowSamples = Math.round((windowMs * sr) / 1000);
    if (nFft < windowSamples) {
      problems.push(
        problemAt(
          sources,
          ['features', 'nFft'],
          `expected integer >= ${windowSamples} (the ${windowMs} ms window at ${sr} Hz) or null, found ${nFft}`,
          'value',
        ),
      );
    }
  }
  if (num(sr) && num(fMaxHz) && fMaxHz > sr / 2) {
    problems.push(problemAt(sources, ['features', 'fMaxHz'], `expected number <= ${sr / 2} (sampleRateHz / 2) or null, found ${fMaxHz}`, 'value'));
  }
  if (num(sr) && num(fMinHz)) {
    const top = num(fMaxHz) ? fMaxHz : sr / 2;
    if (fMinHz >= top) problems.push(problemAt(sources, ['features', 'fMinHz'], `expected number < ${top} (the top Mel edge), found ${fMinHz}`, 'value'));
  }
  if (kind === 'mfcc' && num(nMfcc) && num(nMels) && nMfcc > nMels) {
    problems.push(problemAt(sources, ['features', 'nMfcc'], `expected integer <= ${nMels} (nMels) for kind mfcc, found ${nMfcc}`, 'value'));
  }
  return problems;
}

/** What @ser/features will refuse when a cell runs (e.g. an nFft that is no power of two), said now, at its line; for a config that is otherwise valid. */
function checkFrameParams(value: Record<string, unknown>, sources: SourceMap): Problem[] {
  try {
    resolveFrameParams(value.features as FeatureConfig);
    return [];
  } catch (err) {
    if (!isSerError(err, 'CONFIG_INVALID')) throw err;
    const field = String((err.details as { field?: string }).field ?? 'features');
    return [problemAt(sources, field.split('.'), err.message.replace(/^features\.\S+ = /, 'found '), 'value')];
  }
}
