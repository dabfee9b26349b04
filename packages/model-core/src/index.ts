export { defineModel } from './model.js';
export type { Model, ModelContext, ModelDefinition, ModelOutput } from './model.js';
export { VariableStore } from './variable-store.js';
export { DropoutSeeds, checkModelInputs } from './model-helpers.js';
