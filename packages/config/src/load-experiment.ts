// loadExperiment: compose (extends < defaults pieces < the file < command-line overrides), validate
// once with ajv (all errors, each at its YAML position), expand and re-validate the sweep points,
// deep-freeze and hash.
import path from 'node:path';
import { SerError, isSerError, stableHash } from '@ser/core';
import { deepFreeze } from '@ser/core';
import { composeFile, findConfigsDir, throwIfNotFound } from './internal/compose.js';
import type { ComposeContext } from './internal/compose.js';
import { parseOverrides } from './internal/overrides.js';
import { problemText, sortProblems, toConfigProblem } from './internal/problems.js';
import type { Problem } from './internal/problems.js';
import { dotted, splitPathKey } from './internal/source-map.js';
import { checkSweep, expandPoints, isSweepSpec } from './internal/sweep-expand.js';
import type { SweepPoint } from './internal/sweep-expand.js';
import { emptyTree, setPaths } from './internal/tree.js';
import type { Tree } from './internal/tree.js';
import { validateValue } from './internal/validate.js';
import type { ConfigProblem, ExperimentConfig, LoadedExperiment, PluginSchemas, SourceLocation } from './types.js';

export type { SweepPoint } from './internal/sweep-expand.js';

/** Options of loadExperiment. */
export interface LoadOptions {
  /** `key.path=value` (YAML value) or `group=piece`; applied after the file, in order. */
  overrides?: readonly string[];
  /** The registered plugins' schemas. */
  plugins: PluginSchemas;
  /** Where defaults pieces live; default: the nearest configs/ at or above the experiment file, else the repository's. */
  configsDir?: string;
}

/**
 * Loads, composes and validates an experiment file; throws SerError CONFIG_INVALID (every problem,
 * one per line, `file:line:column key.path: expected ..., found ...`), CONFIG_YAML_SYNTAX or
 * CONFIG_NOT_FOUND. The config is deep-frozen, every default filled in.
 */
export function loadExperiment(file: string, options: LoadOptions): LoadedExperiment {
  const { loaded, problems } = resolveExperiment(file, options);
  if (!loaded) {
    const sorted = sortProblems(problems);
    throw new SerError(
      'CONFIG_INVALID',
      `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the experiment config:\n${sorted.map(problemText).join('\n')}`,
      {
        details: { file: path.resolve(file), problems: sorted.map(toConfigProblem) },
      },
    );
  }
  return loaded;
}

/** What `ser validate FILE` reports: every problem, and the loaded experiment when there are none. */
export interface ValidationReport {
  problems: ConfigProblem[];
  experiment?: LoadedExperiment;
  /** Sweep points (after de-duplication) when valid. */
  points?: number;
}

/** Validates an experiment file without throwing on config problems (other errors still throw). */
export function validateFile(file: string, plugins: PluginSchemas, options: Omit<LoadOptions, 'plugins'> = {}): ValidationReport {
  try {
    const experiment = loadExperiment(file, { ...options, plugins });
    return { problems: [], experiment, points: experiment.points.length };
  } catch (err) {
    if (isSerError(err) && Array.isArray(err.details.problems)) return { problems: err.details.problems as ConfigProblem[] };
    throw err;
  }
}

function resolveExperiment(file: string, options: LoadOptions): { loaded?: LoadedExperiment; problems: Problem[] } {
  const abs = path.resolve(file);
  const overrides = parseOverrides(options.overrides ?? []);
  const ctx: ComposeContext = {
    configsDir: options.configsDir ? path.resolve(options.configsDir) : findConfigsDir(path.dirname(abs)),
    groupChoices: overrides.groups,
    problems: [...overrides.problems],
    notFound: [],
    dropped: [],
  };
  const composed = composeFile(abs, ctx, { stack: [], piece: false });
  throwIfNotFound(ctx.notFound);
  ctx.problems.push(...setPaths(composed, overrides.sets, ctx.dropped));

  const value = structuredClone(composed.value);
  if (ctx.topLevelUnusable) return { problems: ctx.problems };
  const problems = [...ctx.problems, ...validateValue(value, options.plugins, composed.sources)];
  let points: SweepPoint[] = [];
  if (!problems.some((p) => p.segments[0] === 'sweep') && isSweepSpec(value.sweep)) {
    const sweepProblems = checkSweep(value.sweep, composed.sources);
    problems.push(...sweepProblems);
    if (sweepProblems.length === 0) {
      const baseTexts = new Set(problems.map((p) => problemText(p)));
      const expanded = expandPoints(composed, value.sweep, options.plugins, baseTexts);
      problems.push(...expanded.problems);
      points = expanded.points;
    }
  }
  if (problems.length > 0) return { problems };

  const config = deepFreeze(value) as unknown as ExperimentConfig;
  const loaded: LoadedExperiment = deepFreeze({
    config,
    hash: stableHash(config),
    file: abs,
    sources: sourcesOf(composed),
    dropped: [...new Set(ctx.dropped)],
    points,
  });
  return { loaded, problems: [] };
}

function sourcesOf(tree: Tree): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  for (const [key, entry] of tree.sources) {
    const segments = splitPathKey(key);
    if (segments.length > 0) out[dotted(segments)] = entry.value;
  }
  return out;
}

/**
 * The sweep's points: grid (cartesian product, first key slowest) x zip (elementwise), then the
 * explicit points; each applied to the base config and validated again (identical configs kept
 * once). Folds and seeds are not expanded here (the runner's axes). Takes what loadExperiment
 * returned (its points, computed at load time), or a config, which needs `plugins` and has no YAML positions.
 */
export function expandSweepPoints(experiment: LoadedExperiment | ExperimentConfig, plugins?: PluginSchemas): SweepPoint[] {
  if ('hash' in experiment && 'sources' in experiment) return [...(experiment as LoadedExperiment).points];
  const config = experiment as ExperimentConfig;
  if (!plugins) {
    throw new SerError(
      'USAGE',
      'expandSweepPoints: a config alone does not carry its points; pass what loadExperiment returned, or the plugin schemas as the second argument',
    );
  }
  const tree: Tree = { ...emptyTree(), value: structuredClone(config) as unknown as Record<string, unknown> };
  const problems = checkSweep(config.sweep, tree.sources);
  const expanded = problems.length === 0 ? expandPoints(tree, config.sweep, plugins, new Set()) : { points: [], problems: [] };
  problems.push(...expanded.problems);
  if (problems.length > 0) {
    const sorted = sortProblems(problems);
    throw new SerError('CONFIG_INVALID', `${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the sweep:\n${sorted.map(problemText).join('\n')}`, {
      details: { problems: sorted.map(toConfigProblem) },
    });
  }
  return expanded.points;
}
