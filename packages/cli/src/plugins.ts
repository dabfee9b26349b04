// Every dataset, model and loss the CLI knows, discovered from the workspace: each package whose
// package.json has a `ser` field, e.g. "ser": { "plugin": "loss", "export": "ringLoss" }
// (discover-plugins.ts). Adding a loss package needs no edit here (docs/adding-a-loss.md).
import type { PluginRegistry } from '@ser/runner';
import { discoverPlugins } from './discover-plugins.js';
import { workspaceRoot } from './version.js';

export const plugins: PluginRegistry = await discoverPlugins(workspaceRoot);
