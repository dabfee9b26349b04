import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
// CommonJS module, loaded the way nx loads it
import lossGenerator from './generator.cjs';

describe('@ser/generators:loss', () => {
  it('scaffolds packages/loss-<id> laid out like the hand-written losses, with the config files copied from an existing loss package', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('packages/loss-softmax/tsconfig.json', '{ "copied": true }\n');
    await lossGenerator(tree, { name: 'ring', skipInstall: true });
    const dir = 'packages/loss-ring';
    expect(tree.children(dir).sort()).toEqual(['README.md', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json', 'vitest.config.ts']);
    expect(tree.children(`${dir}/src`).sort()).toEqual(['index.ts', 'ring-loss.test.ts', 'ring-loss.ts']);
    expect(tree.read(`${dir}/tsconfig.json`, 'utf8')).toBe('{ "copied": true }\n');
    const pkg = JSON.parse(tree.read(`${dir}/package.json`, 'utf8')!);
    expect(pkg.name).toBe('@ser/loss-ring');
    expect(pkg.nx.tags).toEqual(['type:plugin']);
    expect(Object.keys(pkg.scripts).sort()).toEqual(['build', 'lint', 'test', 'typecheck']);
    expect(tree.read(`${dir}/src/index.ts`, 'utf8')).toBe(
      "export { ringLoss } from './ring-loss.js';\nexport type { RingLossConfig } from './ring-loss.js';\n",
    );
    const loss = tree.read(`${dir}/src/ring-loss.ts`, 'utf8')!;
    expect(loss).toContain('export const ringLoss = defineLoss<RingLossConfig>({');
    expect(loss).toContain("id: 'ring'");
    expect(loss.split('\n').filter((l) => l.includes('FILL IN'))).toHaveLength(1);
    // the softmax term's options, as every loss with a softmax term takes them
    expect(loss).toContain('export interface RingLossConfig extends SoftmaxOptions {');
    expect(loss).toContain('...softmaxOptionsSchema,');
    expect(loss).toContain("checkClassWeights('ring', 'classWeights', config.classWeights, context.numClasses);");
    expect(loss).toContain('softmaxCrossEntropy(inputs.logits, inputs.labels, config)');
    const test = tree.read(`${dir}/src/ring-loss.test.ts`, 'utf8')!;
    expect(test).toContain("import { ringLoss } from './ring-loss.js';");
    expect(test).toContain('describeLossConformance(ringLoss);');
    expect(test).toContain('with lambda 0 equals softmax cross-entropy');
  });

  it('declares the plugin for discovery in package.json', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await lossGenerator(tree, { name: 'ring', skipInstall: true });
    expect(JSON.parse(tree.read('packages/loss-ring/package.json', 'utf8')!).ser).toEqual({ plugin: 'loss', export: 'ringLoss' });
  });

  it('writes the config piece configs/loss/<id>.yaml with the loss defaults and the description as its comment', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await lossGenerator(tree, { name: 'ring', description: 'Ring loss (Zheng et al., CVPR 2018).', skipInstall: true });
    expect(tree.read('configs/loss/ring.yaml', 'utf8')).toBe(
      "# Ring loss (Zheng et al., CVPR 2018).\n# softmax + lambda * the ring term (packages/loss-ring); the plugin's defaults, written out.\nid: ring\nlambda: 0.01\n",
    );
    // the piece's lambda is the schema default
    expect(tree.read('packages/loss-ring/src/ring-loss.ts', 'utf8')).toMatch(/lambda: \{ description: .*default: 0\.01 \}/);
  });

  it('keeps quotes in the description intact in TypeScript, JSON and Markdown', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const description = `Wen's "center" loss, again.`;
    await lossGenerator(tree, { name: 'quoted', description, skipInstall: true });
    expect(JSON.parse(tree.read('packages/loss-quoted/package.json', 'utf8')!).description).toBe(description);
    expect(tree.read('packages/loss-quoted/src/quoted-loss.ts', 'utf8')).toContain(`description: 'Wen\\'s "center" loss, again.',`);
    expect(tree.read('packages/loss-quoted/README.md', 'utf8')).toContain(description);
  });

  it('names multi-word ids in camelCase and does not double "Loss"', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await lossGenerator(tree, { name: 'angular-center-loss', skipInstall: true });
    const loss = tree.read('packages/loss-angular-center-loss/src/angular-center-loss.ts', 'utf8')!;
    expect(loss).toContain('export const angularCenterLoss = defineLoss<AngularCenterLossConfig>');
    expect(loss).toContain('terms: { softmax, angularCenterLoss: term }');
  });

  it('refuses bad ids, existing packages and existing config pieces, saying what to do', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await expect(lossGenerator(tree, { name: 'Ring' })).rejects.toThrow(/kebab-case/);
    await expect(lossGenerator(tree, { name: 'loss-ring' })).rejects.toThrow(/without the 'loss-' prefix \('ring'\)/);
    tree.write('packages/loss-ring/package.json', '{}');
    await expect(lossGenerator(tree, { name: 'ring' })).rejects.toThrow(/already exists/);
    tree.write('configs/loss/margin.yaml', 'id: margin\n');
    await expect(lossGenerator(tree, { name: 'margin' })).rejects.toThrow(/configs\/loss\/margin\.yaml already exists/);
    expect(tree.exists('packages/loss-margin')).toBe(false);
  });
});
