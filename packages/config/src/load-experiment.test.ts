import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment, validateFile } from './load-experiment.js';
import { MINIMAL, at, problemsOf, writeProject } from './test-helpers.js';
import { testPlugins as plugins } from './test-plugins.js';

const CENTER_PIECE = '# center loss\nid: center\nlambda: 0.01\nalpha: 0.5\n';

/** Loads `exp.yaml` of a project made of `files`. */
function load(files: Record<string, string>, overrides: string[] = []) {
  const dir = writeProject(files);
  return loadExperiment(path.join(dir, 'exp.yaml'), { plugins, overrides });
}
function problems(files: Record<string, string>, overrides: string[] = [], code: Parameters<typeof problemsOf>[1] = 'CONFIG_INVALID') {
  return problemsOf(() => load(files, overrides), code);
}

describe('loadExperiment: errors name file:line:column, the key path, expected and found', () => {
  it('YAML syntax error -> CONFIG_YAML_SYNTAX with the position', () => {
    const { message, problems: ps } = problems({ 'exp.yaml': 'name: demo\nloss: { id: center\nseed: 1\n' }, [], 'CONFIG_YAML_SYNTAX');
    expect(ps.length).toBeGreaterThan(0);
    expect(ps[0].source).toMatchObject({ kind: 'file', line: 3 });
    expect(message).toMatch(/exp\.yaml:3:\d+ YAML syntax error: /);
  });

  it('an alias without its anchor is a config error at its line and column, not a ReferenceError', () => {
    const { message, problems: ps } = problems({ 'exp.yaml': `${MINIMAL}trainer: *b\n` }, [], 'CONFIG_YAML_SYNTAX');
    expect(ps[0].source).toMatchObject({ kind: 'file', line: 5, column: 10 });
    expect(message).toMatch(/exp\.yaml:5:10 YAML error: the alias \*b has no anchor &b/);
  });

  it('an alias bomb is refused by size, quickly', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ];
    const started = Date.now();
    const { message } = problems(
      { 'exp.yaml': `${MINIMAL}description: x\n${bomb.map((l) => `# ${l}`).join('\n')}\nbomb:\n${bomb.map((l) => `  ${l}`).join('\n')}\n` },
      [],
      'CONFIG_YAML_SYNTAX',
    );
    expect(message).toMatch(/exp\.yaml:\d+:\d+ YAML error: .*(alias bomb|aliases)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('duplicate keys are syntax errors', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}seed: 1\nseed: 2\n` }, [], 'CONFIG_YAML_SYNTAX');
    expect(at(ps[0])).toBe('exp.yaml:6:1');
  });

  it('unknown top-level key, with a suggestion', () => {
    const { problems: ps, message } = problems({ 'exp.yaml': `${MINIMAL}seeed: 3\n` });
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ path: 'seeed', message: "unknown key (did you mean 'seed'?)" });
    expect(at(ps[0])).toBe('exp.yaml:5:1');
    expect(message).toContain("exp.yaml:5:1 seeed: unknown key (did you mean 'seed'?)");
  });

  it('unknown nested key in a core block, with a suggestion', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}trainer:\n  optimizer: { id: adam, learningRat: 0.1 }\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:6:26', 'trainer.optimizer.learningRat', "unknown key for optimizer 'adam' (did you mean 'learningRate'?)"],
    ]);
  });

  it('unknown key in a plugin block names the plugin and suggests', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL.replace('{ id: center }', '{ id: center, lamda: 0.1 }') });
    expect(ps.map((p) => [at(p), p.text.split(' ').slice(1).join(' ')])).toEqual([
      ['exp.yaml:4:21', "loss.lamda: unknown key for loss 'center' (did you mean 'lambda'?)"],
    ]);
  });

  it('wrong type: expected and found', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}trainer:\n  batchSize: "32"\n  bucketing: yes please\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:6:14', 'trainer.batchSize', 'expected integer >= 1, found "32"'],
      ['exp.yaml:7:14', 'trainer.bucketing', 'expected boolean, found "yes please"'],
    ]);
  });

  it('out-of-range number, in the format of the brief', () => {
    const { message, problems: ps } = problems({
      'exp.yaml': `${MINIMAL.replace('loss: { id: center }\n', '')}loss:\n  id: center\n  lambda: -1\n`,
    });
    expect(ps).toHaveLength(1);
    expect(ps[0].text).toMatch(/exp\.yaml:6:11 loss\.lambda: expected number >= 0, found -1$/);
    expect(message.split('\n')[1]).toBe(ps[0].text);
  });

  it('unknown plugin id: one error listing the known ids', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL.replace('{ id: center }', '{ id: centre, lambda: 0.1 }') });
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ path: 'loss.id', message: "unknown loss 'centre' (did you mean 'center'?); known: softmax, center, cosface" });
    expect(at(ps[0])).toBe('exp.yaml:4:13');
  });

  it('an enum value out of the list', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}features: { window: hanning }\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([['exp.yaml:5:21', 'features.window', "expected one of 'hamming', 'hann', found \"hanning\""]]);
  });

  it('missing required keys: top level and inside a plugin block', () => {
    const { problems: ps } = problems({ 'exp.yaml': 'dataset: { id: emodb }\nmodel: { id: cnn-birnn }\nloss: { id: cosface }\n' });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:1:1', '', "missing required key 'name'"],
      ['exp.yaml:1:1', 'dataset', "missing required key 'path'"],
      ['exp.yaml:3:1', 'loss', "missing required key 'margin'"],
    ]);
  });

  it('a plugin block without id lists the ids', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL.replace('{ id: center }', '{ lambda: 0.1 }') });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([['exp.yaml:4:1', 'loss', "missing required key 'id' (known: softmax, center, cosface)"]]);
  });

  it('a plugin group given as a string hints at defaults', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL.replace('loss: { id: center }', 'loss: center') });
    expect(ps[0].message).toBe('expected object, found "center" (to use the piece configs/loss/center.yaml write defaults: { loss: center })');
  });

  it('bad command-line overrides: syntax, YAML value, wrong type', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL }, ['loss.lambda', 'sweep.seeds=[0,1', 'loss.lambda=abc', 'a..b=1']);
    expect(ps.map((p) => p.text)).toEqual([
      "command-line override 'a..b=1': 'a..b' is not a key path: use dot-separated keys of letters, digits, _ and -, e.g. trainer.optimizer.learningRate",
      "command-line override 'loss.lambda': expected key.path=value, e.g. loss.lambda=0.01",
      'command-line override \'loss.lambda=abc\' loss.lambda: expected number >= 0, found "abc"',
      expect.stringMatching(/^command-line override 'sweep\.seeds=\[0,1': the value is not valid YAML: /),
    ]);
  });

  it('an override through a scalar is reported', () => {
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL }, ['name.first=x']);
    expect(ps[0].text).toMatch(
      /^command-line override 'name\.first=x' name\.first: cannot set a key below name: it is "demo", not an object \(set at .*exp\.yaml:1:7\)$/,
    );
  });

  it('bad sweep key: reported at the sweep key with the point', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}sweep:\n  grid:\n    loss.lamda: [0.1, 0.2]\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:7:5', 'loss.lamda', "unknown key for loss 'center' (did you mean 'lambda'?) (sweep points 0, 1 of 2)"],
    ]);
  });

  it('a sweep key that cannot be swept, and a malformed one', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}sweep:\n  grid: { seed: [1, 2], 'loss..x': [1] }\n` });
    expect(ps.map((p) => [at(p), p.message])).toEqual([
      ['exp.yaml:6:11', "'seed' cannot be swept: seeds are an axis of their own: use sweep.seeds"],
      ['exp.yaml:6:25', "'loss..x' is not a key path: use dot-separated keys, e.g. loss.lambda"],
    ]);
  });

  it('a grid value of the wrong type: at the value, naming the point', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}sweep:\n  grid:\n    loss.lambda: [0.1, fast, -2]\n    loss.alpha: [0.5]\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:7:24', 'loss.lambda', 'expected number >= 0, found "fast" (sweep point 1 of 3: loss.lambda="fast", loss.alpha=0.5)'],
      ['exp.yaml:7:30', 'loss.lambda', 'expected number >= 0, found -2 (sweep point 2 of 3: loss.lambda=-2, loss.alpha=0.5)'],
    ]);
  });

  it('zip length mismatch names the keys and lengths', () => {
    const { problems: ps } = problems({
      'exp.yaml': `${MINIMAL}sweep:\n  zip:\n    trainer.optimizer.learningRate: [0.1, 0.01, 0.001]\n    trainer.epochs: [5, 10]\n`,
    });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:6:3', 'sweep.zip', 'zip keys must have equal lengths, found trainer.optimizer.learningRate: 3, trainer.epochs: 2'],
    ]);
  });

  it('sweep.folds and seeds are checked', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}sweep: { folds: 0, seeds: [1, 1] }\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      [
        'exp.yaml:5:17',
        'sweep.folds',
        "expected 'all' or array of (string of at least 1 characters) with at least 1 item without duplicates or integer >= 1, found 0",
      ],
      ['exp.yaml:5:27', 'sweep.seeds', 'expected array of (integer >= 0) with at least 1 item without duplicates, found [1,1]'],
    ]);
  });

  it('missing defaults piece -> CONFIG_NOT_FOUND listing the pieces of the group', () => {
    const { message, problems: ps } = problems(
      {
        'exp.yaml': `name: demo\ndefaults:\n  loss: centre\n${MINIMAL.split('\n').slice(1, 3).join('\n')}\n`,
        'configs/loss/center.yaml': CENTER_PIECE,
        'configs/loss/softmax.yaml': 'id: softmax\n',
      },
      [],
      'CONFIG_NOT_FOUND',
    );
    expect(ps.map((p) => [at(p), p.path])).toEqual([['exp.yaml:3:9', 'defaults.loss']]);
    expect(message).toMatch(/piece not found: .*configs\/loss\/centre\.yaml \(did you mean 'center'\?\); available loss pieces: center, softmax$/);
  });

  it('missing experiment file -> CONFIG_NOT_FOUND', () => {
    const dir = writeProject({});
    expect(() => loadExperiment(path.join(dir, 'nope.yaml'), { plugins })).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }));
  });

  it('unknown defaults group and a bad piece name are reported with the other problems', () => {
    const { problems: ps } = problems({ 'exp.yaml': `defaults: { losss: center, model: 3 }\n${MINIMAL}`, 'configs/loss/center.yaml': CENTER_PIECE });
    expect(ps.map((p) => [at(p), p.path, p.message.split(';')[0]])).toEqual([
      ['exp.yaml:1:13', 'defaults.losss', "unknown defaults group (did you mean 'loss'?)"],
      ['exp.yaml:1:35', 'defaults.model', expect.stringMatching(/^expected the name of a piece in .*configs\/model, found 3$/)],
    ]);
  });

  it('an error in a defaults piece points at the piece file', () => {
    const { problems: ps } = problems({
      'exp.yaml': `defaults: { loss: center }\n${MINIMAL.replace('loss: { id: center }\n', '')}`,
      'configs/loss/center.yaml': '# center loss\nid: center\nlambda: -0.5\n',
    });
    expect(ps.map((p) => [at(p), p.path])).toEqual([['center.yaml:3:9', 'loss.lambda']]);
  });

  it('cross-key feature constraints', () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}features: { nFft: 512, fMaxHz: 9000 }\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:5:19', 'features.nFft', 'expected integer >= 640 (the 40 ms window at 16000 Hz) or null, found 512'],
      ['exp.yaml:5:32', 'features.fMaxHz', 'expected number <= 8000 (sampleRateHz / 2) or null, found 9000'],
    ]);
  });

  it("what @ser/features would refuse when the cell runs is refused at load, at the key's line", () => {
    const { problems: ps } = problems({ 'exp.yaml': `${MINIMAL}features: { nFft: 1000 }\n` });
    expect(ps.map((p) => [at(p), p.path, p.message])).toEqual([
      ['exp.yaml:5:19', 'features.nFft', 'found 1000 is invalid: use a power of two (the FFT is radix-4/2), or leave it out'],
    ]);
  });

  it('reports several errors at once, sorted by position, one per line', () => {
    const { message, problems: ps } = problems(
      {
        'exp.yaml': [
          'name: demo',
          'seed: -3',
          'dataset: { id: synthetic, speakers: 1 }',
          'model: { id: cnn-birnn, rnn: { cell: rnn } }',
          'loss: { id: center, alpha: 2 }',
          'trainer: { epochs: 0, optimizer: { id: adamw } }',
          'output: { folder: x }',
          '',
        ].join('\n'),
      },
      ['engine.backend=gpu'],
    );
    expect(ps.map((p) => `${at(p)} ${p.path}`)).toEqual([
      'exp.yaml:2:7 seed',
      'exp.yaml:3:37 dataset.speakers',
      'exp.yaml:4:38 model.rnn.cell',
      'exp.yaml:5:28 loss.alpha',
      'exp.yaml:6:20 trainer.epochs',
      'exp.yaml:6:40 trainer.optimizer.id',
      'exp.yaml:7:11 output.folder',
      'override engine.backend=gpu engine.backend',
    ]);
    expect(message.split('\n')).toHaveLength(1 + ps.length);
    expect(message.split('\n')[0]).toBe('8 problems in the experiment config:');
  });
});

describe('loadExperiment: composition', () => {
  const pieces = {
    'configs/loss/center.yaml': CENTER_PIECE,
    'configs/loss/softmax.yaml': 'id: softmax\n',
    'configs/trainer/short.yaml': 'epochs: 3\nbatchSize: 8\noptimizer: { id: adam, learningRate: 0.01 }\n',
  };
  const exp = `name: demo
defaults: { loss: center, trainer: short }
dataset: { id: synthetic }
model: { id: cnn-birnn }
loss: { lambda: 0.1 }
trainer: { batchSize: 16 }
`;

  it('defaults < the file < overrides; objects merge, scalars replace', () => {
    const { config, sources } = load({ ...pieces, 'exp.yaml': exp }, ['trainer.epochs=7']);
    expect(config.loss).toEqual({ id: 'center', lambda: 0.1, alpha: 0.5 });
    expect(config.trainer.epochs).toBe(7);
    expect(config.trainer.batchSize).toBe(16);
    expect(config.trainer.optimizer).toEqual({ id: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(sources['loss.alpha']).toMatchObject({ kind: 'file', line: 4, column: 8 });
    expect(sources['loss.alpha'].kind === 'file' && path.basename(sources['loss.alpha'].file)).toBe('center.yaml');
    expect(sources['loss.lambda']).toMatchObject({ kind: 'file', line: 5, column: 17 });
    expect(sources['trainer.epochs']).toEqual({ kind: 'override', text: 'trainer.epochs=7' });
  });

  it('an override may index into an array written in the file', () => {
    const { config } = load({ 'exp.yaml': MINIMAL.replace('{ id: cnn-birnn }', '{ id: cnn-birnn, convs: [{ filters: 4 }, { filters: 8 }] }') }, [
      'model.convs.1.filters=32',
    ]);
    expect(config.model.convs).toEqual([{ filters: 4 }, { filters: 32 }]);
    const { problems: ps } = problems({ 'exp.yaml': MINIMAL.replace('{ id: cnn-birnn }', '{ id: cnn-birnn, convs: [{ filters: 4 }] }') }, [
      'model.convs.3.filters=32',
    ]);
    expect(ps.map((p) => p.message)).toEqual(["model.convs is an array of 1 items; '3' is not an index into it"]);
  });

  it('arrays replace rather than merge', () => {
    const { config } = load({ ...pieces, 'exp.yaml': `${exp}sweep: { seeds: [0, 1, 2] }\n` }, ['sweep.seeds=[5]']);
    expect(config.sweep.seeds).toEqual([5]);
  });

  it("switching a plugin id on the command line drops the old plugin's keys and reports them", () => {
    const loaded = load({ ...pieces, 'exp.yaml': exp }, ['loss.id=softmax']);
    expect(loaded.config.loss).toEqual({ id: 'softmax' });
    expect(loaded.dropped).toEqual(['loss.lambda', 'loss.alpha']);
  });

  it('a key set in the same layer as the new id is still an unknown key', () => {
    const { problems: ps } = problems({ ...pieces, 'exp.yaml': exp }, ['loss.id=softmax', 'loss.lambda=0.2']);
    expect(ps.map((p) => p.text)).toEqual([
      "command-line override 'loss.lambda=0.2' loss.lambda: unknown key for loss 'softmax' (it takes no keys besides id)",
    ]);
  });

  it('group=piece on the command line swaps the defaults piece', () => {
    const loaded = load({ ...pieces, 'exp.yaml': exp.replace('loss: { lambda: 0.1 }\n', '') }, ['loss=softmax']);
    expect(loaded.config.loss).toEqual({ id: 'softmax' });
    expect(loaded.sources.loss).toEqual({ kind: 'file', file: expect.stringContaining('softmax.yaml'), line: 1, column: 1 });
  });

  it('extends: whole files, relative to the file, below its defaults and own keys', () => {
    const loaded = load({
      ...pieces,
      'base/common.yaml': `${MINIMAL}seed: 4\ntrainer: { epochs: 2, batchSize: 4 }\n`,
      'exp.yaml': 'extends: [base/common.yaml]\ndefaults: { trainer: short }\nname: child\n',
    });
    expect(loaded.config.name).toBe('child');
    expect(loaded.config.seed).toBe(4);
    expect(loaded.config.trainer.epochs).toBe(3); // the piece is above the extended file
    expect(loaded.config.trainer.batchSize).toBe(8);
    expect(loaded.config.output.dir).toBe('results/child');
  });

  it('extends cycles and missing extends files are reported', () => {
    const { problems: ps } = problems({ 'exp.yaml': `extends: a.yaml\n${MINIMAL}`, 'a.yaml': 'extends: exp.yaml\n' });
    expect(ps[0].message).toMatch(/^extends cycle: .*exp\.yaml -> .*a\.yaml -> .*exp\.yaml$/);
    const missing = problems({ 'exp.yaml': `extends: [gone.yaml]\n${MINIMAL}` }, [], 'CONFIG_NOT_FOUND');
    expect(at(missing.problems[0])).toBe('exp.yaml:1:11');
  });

  it('configsDir is the nearest configs/ above the experiment file', () => {
    const dir = writeProject({ ...pieces, 'experiments/deep/exp.yaml': exp });
    const loaded = loadExperiment(path.join(dir, 'experiments/deep/exp.yaml'), { plugins });
    expect(loaded.config.trainer.epochs).toBe(3);
  });
});

describe('loadExperiment: the resolved config', () => {
  it('fills every default', () => {
    const { config } = load({ 'exp.yaml': MINIMAL });
    expect(config).toEqual({
      name: 'demo',
      description: '',
      seed: 0,
      engine: { backend: 'auto' },
      dataset: {
        id: 'synthetic',
        speakers: 6,
        utterancesPerSpeaker: 8,
        classes: ['neutral', 'happy', 'angry', 'sad'],
        protocol: { id: 'leave-one-speaker-out', validationSpeakers: 1 },
        onBadAudio: 'skip',
      },
      features: {
        sampleRateHz: 16000,
        kind: 'logmel',
        windowMs: 40,
        hopMs: 10,
        nFft: null,
        window: 'hamming',
        center: false,
        preEmphasis: 0,
        spectrum: 'power',
        nMels: 128,
        fMinHz: 0,
        fMaxHz: null,
        melScale: 'slaney',
        melNorm: 'slaney',
        compression: { type: 'db', floor: 1e-10, topDb: null },
        nMfcc: 40,
        normalisation: 'utterance',
        trimSilenceDb: null,
        segment: null,
      },
      model: { id: 'cnn-birnn', convs: [{ filters: 8, kernel: [3, 3] }], rnn: { cell: 'lstm', units: 16 }, embeddingDim: 32, dropout: 0.3 },
      loss: { id: 'center', lambda: 0.01, alpha: 0.5 },
      trainer: {
        epochs: 30,
        minSteps: null,
        batchSize: 32,
        sampling: 'shuffle',
        augmentation: { cropFrames: null, timeMasks: 0, timeMaskFrames: 20, freqMasks: 0, freqMaskBins: 8 },
        optimizer: { id: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
        schedule: { id: 'constant' },
        gradientClipNorm: null,
        divergence: { factor: 100, steps: 20 },
        earlyStopping: { metric: 'ua', patience: 10, restoreBest: true },
        bucketing: true,
        bucketWindowBatches: 20,
        evalBatchSize: 64,
      },
      sweep: { grid: {}, points: [], zip: {}, folds: 'all', seeds: [0], retries: 1 },
      output: { dir: 'results/demo' },
    });
  });

  it('fills the defaults of the selected branch only (sgd, step schedule, split-file protocol)', () => {
    const { config } = load(
      {
        'exp.yaml': `${MINIMAL}seed: 3\ntrainer: { optimizer: { id: sgd }, schedule: { id: step } }\n`,
      },
      ['dataset.protocol={id: speaker-k-fold}'],
    );
    expect(config.trainer.optimizer).toEqual({ id: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 });
    expect(config.trainer.schedule).toEqual({ id: 'step', everyEpochs: 10, gamma: 0.1 });
    expect(config.dataset.protocol).toEqual({ id: 'speaker-k-fold', k: 5, validationSpeakers: 1 });
    expect(config.sweep.seeds).toEqual([3]);
  });

  it('a core block chosen by id may leave the id out: the default id is meant', () => {
    const { config } = load({ 'exp.yaml': `${MINIMAL}trainer: { optimizer: { learningRate: 0.01 } }\n` }, ['dataset.protocol.validationSpeakers=2']);
    expect(config.trainer.optimizer).toEqual({ id: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(config.dataset.protocol).toEqual({ id: 'leave-one-speaker-out', validationSpeakers: 2 });
  });

  it('is deep-frozen', () => {
    const { config } = load({ 'exp.yaml': MINIMAL });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.trainer.optimizer)).toBe(true);
    expect(Object.isFrozen(config.sweep.seeds)).toBe(true);
    expect(() => {
      (config.loss as Record<string, unknown>).lambda = 1;
    }).toThrow(TypeError);
  });

  it('hash: stable under key order and formatting, changed by any value', () => {
    const a = load({ 'exp.yaml': MINIMAL + 'trainer: { epochs: 5, batchSize: 8 }\n' });
    const b = load({
      'exp.yaml': 'trainer:\n  batchSize: 8\n  epochs: 5\nloss: { id: center }\nmodel: { id: cnn-birnn }\ndataset: { id: synthetic }\nname: demo\n',
    });
    const c = load({ 'exp.yaml': MINIMAL + 'trainer: { epochs: 5, batchSize: 8, evalBatchSize: 64 }\n' }); // a default written out
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).toBe(a.hash);
    const hashes = new Set([a.hash]);
    for (const o of ['trainer.epochs=6', 'loss.lambda=0.02', 'features.nMels=64', 'seed=1', 'dataset.protocol.validationSpeakers=2', 'description=x']) {
      hashes.add(load({ 'exp.yaml': MINIMAL + 'trainer: { epochs: 5, batchSize: 8 }\n' }, [o]).hash);
    }
    expect(hashes.size).toBe(7);
  });
});

describe('validateFile', () => {
  it('returns the problems instead of throwing', () => {
    const dir = writeProject({ 'exp.yaml': `${MINIMAL}seed: x\n` });
    const report = validateFile(path.join(dir, 'exp.yaml'), plugins);
    expect(report.experiment).toBeUndefined();
    expect(report.problems.map((p) => p.path)).toEqual(['seed']);
  });

  it('returns the experiment and the number of sweep points when valid', () => {
    const dir = writeProject({ 'exp.yaml': `${MINIMAL}sweep: { grid: { loss.lambda: [0, 0.1] } }\n` });
    const report = validateFile(path.join(dir, 'exp.yaml'), plugins, { overrides: ['seed=2'] });
    expect(report.problems).toEqual([]);
    expect(report.experiment?.config.seed).toBe(2);
    expect(report.points).toBe(2);
  });

  it('returns syntax errors as problems too', () => {
    const dir = writeProject({ 'exp.yaml': 'name: [demo\n' });
    const report = validateFile(path.join(dir, 'exp.yaml'), plugins);
    expect(report.problems[0].code).toBe('CONFIG_YAML_SYNTAX');
  });
});
