// The one TensorFlow.js instance every package uses. The backend is chosen by initEngine().
import * as tf from '@tensorflow/tfjs';

export { tf };
export { FusedLstm, FusedGru, FusedBiRnn, bidirectional } from './fused-lstm.js';
export type { FusedRnn, FusedRnnOptions, FusedBiRnnOptions, RnnApplyOptions } from './fused-lstm.js';
export { glorotUniform } from './internal/init.js';
export { initEngine, engineInfo, backendOrder, probeNvidiaGpu, BACKEND_IDS } from './engine.js';
export type { EngineInfo, EngineProbes, InitEngineOptions, BackendId, BackendChoice } from './engine.js';
export { registerWasmKernels, WASM_KERNELS, THREADED_MATMUL_MIN } from './wasm-kernels.js';
export { fastConv2d, fastMaxPool, fastRelu, IM2COL_MAX_PATCH } from './fast-ops.js';
export {
  fusedConvPoolRelu,
  convPoolOutputSize,
  nativeConvPoolSupports,
  nativeKernelsActive,
  nativeKernelsStatus,
  wasmKernelsStatus,
  activeKernelBuild,
  configureNativeKernels,
  pinNativeKernels,
  nativeKernelsPin,
  parseNativeKernelsSwitch,
  NATIVE_API_VERSION,
  WASM_KERNELS_API_VERSION,
} from './native-kernels.js';
export type { ConvPoolOptions, KernelBuild, KernelPin } from './native-kernels.js';
export { probeGpus, findLibraries, gpuEngineDecision, GPU_LIBRARIES, TFJS_NODE_GPU_VERSION } from '../gpu-probe.mjs';
export type { GpuProbe, GpuSeen, LibraryFound } from '../gpu-probe.mjs';
export { doctor } from './doctor.js';
export type { DoctorReport } from './doctor.js';
