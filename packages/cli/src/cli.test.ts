// The `ser` program as a user meets it: help, version, config errors, bad input, data commands.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSchema } from '@ser/config';
import { runCommandLine } from './commands/sweep-commands.js';
import { plugins } from './plugins.js';
import { ser, tempDir, workspaceRoot } from './test-support.js';

const work = tempDir('cli');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('ser', () => {
  it('prints its version and help for every subcommand', () => {
    const version = ser(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')).version);
    const subcommands = ['doctor', 'schema', 'validate', 'plan', 'run', 'cell', 'submit', 'report', 'compare', 'data', 'data describe', 'data synth'];
    const top = ser(['--help']);
    for (const sub of subcommands.filter((s) => !s.includes(' '))) expect(top.stdout).toContain(sub);
    for (const sub of subcommands) {
      const r = ser([...sub.split(' '), '--help']);
      expect(r.status, sub).toBe(0);
      expect(r.stdout, sub).toMatch(/^Usage: ser /);
    }
  });

  it('exits 2 with usage on an unknown command or a missing argument', () => {
    expect(ser(['frobnicate']).status).toBe(2);
    expect(ser(['run']).status).toBe(2);
  });

  it('validate lists every problem with file:line:column and exits 1', () => {
    const file = path.join(work, 'broken.yaml');
    fs.writeFileSync(
      file,
      [
        'name: broken',
        'defaults: { dataset: synthetic-demo, features: logmel-small, model: cnn-birnn-small, loss: center, trainer: demo }',
        'loss:',
        '  lamda: 0.1',
        'trainer:',
        '  epochs: ten',
        '',
      ].join('\n'),
    );
    const r = ser(['validate', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:4:3 loss.lamda: unknown key for loss 'center' (did you mean 'lambda'?)`);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:6:11 trainer\\.epochs: expected integer`));
  });

  it('validate accepts every shipped experiment, and overrides', () => {
    const r = ser(['validate', 'experiments/demo.yaml', 'loss.lambda=0.05']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("valid (experiment 'demo'");
    const bad = ser(['validate', 'experiments/demo.yaml', 'loss.lambda=-1']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("command-line override 'loss.lambda=-1'");
  });

  it('names a missing experiment file and a missing corpus folder with the fix', () => {
    const missing = ser(['plan', 'experiments/nope.yaml']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('[CONFIG_NOT_FOUND] experiment file not found: experiments/nope.yaml');
    const corpus = ser(['plan', 'experiments/emodb-center-loss.yaml', `dataset.path=${path.join(work, 'no-emodb')}`]);
    expect(corpus.status).toBe(1);
    expect(corpus.stderr).toContain('[DATASET_NOT_FOUND] EMO-DB folder not found');
    expect(corpus.stderr).toContain("dataset.path in the command-line override 'dataset.path=");
  });

  it('report refuses a folder that holds no results', () => {
    const r = ser(['report', work]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[REPORT_EMPTY]');
  });

  it('data synth writes WAV files and a manifest the manifest loader reads, and data describe counts them', () => {
    const out = path.join(work, 'synth');
    const synth = ser(['data', 'synth', '--out', out, '--speakers', '3', '--per-class', '2'], { SER_CACHE_DIR: path.join(work, 'cache') });
    expect(synth.status, synth.stderr).toBe(0);
    expect(fs.readdirSync(path.join(out, 'wav'))).toHaveLength(24);
    const piece = path.join(work, 'configs', 'dataset', 'mine.yaml');
    fs.mkdirSync(path.dirname(piece), { recursive: true });
    fs.writeFileSync(piece, `id: manifest\npath: ${path.join(out, 'manifest.csv')}\nprotocol: { id: leave-one-speaker-out, validationSpeakers: 1 }\n`);
    const described = ser(['data', 'describe', piece]);
    expect(described.status, described.stderr).toBe(0);
    expect(described.stdout).toContain('utterances: 24');
    expect(described.stdout).toMatch(/per fold \(3\)/);
  });
});

describe('ser.schema.json', () => {
  it('`ser schema` writes every loss package of the workspace, each with its keys and their defaults', async () => {
    const out = path.join(work, 'ser.schema.json');
    const r = ser(['schema', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(buildSchema(plugins, { target: 'editor' }))));
    // the loss packages as they are on disk, read without plugin discovery
    const dirs = fs.readdirSync(path.join(workspaceRoot, 'packages')).filter((d) => d.startsWith('loss-') && d !== 'loss-core');
    expect(dirs.length).toBeGreaterThanOrEqual(9);
    const loss = written.properties.loss;
    for (const dir of dirs) {
      const pkg = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'packages', dir, 'package.json'), 'utf8'));
      const definition = (await import(pkg.name))[pkg.ser?.export];
      expect(definition?.id, `${pkg.name}: "ser.export" names its definition`).toBeTypeOf('string');
      expect(loss.properties.id.enum, dir).toContain(definition.id);
      const branch = loss.allOf.find((b: any) => b.if.properties.id.const === definition.id)?.then;
      expect(branch, `the schema's branch for loss '${definition.id}'`).toBeDefined();
      for (const [key, prop] of Object.entries<any>(definition.schema.properties ?? {})) {
        expect(branch.properties[key]?.default, `loss.${key} of '${definition.id}'`).toEqual(prop.default);
        expect(branch.properties[key]?.description, `loss.${key} of '${definition.id}'`).toBe(prop.description);
      }
    }
  });

  it('is generated, not committed: npm install and npm test write it, git ignores it', () => {
    const root = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8'));
    expect(root.scripts.schema).toBe('ser schema --out ser.schema.json');
    expect(root.scripts.postinstall).toContain('npm run --silent schema');
    expect(root.scripts.test).toMatch(/^npm run --silent schema && /);
    expect(fs.readFileSync(path.join(workspaceRoot, '.gitignore'), 'utf8').split('\n')).toContain('/ser.schema.json');
  });

  it('run exits 1 when a cell diverged, also with a finite blow-up, and says so', () => {
    const results = path.join(work, 'diverged');
    const tiny = [
      'sweep.grid={}',
      'sweep.points=[]',
      'sweep.folds=1',
      'sweep.seeds=[0]',
      'dataset.speakers=4',
      'dataset.utterancesPerSpeakerPerClass=2',
      'dataset.durationS=[0.6,0.9]',
    ];
    const blowUp = [
      'trainer.epochs=4',
      'trainer.minSteps=null',
      'trainer.batchSize=4',
      'trainer.optimizer.learningRate=1000',
      'trainer.divergence.steps=2',
      `output.dir=${results}`,
    ];
    const r = ser(['run', 'experiments/demo.yaml', ...tiny, ...blowUp, '--workers', '1', '--no-report'], { SER_CACHE_DIR: path.join(work, 'cache') });
    expect(r.stdout + r.stderr).toMatch(/1 cell diverged/);
    expect(r.stderr).toMatch(/LOSS_DIVERGED|NON_FINITE_LOSS/);
    expect(r.status).toBe(1);
  });

  it('the resume and rerun hints repeat the command-line overrides, quoted for the shell', () => {
    const line = runCommandLine('experiments/demo.yaml', ['trainer.epochs=2', 'sweep.seeds=[0, 1]', "name=it's"], { results: 'out dir', rerunFailed: true });
    expect(line).toBe(`npx ser run experiments/demo.yaml trainer.epochs=2 'sweep.seeds=[0, 1]' 'name=it'\\''s' --results 'out dir' --rerun-failed`);
  });

  it('validate says when dataset.path does not exist, where it was set, and exits 1', () => {
    const r = ser(['validate', 'experiments/emodb-center-loss.yaml', 'dataset.path=/no/such/emodb']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("command-line override 'dataset.path=/no/such/emodb' dataset.path: /no/such/emodb does not exist");
  });

  it('an empty experiment file or a top-level list is one clear problem; NaN and infinity are named', () => {
    const empty = path.join(work, 'empty.yaml');
    fs.writeFileSync(empty, '# nothing yet\n');
    const e = ser(['validate', empty]);
    expect(e.status).toBe(1);
    expect(e.stderr).toMatch(/: 1 problem\n.*empty\.yaml is empty: an experiment needs at least name, dataset, model and loss/);
    const list = path.join(work, 'list.yaml');
    fs.writeFileSync(list, '- name: x\n');
    expect(ser(['validate', list]).stderr).toMatch(/: 1 problem\n.*found a list/);
    const r = ser(['validate', 'experiments/demo.yaml', 'seed=.nan', 'trainer.gradientClipNorm=.inf', 'trainer.epochs=1e400']);
    expect(r.stderr).toMatch(/seed: expected integer .*, found NaN/);
    expect(r.stderr).toMatch(/trainer\.gradientClipNorm: expected number > 0 or null, found infinity/);
    expect(r.stderr).toMatch(/trainer\.epochs: expected integer .*, found infinity/);
  });
});
