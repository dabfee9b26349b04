import { Rng, SerError } from '@ser/core';
import type { StateDict } from '@ser/core';
import { FusedBiRnn, FusedGru, FusedLstm, fastRelu, tf } from '@ser/engine';
import { checkModelInputs, defineModel, DropoutSeeds, VariableStore } from '@ser/model-core';
import type { Model, ModelOutput } from '@ser/model-core';
import { cnnBirnnSchema } from './config.js';
import type { CnnBirnnConfig } from './config.js';
import { ConvBlock } from './internal/conv-block.js';
import { lastFrame, maskedAttention, maskedMax, maskedMean } from './internal/time-pooling.js';

const ID = 'cnn-birnn';

type Recurrent = FusedBiRnn | FusedLstm | FusedGru;

/**
 * The paper's model (Dai et al., ICASSP 2019): spectrogram [batch, frames, bins] -> 2-D conv blocks
 * (NHWC, one channel) -> time sequence [batch, frames', filters * bins'] -> stacked (bi)LSTM/GRU
 * (the engine's fused cells) -> pooling over real frames -> z = act(W_e h + b_e) [batch, embeddingDim]
 * -> logits = W_o z + b_o [batch, numClasses]. Variable lengths by masking: padded frames never
 * change an utterance's output.
 */
export const cnnBirnnModel = defineModel<CnnBirnnConfig>({
  id: ID,
  description: 'CNN over the spectrogram, bidirectional LSTM/GRU, masked pooling over time, embedding layer z and output layer (Dai et al., ICASSP 2019).',
  schema: cnnBirnnSchema,
  create(config, context) {
    return new CnnBirnn(config, context.inputBins, context.numClasses, context.seed);
  },
});

class CnnBirnn implements Model {
  readonly id = ID;
  readonly embeddingDim: number;
  readonly trainableVariables: tf.Variable[];
  private readonly store: VariableStore;
  private readonly blocks: ConvBlock[] = [];
  private readonly rnns: Recurrent[] = [];
  private readonly head: Record<string, tf.Variable> = {};
  private readonly dropout: DropoutSeeds;
  private readonly owner = `model '${ID}'`;

  constructor(
    private readonly config: CnnBirnnConfig,
    private readonly inputBins: number,
    numClasses: number,
    seed: number,
  ) {
    this.dropout = new DropoutSeeds(seed, this.owner);
    this.embeddingDim = config.embeddingDim;
    this.store = new VariableStore(seed, this.owner);
    const rng = new Rng(seed).fork('rnn');
    // tidy: the fused cells' initial-value tensors are dropped, their variables kept
    const rnnVars = tf.tidy(() => {
      let channels = 1;
      let size: [number, number] = [Number.MAX_SAFE_INTEGER, inputBins];
      config.conv.forEach((c, i) => {
        // the first block's input is the features: no gradient is needed for it
        const block = new ConvBlock(c, channels, this.store, `conv${i}`, { inputGradient: i > 0 });
        this.blocks.push(block);
        channels = c.filters;
        size = block.outputSize(size);
        if (size[1] < 1) {
          throw new SerError(
            'CONFIG_INVALID',
            `${this.owner}: conv[${i}] reduces the ${inputBins} input bins to none; use smaller strides or pooling sizes along freq (model.conv[${i}])`,
            {
              details: { inputBins, layer: i },
            },
          );
        }
      });
      let inputSize = channels * size[1];
      const { cell, units, layers, bidirectional } = config.rnn;
      for (let l = 0; l < layers; l++) {
        const options = { inputSize, units, seed: rng.nextUint32(), name: `rnn${l}` };
        this.rnns.push(bidirectional ? new FusedBiRnn({ ...options, cell }) : cell === 'gru' ? new FusedGru(options) : new FusedLstm(options));
        inputSize = bidirectional ? 2 * units : units;
      }
      return this.rnns.flatMap((r) => r.trainableVariables);
    });
    const pooled = config.rnn.bidirectional ? 2 * config.rnn.units : config.rnn.units;
    const a = config.attentionUnits;
    if (config.pooling === 'attention') {
      this.head.attentionW = this.store.add('attention/kernel', [pooled, a], { fanIn: pooled, fanOut: a });
      this.head.attentionB = this.store.add('attention/bias', [a], 'zeros');
      this.head.attentionV = this.store.add('attention/score', [a], { fanIn: a, fanOut: 1 });
    }
    const d = config.embeddingDim;
    this.head.embeddingW = this.store.add('embedding/kernel', [pooled, d], { fanIn: pooled, fanOut: d });
    this.head.embeddingB = this.store.add('embedding/bias', [d], 'zeros');
    this.head.outputW = this.store.add('output/kernel', [d, numClasses], { fanIn: d, fanOut: numClasses });
    this.head.outputB = this.store.add('output/bias', [numClasses], 'zeros');
    this.trainableVariables = [...this.store.trainable, ...rnnVars];
  }

  apply(batch: tf.Tensor3D, mask: tf.Tensor2D, training: boolean): ModelOutput {
    this.checkInputs(batch, mask);
    const nextSeed = () => this.dropout.next();
    return tf.tidy(() => {
      const [b, frames, bins] = batch.shape;
      let m = tf.cast(mask, 'float32') as tf.Tensor2D;
      // padding values never matter: zero them before the first conv
      let x = tf.reshape(tf.mul(batch, tf.expandDims(m, 2)), [b, frames, bins, 1]) as tf.Tensor4D;
      for (const block of this.blocks) ({ x, mask: m } = block.apply(x, m, training, nextSeed));
      const [, time, freq, channels] = x.shape;
      let h = tf.reshape(x, [b, time, freq * channels]) as tf.Tensor3D;
      for (const rnn of this.rnns) {
        h = rnn.apply(h, m, { returnSequences: true }) as tf.Tensor3D;
        if (training && this.config.rnn.dropout > 0) h = tf.dropout(h, this.config.rnn.dropout, undefined, nextSeed()) as tf.Tensor3D;
      }
      const pooled = this.pool(h, m);
      const act = this.config.embeddingActivation;
      const zLinear = tf.add(tf.matMul(pooled, this.head.embeddingW), this.head.embeddingB);
      const embeddings = (act === 'relu' ? fastRelu(zLinear) : act === 'tanh' ? tf.tanh(zLinear) : zLinear) as tf.Tensor2D;
      const dropped = training && this.config.embeddingDropout > 0 ? tf.dropout(embeddings, this.config.embeddingDropout, undefined, nextSeed()) : embeddings;
      const logits = tf.add(tf.matMul(dropped, this.head.outputW), this.head.outputB) as tf.Tensor2D;
      return { embeddings, logits };
    });
  }

  private pool(h: tf.Tensor3D, m: tf.Tensor2D): tf.Tensor2D {
    switch (this.config.pooling) {
      case 'mean':
        return maskedMean(h, m);
      case 'max':
        return maskedMax(h, m);
      case 'last':
        return lastFrame(h, m, this.config.rnn.bidirectional ? this.config.rnn.units : null);
      case 'attention':
        return maskedAttention(h, m, this.head.attentionW as tf.Tensor2D, this.head.attentionB as tf.Tensor1D, this.head.attentionV as tf.Tensor1D);
    }
  }

  private checkInputs(batch: tf.Tensor3D, mask: tf.Tensor2D): void {
    checkModelInputs(this.owner, batch, mask, this.inputBins);
    let size: [number, number] = [batch.shape[1], this.inputBins];
    for (const block of this.blocks) size = block.outputSize(size);
    if (size[0] < 1) {
      throw new SerError(
        'SHAPE_MISMATCH',
        `${this.owner}.apply: ${batch.shape[1]} frames leave no frame after the conv strides and pooling; use longer utterances (or segments) or less time reduction in model.conv`,
        {
          details: { frames: batch.shape[1] },
        },
      );
    }
  }

  getState(): StateDict {
    const state: StateDict = { ...this.store.getState() };
    for (const rnn of this.rnns) Object.assign(state, rnn.getState());
    state.dropout = this.dropout.getState();
    return state;
  }

  setState(state: StateDict): void {
    this.dropout.setState(state.dropout);
    this.store.setState(state);
    for (const rnn of this.rnns) rnn.setState(state);
  }

  dispose(): void {
    this.store.dispose();
    for (const rnn of this.rnns) rnn.dispose();
  }
}
