// A quick health report of the engine: what runs, and how fast a matMul goes on it.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { EngineInfo } from './engine.js';

/** What `ser doctor` prints. matmulGflops: float32 n x n matMul throughput, 2n^3 / seconds / 1e9. */
export interface DoctorReport {
  platform: string;
  node: string;
  cpus: { model: string; count: number };
  backend: { id: EngineInfo['backend']; tfBackend: string; threads: number; gpu?: string };
  versions: EngineInfo['versions'];
  matmulGflops: number;
  /** The matrix side used for matmulGflops. */
  matmulSize: number;
}

/**
 * Reports the platform and the initialised engine, and times n x n matMuls (n = 1024, 256 on cpu)
 * for at most about budgetMs (default 1000) after one warm-up: the best run gives matmulGflops.
 */
export async function doctor(info: EngineInfo, options: { size?: number; budgetMs?: number } = {}): Promise<DoctorReport> {
  // pure JS takes seconds for one 1024^3 matMul: a smaller matrix keeps doctor under ~2 s there
  const n = options.size ?? (info.backend === 'cpu' ? 256 : 1024);
  const budget = options.budgetMs ?? 1000;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  const once = (): number => {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync(); // forces the work on every backend
    c.dispose();
    return performance.now() - t0;
  };
  const first = once(); // warm-up (kernel set-up, thread pools)
  let best = first;
  const start = performance.now();
  for (let i = 0; i < 5 && performance.now() - start + best < budget; i++) best = Math.min(best, once());
  tf.dispose([a, b]);
  const cpus = os.cpus();
  return {
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    cpus: { model: cpus[0]?.model.trim() ?? 'unknown', count: os.availableParallelism() },
    backend: { id: info.backend, tfBackend: info.tfBackend, threads: info.threads, ...(info.gpu ? { gpu: info.gpu } : {}) },
    versions: info.versions,
    matmulGflops: Math.round(((2 * n ** 3) / (best / 1000) / 1e9) * 10) / 10,
    matmulSize: n,
  };
}
