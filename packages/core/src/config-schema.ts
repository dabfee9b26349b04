// Config schemas written once: each package declares its config keys with TypeBox, and the
// TypeScript type of the resolved config (every default filled in) is derived from that schema
// (Static<typeof schema>), so the two cannot drift. The JSON Schema itself is what ajv validates,
// what `ser schema` writes for editors, and the documentation of every key.
// TypeBox is a type-level dependency only: the builders below make plain JSON Schema objects and
// give them TypeBox's types, so Static<> derives the config types while no process loads TypeBox's
// runtime (about 270 modules: loaded, it measured 2-4% slower train steps and feature extraction,
// tools/bench/ab.sh). Likewise ajv loads only when a validator is compiled: defaults come from a
// walk of the schema, so importing a schema module (every feature-extraction thread does) is cheap.
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ErrorObject } from 'ajv';
import type {
  IntegerOptions,
  NumberOptions,
  ObjectOptions,
  SchemaOptions,
  Static,
  StringOptions,
  TBoolean,
  TInteger,
  TLiteral,
  TLiteralValue,
  TNumber,
  TObject,
  TProperties,
  TSchema,
  TString,
  TUnsafe,
} from '@sinclair/typebox';

/** The TypeBox builders the config schemas use, as plain JSON Schema with TypeBox's types. */
export const Type = {
  Integer: (options: IntegerOptions = {}) => ({ ...options, type: 'integer' }) as unknown as TInteger,
  Number: (options: NumberOptions = {}) => ({ ...options, type: 'number' }) as unknown as TNumber,
  Boolean: (options: SchemaOptions = {}) => ({ ...options, type: 'boolean' }) as unknown as TBoolean,
  String: (options: StringOptions = {}) => ({ ...options, type: 'string' }) as unknown as TString,
  Literal: <const V extends TLiteralValue>(value: V, options: SchemaOptions = {}) =>
    ({ ...options, const: value, type: typeof value }) as unknown as TLiteral<V>,
};

/** A schema whose type is T (TypeBox's Type.Unsafe). */
function unsafe<T>(schema: Record<string, unknown>): TUnsafe<T> {
  return schema as unknown as TUnsafe<T>;
}

/**
 * An object of config keys: unknown keys are rejected, and keys with a default are not `required`
 * in the JSON Schema (users may leave them out) while the derived type has every key (the resolved
 * config, after ajv filled the defaults). `required` lists the keys that have no default.
 */
export function configObject<T extends TProperties>(properties: T, options: ObjectOptions & { required?: (keyof T & string)[] } = {}): TObject<T> {
  const { required, ...rest } = options;
  return {
    ...rest,
    type: 'object',
    properties,
    additionalProperties: false,
    ...(required && required.length > 0 ? { required } : {}),
  } as unknown as TObject<T>;
}

/** `type: [T, 'null']` (one keyword, so ajv's message reads "must be integer,null" rather than an anyOf of two). */
export function nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as unknown as { type: string };
  return unsafe<Static<T> | null>({ ...rest, type: [type, 'null'], ...options });
}

/** A string that is one of `values`. */
export function choice<const V extends readonly string[]>(values: V, options: SchemaOptions & { default: V[number] }): TUnsafe<V[number]> {
  return unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A block whose `id` picks one of several shapes (optimiser, schedule, protocol). JSON Schema
 * `oneOf` with ajv's `discriminator`, so ajv fills the defaults of the picked variant and reports
 * the errors of that variant only.
 */
export function oneOfById<T extends TObject[]>(variants: [...T], options: SchemaOptions = {}): TUnsafe<Static<T[number]>> {
  return unsafe<Static<T[number]>>({ type: 'object', discriminator: { propertyName: 'id' }, required: ['id'], oneOf: variants, ...options });
}

function defaultsAjv(): AjvInstance {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, allowUnionTypes: true, logger: false });
  ajv.addKeyword({ keyword: 'markdownDescription', schemaType: 'string' });
  return ajv;
}

/** A validator that fills defaults in place (as the experiment loader does) and returns ajv's errors, [] when valid. */
export function compileConfigValidator(schema: TSchema | Record<string, unknown>): (value: unknown) => ErrorObject[] {
  const validate = defaultsAjv().compile(schema);
  return (value) => (validate(value) ? [] : [...(validate.errors ?? [])]);
}

/**
 * The value every default of `schema` gives when the user writes nothing: what ajv's useDefaults
 * makes of `{}` (a missing key gets its default, then the defaults inside it; a block with a
 * discriminator gets those of the variant its id picks), by a walk of the schema, without ajv.
 */
export function schemaDefaults<T extends TSchema>(schema: T): Static<T> {
  const value = {};
  walkBlocks(schema as unknown as JsonObject, value, (block, obj) => {
    for (const [key, sub] of Object.entries(propertiesOf(block))) {
      if (isObject(sub) && obj[key] === undefined && 'default' in sub) obj[key] = structuredClone(sub.default);
    }
  });
  return value as Static<T>;
}

/**
 * Gives every block of `value` that picks its shape by id (a discriminator) but leaves the id out
 * the id of that block's default, in place: `optimizer: { learningRate: 0.01 }` is adam's, as an
 * experiment file may write it. The loader and resolveTrainerConfig both use it, so the default ids
 * are the schemas' and written nowhere else.
 */
export function fillDefaultIds(schema: TSchema | Record<string, unknown>, value: unknown): void {
  walkBlocks(schema as JsonObject, value, (block, obj) => {
    for (const [key, sub] of Object.entries(propertiesOf(block))) {
      if (!isObject(sub) || !isObject(sub.discriminator) || !isObject(sub.default)) continue;
      const by = String(sub.discriminator.propertyName);
      const inner = obj[key];
      if (isObject(inner) && inner[by] === undefined && sub.default[by] !== undefined) obj[key] = { [by]: sub.default[by], ...inner };
    }
  });
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const propertiesOf = (schema: JsonObject): JsonObject => (isObject(schema.properties) ? schema.properties : {});

/**
 * Calls visit(schema, object) on `value` and on every object inside it that the schema describes:
 * its properties, and for a block with a discriminator the variant its id picks (after visit, so a
 * visit that fills keys is seen by what follows).
 */
function walkBlocks(schema: JsonObject, value: unknown, visit: (schema: JsonObject, value: JsonObject) => void): void {
  if (!isObject(value)) return;
  visit(schema, value);
  for (const [key, sub] of Object.entries(propertiesOf(schema))) if (isObject(sub)) walkBlocks(sub, value[key], visit);
  if (Array.isArray(schema.oneOf) && isObject(schema.discriminator)) {
    const by = String(schema.discriminator.propertyName);
    const variant = schema.oneOf.find((v) => isObject(v) && isObject(propertiesOf(v)[by]) && (propertiesOf(v)[by] as JsonObject).const === value[by]);
    if (isObject(variant)) walkBlocks(variant, value, visit);
  }
}
