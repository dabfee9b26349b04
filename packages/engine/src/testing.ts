import { Ajv } from 'ajv';
import { SerError } from '@ser/core';
import type { JsonSchema } from '@ser/core';
import { tf } from './index.js';

/** Backends the conformance suites run on: the pure-JS reference and the native libtensorflow one. */
export type TestBackend = 'cpu' | 'tensorflow';

/** Switches the one tf instance to a backend, loading tfjs-node first for 'tensorflow'. */
export async function useTestBackend(backend: TestBackend): Promise<void> {
  if (backend === 'tensorflow') {
    try {
      await import('@tensorflow/tfjs-node');
    } catch (cause) {
      throw new Error("the native backend did not load: @tensorflow/tfjs-node is missing or unbuilt; run 'npm run setup' (or pass backends: ['cpu'])", {
        cause,
      });
    }
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

/**
 * Fills a partial plugin config with its schema's defaults and validates it (ajv, unknown keys
 * rejected when the schema says so), as the config layer does before create(); throws on an invalid config.
 */
export function resolveSchemaConfig<T>(schema: JsonSchema, partial: Record<string, unknown> = {}): T {
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
  const config = structuredClone(partial);
  const validate = ajv.compile(schema);
  if (!validate(config)) {
    throw new SerError('CONFIG_INVALID', `config ${JSON.stringify(partial)} is invalid: ${ajv.errorsText(validate.errors)}`);
  }
  return config as T;
}
