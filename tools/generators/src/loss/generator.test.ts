import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
// CommonJS module, loaded the way nx loads it
import lossGenerator from './generator.cjs';

describe('@ser/generators:loss', () => {
  it('scaffolds packages/loss-<id> with the config files copied from an existing loss package', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('packages/loss-softmax/tsconfig.json', '{ "copied": true }\n');
    await lossGenerator(tree, { name: 'ring' });
    const dir = 'packages/loss-ring';
    expect(tree.children(dir).sort()).toEqual(['README.md', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json', 'vitest.config.ts']);
    expect(tree.children(`${dir}/src`).sort()).toEqual(['index.ts', 'ring.test.ts']);
    expect(tree.read(`${dir}/tsconfig.json`, 'utf8')).toBe('{ "copied": true }\n');
    const pkg = JSON.parse(tree.read(`${dir}/package.json`, 'utf8')!);
    expect(pkg.name).toBe('@ser/loss-ring');
    expect(pkg.nx.tags).toEqual(['type:plugin']);
    expect(Object.keys(pkg.scripts).sort()).toEqual(['build', 'lint', 'test', 'typecheck']);
    const index = tree.read(`${dir}/src/index.ts`, 'utf8')!;
    expect(index).toContain("export const ringLoss = defineLoss<RingLossConfig>({");
    expect(index).toContain("id: 'ring'");
    expect(index.split('\n').filter((l) => l.includes('FILL IN'))).toHaveLength(1);
    expect(tree.read(`${dir}/src/ring.test.ts`, 'utf8')).toContain('describeLossConformance(ringLoss);');
  });

  it('names multi-word ids in camelCase and does not double "Loss"', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await lossGenerator(tree, { name: 'angular-center-loss' });
    const index = tree.read('packages/loss-angular-center-loss/src/index.ts', 'utf8')!;
    expect(index).toContain('export const angularCenterLoss = defineLoss<AngularCenterLossConfig>');
    expect(index).toContain('terms: { softmax, angularCenterLoss: term }');
  });

  it('refuses bad ids and existing packages, saying what to do', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await expect(lossGenerator(tree, { name: 'Ring' })).rejects.toThrow(/kebab-case/);
    await expect(lossGenerator(tree, { name: 'loss-ring' })).rejects.toThrow(/without the 'loss-' prefix \('ring'\)/);
    tree.write('packages/loss-ring/package.json', '{}');
    await expect(lossGenerator(tree, { name: 'ring' })).rejects.toThrow(/already exists/);
  });
});
