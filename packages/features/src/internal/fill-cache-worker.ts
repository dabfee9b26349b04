// A worker thread of extractCorpus: computes and stores the features of its share of the files in
// the shared FeatureCache (atomic writes make concurrent workers safe). Failures are left to the
// caller's serial pass, which reports bad audio by its own policy.
import { parentPort, workerData } from 'node:worker_threads';
import { FeatureCache } from '../feature-cache.js';
import type { FeatureConfig } from '../feature-config.js';

const { paths, config, dir } = workerData as { paths: string[]; config: FeatureConfig; dir: string };
const cache = new FeatureCache(dir);
for (const p of paths) {
  try {
    await cache.get(p, config);
  } catch {
    // reported by the serial pass
  }
  parentPort!.postMessage({ done: p });
}
parentPort!.postMessage({ finished: true });
