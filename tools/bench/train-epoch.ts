// Seconds per training epoch of the paper's model (configs/model/cnn-birnn-paper.yaml: the
// cnn-birnn plugin with its schema defaults) on EMO-DB at 128 Mel bins, with center loss
// (lambda 0.01, alpha 0.5), trained by the trainer's trainCell (batch 32, bucketed). Prints one
// JSON line: train seconds per epoch, utterances per second, peak memory.
// usage: npx tsx tools/bench/train-epoch.ts [--backend tfjs-node] [--epochs 2] [--data DIR] [--cache DIR] [--mel 128]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLogger, silentLogger } from '@ser/core';
import { initEngine, parseNativeKernelsSwitch, tf } from '@ser/engine';
import { FeatureCache, defaultFeatureConfig, parseNativeFeaturesSwitch, setNativeFeatures } from '@ser/features';
import type { FeatureMatrix } from '@ser/features';
import { centerLoss } from '@ser/loss-center';
import type { CenterLossConfig } from '@ser/loss-center';
import { cnnBirnnModel } from '@ser/model-cnn-birnn';
import type { CnnBirnnConfig } from '@ser/model-cnn-birnn';
import { resolveModelConfig } from '@ser/model-core/testing';
import { resolveTrainerConfig, trainCell } from '@ser/trainer';
import type { Example } from '@ser/trainer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: a } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    epochs: { type: 'string', default: '1' },
    mel: { type: 'string', default: '128' },
    data: { type: 'string', default: path.resolve(root, '../shared/data/emodb/wav') },
    cache: { type: 'string', default: path.join(os.homedir(), '.cache', 'ser', 'bench-features') },
    seed: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
  },
});
const EPOCHS = Number(a.epochs);
const logger = consoleLogger({ prefix: '[train-epoch]' });

// Peak tfjs bytes: the engine's running total, checked whenever it tracks a new tensor (cheap:
// one comparison per tensor; tf.profile would copy every kernel's output to JS on tfjs-node).
const engine = tf.engine() as unknown as { trackTensor: (...args: unknown[]) => unknown; state: { numBytes: number } };
let peakBytes = 0;
const trackTensor = engine.trackTensor.bind(engine);
engine.trackTensor = (...args: unknown[]) => {
  const r = trackTensor(...args);
  if (engine.state.numBytes > peakBytes) peakBytes = engine.state.numBytes;
  return r;
};

setNativeFeatures(parseNativeFeaturesSwitch(process.env.SER_NATIVE_FEATURES)); // a tool reads its switches itself, as the CLI does
const info = await initEngine({ backend: a.backend as 'auto', logger, nativeKernels: parseNativeKernelsSwitch(process.env.SER_NATIVE_KERNELS) ?? undefined });

// EMO-DB: file names like 03a01Wa.wav, the 6th character is the emotion (German initial).
const EMOTIONS: Record<string, string> = { W: 'anger', L: 'boredom', E: 'disgust', A: 'fear', F: 'happiness', T: 'sadness', N: 'neutral' };
const classes = Object.values(EMOTIONS);
const files = fs
  .readdirSync(a.data)
  .filter((f) => f.endsWith('.wav'))
  .sort();
if (files.length === 0) throw new Error(`${a.data}: no .wav files; pass --data with the EMO-DB wav folder`);

// log-Mel, 16 kHz, 40 ms Hamming, 10 ms hop, utterance-normalised (the features package's default)
const featureConfig = { ...defaultFeatureConfig, nMels: Number(a.mel) };
const cache = new FeatureCache(a.cache, { logger });
const t0 = performance.now();
const features = new Map<string, FeatureMatrix>();
for (const f of files) features.set(f, await cache.get(path.join(a.data, f), featureConfig));
const featureSeconds = (performance.now() - t0) / 1000;
const examples: Example[] = files.map((f) => ({ id: f, label: classes.indexOf(EMOTIONS[f[5]]), frames: features.get(f)!.frames }));
if (examples.some((e) => e.label < 0)) throw new Error(`${a.data}: a file name without an EMO-DB emotion letter at position 6`);

const seed = Number(a.seed);
const context = { inputBins: featureConfig.nMels, numClasses: classes.length, seed, logger: silentLogger };
const model = cnnBirnnModel.create(resolveModelConfig<CnnBirnnConfig>(cnnBirnnModel.schema, {}), context);
const loss = centerLoss.create(resolveModelConfig<CenterLossConfig>(centerLoss.schema, { lambda: 0.01, alpha: 0.5 }), {
  numClasses: classes.length,
  embeddingDim: model.embeddingDim,
  seed,
  logger: silentLogger,
});
const config = resolveTrainerConfig({ epochs: EPOCHS, batchSize: 32, bucketing: true, earlyStopping: { metric: 'ua', patience: EPOCHS + 1 } });
// every utterance trains; validation and test (run by trainCell each epoch / at the end) are a
// small fixed slice so the timing is about training
const evalSet = examples.filter((_, i) => i % 40 === 0);

const trainSeconds: number[] = [];
const outcome = await trainCell({
  model,
  loss,
  config,
  classes,
  data: { train: examples, validation: evalSet, test: evalSet },
  source: { bins: featureConfig.nMels, read: (id) => features.get(id)!.data },
  seed,
  logger: a.verbose ? logger : silentLogger,
  progress: (p) => {
    // utterancesPerSecond is seen / seconds since the epoch's training phase began
    if (p.phase === 'train' && p.step === p.steps) trainSeconds.push(examples.length / p.utterancesPerSecond);
  },
});
const r3 = (v: number) => Math.round(v * 1e3) / 1e3;
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
console.log(
  JSON.stringify({
    bench: 'train-epoch',
    backend: info.backend,
    threads: info.threads,
    model: 'cnn-birnn (schema defaults = configs/model/cnn-birnn-paper.yaml)',
    loss: 'center lambda 0.01 alpha 0.5',
    mel: featureConfig.nMels,
    utterances: examples.length,
    batch: 32,
    epochs: outcome.epochsRun,
    status: outcome.status,
    epoch_s: trainSeconds.map(r3),
    median_epoch_s: r3(median(trainSeconds)),
    utterances_per_s: r3(examples.length / median(trainSeconds)),
    total_s: r3(outcome.seconds),
    feature_s: r3(featureSeconds),
    feature_cache: cache.stats,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    tf_peak_mb: Math.round(peakBytes / 2 ** 20),
    tensors_after: tf.memory().numTensors,
    load_avg_1m: r3(os.loadavg()[0]),
  }),
);
model.dispose();
loss.dispose();
