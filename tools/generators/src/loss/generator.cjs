// `npx nx g @ser/generators:loss <name>`: scaffolds packages/loss-<name>, a loss plugin that runs
// the loss conformance suite from the start. CommonJS so nx loads it without a build step.
const path = require('node:path');
const { formatFiles, generateFiles, installPackagesTask, logger, names } = require('@nx/devkit');

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
  const description = String(options.description || `Loss plugin: ${id}.`)
    .replace(/\s+/g, ' ')
    .trim();
  return {
    id,
    dir: `packages/loss-${id}`,
    packageName: `@ser/loss-${id}`,
    // 'ring' -> ringLoss; 'ring-loss' -> ringLoss, not ringLossLoss
    exportName: n.propertyName.endsWith('Loss') ? n.propertyName : `${n.propertyName}Loss`,
    typeName: `${n.className.replace(/Loss$/, '')}LossConfig`,
    termName: n.propertyName,
    // 'ring' -> ring-loss.ts, as packages/loss-center/src/center-loss.ts; 'ring-loss' -> ring-loss.ts
    fileStem: id.endsWith('-loss') ? id : `${id}-loss`,
    configPiece: `configs/loss/${id}.yaml`,
    description,
    // the description inside a '...' TypeScript string and a "..." JSON string
    descriptionTs: description.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
    descriptionJson: JSON.stringify(description).slice(1, -1),
    skipInstall: options.skipInstall === true,
  };
}

/** The config piece configs/loss/<id>.yaml: the loss' defaults, so `defaults: { loss: <id> }` and `loss=<id>` work. */
function configPiece(o) {
  return [
    `# ${o.description}`,
    `# softmax + lambda * the ${o.termName} term (packages/loss-${o.id}); the plugin's defaults, written out.`,
    `id: ${o.id}`,
    'lambda: 0.01',
    '',
  ].join('\n');
}

/** What to do next, printed once the files are written (not on --dry-run, which writes nothing). */
function nextSteps(o) {
  return [
    `Created ${o.dir} (${o.packageName}) and ${o.configPiece}. The CLI finds the package by itself`,
    `(the "ser" field of its package.json); nothing else to register. Next:`,
    o.skipInstall
      ? `  0. run npm install  (adds the package to package-lock.json, links it, regenerates ser.schema.json)`
      : `  (npm install ran: the package is in package-lock.json and node_modules, and ser.schema.json lists it)`,
    `  1. write the formula: ${o.dir}/src/${o.fileStem}.ts, the line marked FILL IN; then the TSDoc, the README`,
    `     and the comment of ${o.configPiece} (the paper); new config keys go in the schema and the piece`,
    `  2. test it: npx vitest run ${o.dir}   (add a hand-computed value beside the conformance suite)`,
    `  3. try it: npx ser run experiments/demo.yaml loss=${o.id} 'sweep.grid={loss.lambda: [0.01, 0.1]}' 'sweep.points=[]' output.dir=results/demo-${o.id}`,
  ];
}

async function lossGenerator(tree, options) {
  const o = normalise(options);
  if (tree.exists(o.dir) && tree.children(o.dir).length > 0) {
    throw new Error(`@ser/generators:loss: ${o.dir} already exists; choose another id or remove that folder first`);
  }
  if (tree.exists(o.configPiece)) {
    throw new Error(`@ser/generators:loss: ${o.configPiece} already exists (another loss with id '${o.id}'?); choose another id or remove that file first`);
  }
  generateFiles(tree, path.join(__dirname, 'files'), o.dir, { ...o, tmpl: '' });
  for (const file of COPIED) {
    const from = `${REFERENCE}/${file}`;
    if (tree.exists(from)) tree.write(`${o.dir}/${file}`, tree.read(from));
  }
  tree.write(o.configPiece, configPiece(o));
  // the workspace's Prettier settings (npm test checks them), whatever the id's length does to the lines
  await formatFiles(tree);
  // Runs after nx has written the files: a --dry-run writes nothing, installs nothing, prints no next steps.
  return () => {
    // npm install: package-lock.json gets the new workspace package (npm ci refuses a lock without
    // it), node_modules links it, and the postinstall step regenerates ser.schema.json
    if (!o.skipInstall) installPackagesTask(tree, true);
    for (const line of nextSteps(o)) logger.info(line);
  };
}

module.exports = lossGenerator;
module.exports.default = lossGenerator;
module.exports.lossGenerator = lossGenerator;
module.exports.normalise = normalise;
module.exports.nextSteps = nextSteps;
module.exports.configPiece = configPiece;
