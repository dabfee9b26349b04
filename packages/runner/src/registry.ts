import { SerError } from '@ser/core';
import type { DatasetDefinition } from '@ser/dataset-core';
import type { LossDefinition } from '@ser/loss-core';
import type { ModelDefinition } from '@ser/model-core';

/** The plugins a cell may use: the CLI's explicit plugin list. */
export interface PluginRegistry {
  datasets: readonly DatasetDefinition[];
  models: readonly ModelDefinition[];
  losses: readonly LossDefinition[];
}

/** The plugin with this id, or PLUGIN_UNKNOWN naming the registered ones. */
export function findPlugin<T extends { id: string }>(list: readonly T[], id: string, kind: string): T {
  const found = list.find((p) => p.id === id);
  if (!found) {
    throw new SerError('PLUGIN_UNKNOWN', `${kind}.id '${id}' is not a registered ${kind} plugin; registered: ${list.map((p) => p.id).join(', ') || 'none'}`, {
      details: { kind, id },
    });
  }
  return found;
}

/** A plugin block without its `id`: the plugin's own validated config. */
export function ownConfig(block: { id: string }, drop: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block)) if (k !== 'id' && !drop.includes(k)) out[k] = v;
  return out;
}
