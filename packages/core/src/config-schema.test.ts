import { describe, expect, it } from 'vitest';
import { Type, choice, compileConfigValidator, configObject, fillDefaultIds, nullable, oneOfById, schemaDefaults } from './config-schema.js';

const block = configObject(
  {
    size: Type.Integer({ minimum: 1, default: 4 }),
    limit: nullable(Type.Number({ exclusiveMinimum: 0 }), { default: null }),
    mode: choice(['fast', 'exact'], { default: 'fast' }),
    inner: configObject({ depth: Type.Integer({ default: 2 }) }, { default: {} }),
    pick: oneOfById(
      [
        configObject({ id: Type.Literal('a'), x: Type.Number({ default: 1 }) }, { required: ['id'] }),
        configObject({ id: Type.Literal('b'), y: Type.String({ minLength: 1 }) }, { required: ['id', 'y'] }),
      ],
      { default: { id: 'a' } },
    ),
  },
  { default: {} },
);

describe('config schemas', () => {
  it('keys with defaults are not required, and the defaults fill nested blocks and the picked variant', () => {
    expect(block.required).toBeUndefined();
    expect(schemaDefaults(block)).toEqual({ size: 4, limit: null, mode: 'fast', inner: { depth: 2 }, pick: { id: 'a', x: 1 } });
    // the walk gives what ajv's useDefaults gives
    const filled = {};
    expect(compileConfigValidator(block)(filled)).toEqual([]);
    expect(filled).toEqual(schemaDefaults(block));
    const picked = { pick: { id: 'b', y: 'k' } };
    compileConfigValidator(block)(picked);
    expect(picked).toEqual({ ...schemaDefaults(block), pick: { id: 'b', y: 'k' } });
  });

  it('rejects unknown keys, wrong types and a variant missing its required key', () => {
    const validate = compileConfigValidator(block);
    expect(validate({ size: 2, limit: 0.5, mode: 'exact' })).toEqual([]);
    expect(validate({ sise: 2 }).map((e) => e.keyword)).toContain('additionalProperties');
    expect(validate({ limit: 'none' }).map((e) => e.instancePath)).toEqual(['/limit']);
    expect(validate({ mode: 'slow' }).map((e) => e.keyword)).toEqual(['enum']);
    expect(validate({ pick: { id: 'b' } }).map((e) => e.message)).toContain("must have required property 'y'");
    expect(validate({ pick: { id: 'c' } })).not.toEqual([]);
  });

  it("fillDefaultIds gives a block without id its default's id, and leaves blocks without a default id alone", () => {
    const value: Record<string, unknown> = { pick: { x: 3 } };
    fillDefaultIds(block, value);
    expect(value).toEqual({ pick: { id: 'a', x: 3 } });
    const noDefault = configObject({ p: oneOfById([configObject({ id: Type.Literal('a') }, { required: ['id'] })]) });
    const other: Record<string, unknown> = { p: { y: 1 } };
    fillDefaultIds(noDefault, other);
    expect(other).toEqual({ p: { y: 1 } });
  });

  it('nullable is one type keyword, so the message names both types', () => {
    expect(nullable(Type.Integer(), { default: null })).toMatchObject({ type: ['integer', 'null'], default: null });
  });
});
