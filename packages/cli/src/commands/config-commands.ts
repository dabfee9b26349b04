import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { SerError, writeFileAtomic } from '@ser/core';
import { buildSchema, formatLocation, validateFile } from '@ser/config';
import { plugins } from '../plugins.js';

/** `ser schema`: the editor schema of experiment files. */
export function schemaCommand(opts: { out: string }): void {
  const schema = buildSchema(plugins, { target: 'editor' });
  writeFileAtomic(opts.out, JSON.stringify(schema, null, 2) + '\n');
  process.stdout.write(
    `wrote ${opts.out}\n` +
      `editors with yaml-language-server check and complete experiment files that start with\n` +
      `  # yaml-language-server: $schema=${path.relative(path.join(process.cwd(), 'experiments'), path.resolve(opts.out))}\n`,
  );
}

/** `ser validate FILE`: every problem, one per line, with file:line:column; exit 1 when any. */
export function validateCommand(file: string, overrides: string[], opts: { print?: boolean }): void {
  if (!fs.existsSync(file)) throw new SerError('CONFIG_NOT_FOUND', `experiment file not found: ${file}`);
  const report = validateFile(file, plugins, { overrides });
  if (report.problems.length > 0) {
    process.stderr.write(`${file}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n`);
    for (const p of report.problems) process.stderr.write(`  ${p.text}\n`);
    process.exitCode = 1;
    return;
  }
  const e = report.experiment!;
  // the config is well-formed, but plan and run would stop at a corpus folder that is not there
  const corpusPath = (e.config.dataset as { path?: unknown }).path;
  if (typeof corpusPath === 'string' && !fs.existsSync(path.resolve(corpusPath))) {
    const at = e.sources['dataset.path'] ? `${formatLocation(e.sources['dataset.path'])} ` : '';
    process.stderr.write(
      `${file}: 1 problem\n  ${at}dataset.path: ${corpusPath} does not exist (a relative path is taken from the working directory, ${process.cwd()}); pass your copy with dataset.path=/path/to/corpus\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    `${file}: valid (experiment '${e.config.name}', ${report.points} sweep point${report.points === 1 ? '' : 's'}, config hash ${e.hash.slice(0, 12)})\n`,
  );
  if (e.dropped.length > 0) process.stdout.write(`note: keys dropped because their plugin id changed: ${e.dropped.join(', ')}\n`);
  if (opts.print) process.stdout.write(stringify(e.config));
}
