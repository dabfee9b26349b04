/** A JSON Schema object (draft 2020-12 subset used with ajv). Defaults and descriptions are the docs. */
export type JsonSchema = Record<string, unknown>;

/**
 * The shape every plugin shares: a stable kebab-case id (results refer to it forever), the JSON
 * Schema of its config (without the `id` key, which the config layer adds), and a factory that
 * receives an already validated config.
 */
export interface PluginDefinition<TConfig, TContext, TInstance> {
  readonly id: string;
  readonly description: string;
  readonly schema: JsonSchema;
  create(config: TConfig, context: TContext): TInstance;
}

/** Plain, serialisable state: named arrays with shapes (centers, weights, optimiser slots). */
export type StateTensor = { shape: number[]; values: number[] };
export type StateDict = Record<string, StateTensor>;
