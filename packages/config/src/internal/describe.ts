// Plain-words descriptions of schemas and values for error messages: "number >= 0", found "abc".
import type { JsonSchema } from '@ser/core';

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** What a schema accepts, in words: `number >= 0`, `one of 'ua', 'wa'`, `integer or null`. */
export function describeSchema(schema: JsonSchema | undefined): string {
  if (!schema || typeof schema !== 'object') return 'a valid value';
  if (Array.isArray(schema.enum)) return `one of ${(schema.enum as unknown[]).map(quote).join(', ')}`;
  if ('const' in schema) return quote(schema.const);
  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives) && schema.type === undefined) return alternatives.map((s) => describeSchema(s)).join(' or ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.length === 0) return 'a valid value';
  return types.map((t) => describeType(t, schema)).join(' or ');
}

function describeType(type: string, s: JsonSchema): string {
  switch (type) {
    case 'number':
    case 'integer': {
      const bounds: string[] = [];
      if (typeof s.minimum === 'number') bounds.push(`>= ${s.minimum}`);
      if (typeof s.exclusiveMinimum === 'number') bounds.push(`> ${s.exclusiveMinimum}`);
      if (typeof s.maximum === 'number') bounds.push(`<= ${s.maximum}`);
      if (typeof s.exclusiveMaximum === 'number') bounds.push(`< ${s.exclusiveMaximum}`);
      if (typeof s.multipleOf === 'number') bounds.push(`a multiple of ${s.multipleOf}`);
      return [type, bounds.join(' and ')].filter(Boolean).join(' ');
    }
    case 'string': {
      const parts: string[] = [];
      if (typeof s.pattern === 'string') parts.push(`matching /${s.pattern}/`);
      if (typeof s.minLength === 'number' && s.minLength > 0) parts.push(`of at least ${s.minLength} characters`);
      if (typeof s.maxLength === 'number') parts.push(`of at most ${s.maxLength} characters`);
      return ['string', ...parts].join(' ');
    }
    case 'array': {
      const items = s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? describeSchema(s.items as JsonSchema) : undefined;
      const parts: string[] = [items && items !== 'a valid value' ? `array of (${items})` : 'array'];
      if (typeof s.minItems === 'number' && s.minItems > 0) parts.push(`with at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`);
      if (typeof s.maxItems === 'number') parts.push(`with at most ${s.maxItems} items`);
      if (s.uniqueItems === true) parts.push('without duplicates');
      return parts.join(' ');
    }
    case 'object': {
      if (typeof s.minProperties === 'number' && s.minProperties > 0) return `object with at least ${s.minProperties} key${s.minProperties === 1 ? '' : 's'}`;
      return 'object';
    }
    default:
      return type;
  }
}

/** A value as found in the config, short: "abc" (quoted), -1, null, [0,1], an object with 12 keys. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON would say null for these (YAML .nan, .inf, 1e400)
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'infinity (or a number too large for a double)';
  if (value === -Infinity) return '-infinity (or a number too large for a double)';
  const json = JSON.stringify(value);
  if (json !== undefined && json.length <= 60) return json;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value && typeof value === 'object') return `an object with ${Object.keys(value).length} keys`;
  return `${json?.slice(0, 57)}...`;
}
