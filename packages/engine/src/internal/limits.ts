/** Tunables of the wasm kernels; tests shrink them to exercise the blocked paths on small shapes. */
export const wasmLimits = {
  /** Largest im2col block of Conv2DBackpropFilter, in floats (32 MB), so memory stays bounded. */
  im2colFloats: 8 << 20,
};
