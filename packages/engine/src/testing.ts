import { tf } from './index.js';

/** Backends the conformance suites run on: the pure-JS reference and the native libtensorflow one. */
export type TestBackend = 'cpu' | 'tensorflow';

/** Switches the one tf instance to a backend, loading tfjs-node first for 'tensorflow'. */
export async function useTestBackend(backend: TestBackend): Promise<void> {
  if (backend === 'tensorflow') {
    try {
      await import('@tensorflow/tfjs-node');
    } catch (cause) {
      throw new Error("the native backend did not load: @tensorflow/tfjs-node is missing or unbuilt; run 'npm run setup' (or pass backends: ['cpu'])", { cause });
    }
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}
