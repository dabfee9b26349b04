import { SerError } from '@ser/core';
import type { LossContext, LossInputs } from './loss.js';

/**
 * Validates a batch at a loss' entry point: embeddings [batch, embeddingDim], logits
 * [batch, numClasses], labels [batch]. Throws SerError('SHAPE_MISMATCH') naming the loss and the input.
 */
export function checkLossInputs(lossId: string, inputs: LossInputs, context: Pick<LossContext, 'numClasses' | 'embeddingDim'>): void {
  const { embeddings, logits, labels } = inputs;
  const fail = (what: string) => {
    throw new SerError('SHAPE_MISMATCH', `loss '${lossId}': ${what}`, {
      details: { embeddings: embeddings.shape, logits: logits.shape, labels: labels.shape },
    });
  };
  if (embeddings.rank !== 2 || embeddings.shape[1] !== context.embeddingDim) {
    fail(`embeddings must be [batch, ${context.embeddingDim}], got [${embeddings.shape}]; check the model's embeddingDim`);
  }
  if (logits.rank !== 2 || logits.shape[1] !== context.numClasses) {
    fail(`logits must be [batch, ${context.numClasses}], got [${logits.shape}]; check the model's number of classes`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== embeddings.shape[0] || logits.shape[0] !== embeddings.shape[0]) {
    fail(`labels [${labels.shape}], embeddings [${embeddings.shape}] and logits [${logits.shape}] must share the batch size`);
  }
  if (labels.dtype !== 'int32') fail(`labels must be int32 class indices, got ${labels.dtype}`);
}
