import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { JsonSchema } from '@ser/core';
import { buildSchema } from './build-schema.js';
import { loadExperiment } from './load-experiment.js';
import { MINIMAL, problemsOf, writeProject } from './test-helpers.js';
import { testPlugins as plugins } from './test-plugins.js';

type S = Record<string, any>;

/** A plain draft-07 validator, as an editor would use the schema (no discriminator support). */
function editorValidate(schema: JsonSchema, yamlText: string): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return validate(parse(yamlText)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('buildSchema', () => {
  it('resolved target: each plugin group a oneOf discriminated on id, every object closed', () => {
    const s = buildSchema(plugins, { target: 'resolved' }) as S;
    expect(s.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(s.required).toEqual(['name', 'dataset', 'model', 'loss']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.loss.discriminator).toEqual({ propertyName: 'id' });
    expect(s.properties.loss.oneOf.map((b: S) => b.properties.id.const)).toEqual(['softmax', 'center', 'cosface']);
    const cosface = s.properties.loss.oneOf[2];
    expect(cosface).toMatchObject({ additionalProperties: false, required: ['id', 'margin'] });
    const model = s.properties.model.oneOf[0];
    expect(model.properties.rnn.additionalProperties).toBe(false); // closed although the plugin did not say
    expect(model.properties.convs.items.additionalProperties).toBe(false);
    const dataset = s.properties.dataset.oneOf[0];
    expect(Object.keys(dataset.properties)).toEqual(['id', 'speakers', 'utterancesPerSpeaker', 'classes', 'protocol', 'onBadAudio']);
    expect(s.properties.defaults).toBeUndefined();
  });

  it('does not modify the plugin schemas it is given', () => {
    const before = JSON.stringify(plugins);
    buildSchema(plugins, { target: 'resolved' });
    buildSchema(plugins);
    expect(JSON.stringify(plugins)).toBe(before);
  });

  it('editor target is valid draft-07 and accepts defaults, extends and partial blocks', () => {
    const s = buildSchema(plugins);
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(s)).toBe(true);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const file = [
      'name: my-sweep',
      'extends: [base.yaml]',
      'defaults: { dataset: emodb, loss: center, trainer: demo }',
      'dataset: { protocol: { id: leave-one-speaker-out, validationSpeakers: 1 } }',
      'loss: { lambda: 0.1 }',
      'trainer: { optimizer: { learningRate: 0.01 } }',
      'sweep: { grid: { loss.lambda: [0, 0.1] }, folds: 3, seeds: [0, 1] }',
    ].join('\n');
    expect(editorValidate(s, file)).toEqual([]);
  });

  it('editor target still flags unknown keys, in core blocks and in the chosen plugin', () => {
    const s = buildSchema(plugins);
    expect(editorValidate(s, 'name: x\nloss: { id: center, lamda: 1 }\n').join('\n')).toMatch(/\/loss must NOT have additional properties/);
    expect(editorValidate(s, 'name: x\nfeatures: { nMel: 64 }\n').join('\n')).toMatch(/\/features must NOT have additional properties/);
    expect(editorValidate(s, 'name: x\nloss: { id: nope }\n').join('\n')).toMatch(/\/loss\/id must be equal to one of the allowed values/);
    expect(editorValidate(s, 'name: x\ndefaults: { losss: center }\n').join('\n')).toMatch(/\/defaults must NOT have additional properties/);
  });

  it('rejects duplicate ids, plugin schemas that declare id, and missing entries', () => {
    const center = plugins.losses[1];
    expect(() => buildSchema({ ...plugins, losses: [center, center] })).toThrow(/two loss plugins share the id 'center'/);
    expect(() => buildSchema({ ...plugins, losses: [{ ...center, schema: { type: 'object', properties: { id: { type: 'string' } } } }] })).toThrow(
      /loss plugin 'center': its schema must not declare 'id'/,
    );
    expect(() => buildSchema({ ...plugins, datasets: [{ ...plugins.datasets[0], schema: { type: 'object', properties: { protocol: {} } } }] })).toThrow(
      /must not declare 'protocol'/,
    );
    expect(() => buildSchema({ ...plugins, models: [undefined as never] })).toThrow(/plugins\.models\[0\] is not a plugin definition \(undefined/);
  });

  it('errors from a plugin schema using if/then and anyOf read as expected/found', () => {
    const withIf = {
      ...plugins,
      losses: [
        {
          id: 'margin',
          description: 'test',
          schema: {
            type: 'object',
            properties: {
              kind: { enum: ['fixed', 'learnt'], default: 'fixed' },
              value: { type: 'number' },
              weights: { anyOf: [{ type: 'array', items: { type: 'number', minimum: 0 } }, { type: 'null' }], default: null },
            },
            if: { properties: { kind: { const: 'fixed' } } },
            then: { required: ['value'] },
          },
        },
      ],
    };
    const dir = writeProject({ 'exp.yaml': MINIMAL.replace('{ id: center }', '{ id: margin, weights: [1, -1] }') });
    const { problems } = problemsOf(() => loadExperiment(`${dir}/exp.yaml`, { plugins: withIf }));
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['loss', "missing required key 'value'"],
      ['loss.weights', 'expected array of (number >= 0) or null, found [1,-1]'],
    ]);
  });
});
