#!/usr/bin/env bash
# Builds the native kernels (packages/native/csrc) with AddressSanitizer into a temporary folder and
# runs tools/native/fuzz.mjs against that build, then the wasm build's matMul (csrc/wasm/gemm.cc,
# compiled natively) through tools/native/gemm-fuzz.cc: an out-of-bounds read or write aborts with
# a report. (The wasm build's other kernels are these same sources.)
# usage: tools/native/asan.sh      (needs g++ with libasan; leaves the regular build alone)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node_inc="$(dirname "$(dirname "$(command -v node)")")/include/node"
flags=(-O1 -g -fsanitize=address -fno-omit-frame-pointer -std=c++17 -shared -fPIC -pthread -DNODE_GYP_MODULE_NAME=ser_native)
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && flags+=(-mavx2 -mfma)
"${CXX:-g++}" "${flags[@]}" -I"$node_inc" -I"$root/packages/native/csrc" "$root"/packages/native/csrc/*.cc -o "$out/ser_native.node"
LD_PRELOAD="$("${CXX:-g++}" -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0 node "$root/tools/native/fuzz.mjs" "$out/ser_native.node"
"${CXX:-g++}" -O1 -g -fsanitize=address -fno-omit-frame-pointer -std=c++17 -pthread -Wno-psabi -I"$root/packages/native/csrc" \
  "$root/packages/native/csrc/wasm/gemm.cc" "$root/packages/native/csrc/parallel.cc" "$root/tools/native/gemm-fuzz.cc" -o "$out/gemm-fuzz"
ASAN_OPTIONS=detect_leaks=1 "$out/gemm-fuzz"
