// A worker thread of extractCorpus: computes and stores the features of its share of the files in
// the shared FeatureCache (atomic writes make concurrent workers safe). Failures are left to the
// caller's serial pass, which reports bad audio by its own policy.
import { parentPort, workerData } from 'node:worker_threads';
import { FeatureCache } from '../feature-cache.js';
import { matrixSecondsOf, type FeatureConfig } from '../feature-config.js';
import { setNativeFeatures, type NativeFeaturesMode } from './native-frames.js';

const { paths, config, dir, nativeFeatures } = workerData as { paths: string[]; config: FeatureConfig; dir: string; nativeFeatures: NativeFeaturesMode };
setNativeFeatures(nativeFeatures);
const cache = new FeatureCache(dir);
const secondsOf = matrixSecondsOf(config); // the frame parameters once, not per file
for (const p of paths) {
  try {
    const m = await cache.get(p, config);
    parentPort!.postMessage({ done: p, audioSeconds: secondsOf(m) });
  } catch {
    parentPort!.postMessage({ done: p }); // reported by the serial pass
  }
}
parentPort!.postMessage({ finished: true });
