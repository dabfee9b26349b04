// The reference train step of shared/bench/README.md in TensorFlow.js: CNN (NHWC) + fused BiLSTM
// + dense embedding + logits, softmax cross-entropy + lambda * center loss, Adam 1e-3, Wen's
// center update. Prints one JSON line like torch_reference.py.
// usage: npx tsx tools/bench/reference-step.ts --backend tfjs-node --mel 128 --T 300 --B 32 [--part full|conv|lstm]
import { parseArgs } from 'node:util';
import { consoleLogger } from '@ser/core';
import { FusedBiRnn, fastConv2d, fastMaxPool, fastRelu, fusedConvPoolRelu, initEngine, parseNativeKernelsSwitch, tf } from '@ser/engine';

const { values: a } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    mel: { type: 'string', default: '128' },
    T: { type: 'string', default: '300' },
    B: { type: 'string', default: '32' },
    part: { type: 'string', default: 'full' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string' },
    profile: { type: 'boolean', default: false },
    plain: { type: 'boolean', default: false },
    unfused: { type: 'boolean', default: false },
  },
});
const MEL = Number(a.mel),
  T = Number(a.T),
  B = Number(a.B),
  STEPS = Number(a.steps),
  WARMUP = Number(a.warmup);
const H = 128,
  FEAT = 256,
  NCLS = 4,
  LAMBDA = 0.01,
  ALPHA = 0.5;

const info = await initEngine({
  backend: a.backend as 'auto',
  threads: a.threads ? Number(a.threads) : undefined,
  logger: consoleLogger({ prefix: '[bench]' }),
  // a tool reads its switches itself, as the CLI does: SER_NATIVE_KERNELS=0 / 1 / wasm
  nativeKernels: parseNativeKernelsSwitch(process.env.SER_NATIVE_KERNELS) ?? undefined,
});

let seed = 0;
const glorot = (shape: number[], fanIn: number, fanOut: number) =>
  tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)), 'float32', seed++));
const conv1 = glorot([5, 5, 1, 16], 25, 25 * 16),
  b1 = tf.variable(tf.zeros([16]));
const conv2 = glorot([3, 3, 16, 32], 9 * 16, 9 * 32),
  b2 = tf.variable(tf.zeros([32]));
const seqIn = 32 * Math.floor(MEL / 4);
const rnn = new FusedBiRnn({ inputSize: seqIn, units: H, seed: 1, name: 'birnn' });
const d1 = glorot([2 * H, FEAT], 2 * H, FEAT),
  bd1 = tf.variable(tf.zeros([FEAT]));
const d2 = glorot([FEAT, NCLS], FEAT, NCLS),
  bd2 = tf.variable(tf.zeros([NCLS]));
const centers = tf.variable(tf.zeros([NCLS, FEAT]), false);
const optimizer = tf.train.adam(1e-3);

const x = tf.randomNormal([B, T, MEL, 1], 0, 1, 'float32', 42) as tf.Tensor4D;
const yArr = Int32Array.from({ length: B }, (_, i) => i % NCLS);
const y = tf.tensor1d(yArr, 'int32');
const yOneHot = tf.oneHot(y, NCLS);
const counts = tf.tensor2d(Array.from({ length: NCLS }, (_, j) => [1 + yArr.filter((v) => v === j).length]));
const seqX = tf.randomNormal([B, Math.floor(T / 4), seqIn], 0, 1, 'float32', 43) as tf.Tensor3D;

// maxPool(relu(conv + b)) == relu(maxPool(conv) + b) (relu and a per-channel bias commute with
// max): the elementwise work runs on a quarter of the elements. --plain keeps the textbook order;
// --unfused always takes the tf-op fast path, even where the native fused conv block would run.
function convStack(inp: tf.Tensor4D): tf.Tensor4D {
  if (a.plain) {
    const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(inp, conv1 as tf.Tensor4D, 1, 'same'), b1)) as tf.Tensor4D, 2, 2, 'valid');
    return tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, conv2 as tf.Tensor4D, 1, 'same'), b2)) as tf.Tensor4D, 2, 2, 'valid');
  }
  if (a.unfused) {
    const h1 = fastRelu(tf.add(fastMaxPool(fastConv2d(inp, conv1, 1, 'same'), 2), b1)) as tf.Tensor4D;
    return fastRelu(tf.add(fastMaxPool(fastConv2d(h1, conv2, 1, 'same'), 2), b2)) as tf.Tensor4D;
  }
  // as ConvBlock: one kernel per block each way where the engine runs its own (tfjs-node: native,
  // wasm: the wasm build), else
  // the same fast ops as --unfused; the first block's input is data: no gradient for it
  const h1 = fusedConvPoolRelu(inp, conv1, b1, { pad: [2, 2, 2, 2], pool: [2, 2], inputGradient: false });
  return fusedConvPoolRelu(h1, conv2, b2, { pad: [1, 1, 1, 1], pool: [2, 2] });
}

const convVars = [conv1, b1, conv2, b2];
const vars = a.part === 'conv' ? convVars : a.part === 'lstm' ? rnn.trainableVariables : [...convVars, ...rnn.trainableVariables, d1, bd1, d2, bd2];

function step(): number {
  let z: tf.Tensor2D | null = null;
  const { value, grads } = tf.variableGrads(() => {
    if (a.part === 'conv') return tf.mean(tf.square(convStack(x)));
    if (a.part === 'lstm') return tf.mean(tf.square(tf.mean(rnn.apply(seqX, undefined, { returnSequences: true }), 1)));
    const c = convStack(x); // [B, T/4, MEL/4, 32]: NHWC, so the sequence needs no transpose
    const seq = tf.reshape(c, [B, c.shape[1], seqIn]) as tf.Tensor3D;
    const h = tf.mean(rnn.apply(seq, undefined, { returnSequences: true }), 1);
    const emb = tf.relu(tf.add(tf.matMul(h as tf.Tensor2D, d1), bd1)) as tf.Tensor2D;
    z = tf.keep(emb);
    const logits = tf.add(tf.matMul(emb, d2), bd2);
    const ce = tf.losses.softmaxCrossEntropy(yOneHot, logits);
    const center = tf.mul(LAMBDA * 0.5, tf.mean(tf.sum(tf.square(tf.sub(emb, tf.gather(centers, y))), 1)));
    return tf.add(ce, center) as tf.Scalar;
  }, vars);
  optimizer.applyGradients(grads);
  if (z) {
    const zz: tf.Tensor2D = z;
    tf.tidy(() => {
      // Wen's rule: c_j -= alpha * sum_{i: y_i = j} (c_j - z_i) / (1 + n_j)
      const s = tf.unsortedSegmentSum(tf.sub(tf.gather(centers, y), zz), y, NCLS);
      centers.assign(tf.sub(centers, tf.div(tf.mul(ALPHA, s), counts)));
    });
    zz.dispose();
  }
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  if (!Number.isFinite(loss)) throw new Error(`loss is ${loss}`);
  return loss;
}

if (a.profile) {
  // per-kernel time of one step (after a warm-up), summed by kernel name, to stderr
  step();
  const p = await tf.profile(() => {
    step();
  });
  const by = new Map<string, { ms: number; n: number }>();
  for (const k of p.kernels) {
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += Number(await k.kernelTimeMs);
    e.n++;
    by.set(k.name, e);
  }
  const rows = [...by].sort((p1, p2) => p2[1].ms - p1[1].ms);
  const total = rows.reduce((acc, [, e]) => acc + e.ms, 0);
  process.stderr.write(`kernel time ${total.toFixed(0)} ms in ${p.kernels.length} kernels\n`);
  for (const [name, e] of rows.slice(0, 25)) process.stderr.write(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(6)}x\n`);
}

const ts: number[] = [];
let tensorsAfterWarmup = 0;
for (let i = 0; i < WARMUP + STEPS; i++) {
  if (i === WARMUP) tensorsAfterWarmup = tf.memory().numTensors;
  const t0 = performance.now();
  step();
  const dt = (performance.now() - t0) / 1000;
  if (i >= WARMUP) ts.push(dt);
}
ts.sort((p, q) => p - q);
const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
console.log(
  JSON.stringify({
    lib: `tfjs ${info.versions.tfjs}`,
    backend: info.backend,
    threads: info.threads,
    mel: MEL,
    T,
    B,
    part: a.part,
    median_s: r4(ts[Math.floor(ts.length / 2)]),
    min_s: r4(ts[0]),
    max_s: r4(ts[ts.length - 1]),
    n: ts.length,
    tensors: tf.memory().numTensors,
    leaked: tf.memory().numTensors - tensorsAfterWarmup,
  }),
);
