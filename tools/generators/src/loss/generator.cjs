// `npx nx g @ser/generators:loss <name>`: scaffolds packages/loss-<name>, a loss plugin that runs
// the loss conformance suite from the start. CommonJS so nx loads it without a build step.
const path = require('node:path');
const { generateFiles, logger, names } = require('@nx/devkit');

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
// Copied from an existing loss package, so a new package follows the workspace's current settings.
const COPIED = ['tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts'];
const REFERENCE = 'packages/loss-softmax';

/** Validates the options and derives the names used in the templates. */
function normalise(options) {
  const id = String(options.name ?? '').trim();
  if (!ID.test(id)) {
    throw new Error(`@ser/generators:loss: name must be a kebab-case id such as 'ring' or 'angular-center', got '${id}'`);
  }
  if (id.startsWith('loss-')) {
    throw new Error(`@ser/generators:loss: give the id without the 'loss-' prefix ('${id.slice(5)}'); the package is named loss-<id>`);
  }
  const n = names(id);
  return {
    id,
    dir: `packages/loss-${id}`,
    packageName: `@ser/loss-${id}`,
    // 'ring' -> ringLoss; 'ring-loss' -> ringLoss, not ringLossLoss
    exportName: n.propertyName.endsWith('Loss') ? n.propertyName : `${n.propertyName}Loss`,
    typeName: `${n.className.replace(/Loss$/, '')}LossConfig`,
    termName: n.propertyName,
    fileName: n.fileName,
    description: options.description || `Loss plugin: ${id}.`,
  };
}

/** The lines a developer runs or pastes after generation (also printed on --dry-run). */
function nextSteps(o) {
  return [
    `Created ${o.dir} (${o.packageName}). Next:`,
    `  1. run npm install  (links the new workspace package into node_modules)`,
    `  2. write the formula: ${o.dir}/src/index.ts, the line marked FILL IN; then the TSDoc and the README`,
    `  3. register it in packages/cli/src/plugins.ts: the import, and one entry in the plugins' losses list:`,
    `       import { ${o.exportName} } from '${o.packageName}';`,
    `       export const plugins: PluginRegistry = { ..., losses: [ ..., ${o.exportName} ] };`,
    `     add "${o.packageName}": "*" to the dependencies of packages/cli/package.json,`,
    `     and run npx ser schema --out ser.schema.json (editors and a CLI test use it)`,
    `  4. cd ${o.dir} && npx tsc -p tsconfig.json && npx eslint src && npx vitest run`,
  ];
}

async function lossGenerator(tree, options) {
  const o = normalise(options);
  if (tree.exists(o.dir) && tree.children(o.dir).length > 0) {
    throw new Error(`@ser/generators:loss: ${o.dir} already exists; choose another id or remove that folder first`);
  }
  generateFiles(tree, path.join(__dirname, 'files'), o.dir, { ...o, tmpl: '' });
  for (const file of COPIED) {
    const from = `${REFERENCE}/${file}`;
    if (tree.exists(from)) tree.write(`${o.dir}/${file}`, tree.read(from));
  }
  // Printed after nx has written the files: a --dry-run writes nothing and prints no next steps.
  return () => {
    for (const line of nextSteps(o)) logger.info(line);
  };
}

module.exports = lossGenerator;
module.exports.default = lossGenerator;
module.exports.lossGenerator = lossGenerator;
module.exports.normalise = normalise;
module.exports.nextSteps = nextSteps;
