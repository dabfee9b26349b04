// Config schemas written once: each package declares its config keys with TypeBox, and the
// TypeScript type of the resolved config (every default filled in) is derived from that schema
// (Static<typeof schema>), so the two cannot drift. The JSON Schema itself is what ajv validates,
// what `ser schema` writes for editors, and the documentation of every key.
// Imported as '@ser/core/config-schema', not from the main entry: what needs only errors and
// hashing (the engine) then loads neither ajv nor TypeBox; with them loaded the reference train
// step measured 2% slower (tools/bench/ab.sh, 6 alternating rounds).
import { Ajv, type ErrorObject } from 'ajv';
import { Type, type Static, type TObject, type TProperties, type TSchema, type TUnsafe, type ObjectOptions, type SchemaOptions } from '@sinclair/typebox';

/**
 * An object of config keys: unknown keys are rejected, and keys with a default are not `required`
 * in the JSON Schema (users may leave them out) while the derived type has every key (the resolved
 * config, after ajv filled the defaults). `required` lists the keys that have no default.
 */
export function configObject<T extends TProperties>(properties: T, options: ObjectOptions & { required?: (keyof T & string)[] } = {}): TObject<T> {
  const { required, ...rest } = options;
  const schema = Type.Object(properties, { additionalProperties: false, ...rest });
  // Type.Object marks every key required; a config key with a default may be left out.
  if (required && required.length > 0) schema.required = required;
  else delete (schema as { required?: string[] }).required;
  return schema;
}

/** `type: [T, 'null']` (one keyword, so ajv's message reads "must be integer,null" rather than an anyOf of two). */
export function nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'], ...options });
}

/** A string that is one of `values`. */
export function choice<const V extends readonly string[]>(values: V, options: SchemaOptions & { default: V[number] }): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A block whose `id` picks one of several shapes (optimiser, schedule, protocol). JSON Schema
 * `oneOf` with ajv's `discriminator`, so ajv fills the defaults of the picked variant and reports
 * the errors of that variant only.
 */
export function oneOfById<T extends TObject[]>(variants: [...T], options: SchemaOptions = {}): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', discriminator: { propertyName: 'id' }, required: ['id'], oneOf: variants, ...options });
}

function defaultsAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, allowUnionTypes: true, logger: false });
  ajv.addKeyword({ keyword: 'markdownDescription', schemaType: 'string' });
  return ajv;
}

/** A validator that fills defaults in place (as the experiment loader does) and returns ajv's errors, [] when valid. */
export function compileConfigValidator(schema: TSchema | Record<string, unknown>): (value: unknown) => ErrorObject[] {
  const validate = defaultsAjv().compile(schema);
  return (value) => (validate(value) ? [] : [...(validate.errors ?? [])]);
}

/** The value every default of `schema` gives when the user writes nothing (`{}` filled by ajv). */
export function schemaDefaults<T extends TSchema>(schema: T): Static<T> {
  const value = {};
  const errors = compileConfigValidator(schema)(value);
  if (errors.length > 0) throw new Error(`the schema's defaults are not valid: ${JSON.stringify(errors)}`);
  return value as Static<T>;
}
