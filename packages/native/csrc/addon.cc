// N-API glue of the engine's native kernels: checks every argument's type and length against the
// dims, then calls the kernel. JS: packages/native/src/index.ts (loader), packages/engine/src/
// native-kernels.ts (the model kernels as tf ops), packages/features (spectrogram frames).
#include <node_api.h>

#include "kernels.h"

namespace {

// Bumped with any change to a function's arguments; native-kernels.ts checks it.
constexpr int kApiVersion = 4;

bool throwIf(napi_env env, bool bad, const char* msg) {
  if (bad) napi_throw_error(env, "SER_NATIVE", msg);
  return bad;
}

// A typed array argument's data and element count; nullptr when it is not one of that type (or
// JS null/undefined where optional).
void* typedArg(napi_env env, napi_value v, napi_typedarray_type want, size_t* length, bool optional) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  *length = 0;
  if (optional && (t == napi_null || t == napi_undefined)) return nullptr;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return nullptr;
  napi_typedarray_type type;
  void* data;
  napi_value ab;
  size_t off;
  napi_get_typedarray_info(env, v, &type, length, &data, &ab, &off);
  return type == want ? data : nullptr;
}

struct Args {
  napi_value v[12];
  size_t n = 12;
};

bool getArgs(napi_env env, napi_callback_info info, Args* a, size_t want, const char* usage) {
  napi_get_cb_info(env, info, &a->n, a->v, nullptr, nullptr);
  return !throwIf(env, a->n != want, usage);
}

const int32_t* intsArg(napi_env env, napi_value v, size_t want, const char* msg) {
  size_t n = 0;
  auto* p = static_cast<int32_t*>(typedArg(env, v, napi_int32_array, &n, false));
  return throwIf(env, !p || n != want, msg) ? nullptr : p;
}

float* floatsArg(napi_env env, napi_value v, size_t want, bool optional, bool* ok) {
  size_t n = 0;
  auto* p = static_cast<float*>(typedArg(env, v, napi_float32_array, &n, optional));
  if ((!p && !optional) || (p && n != want)) *ok = false;
  return p;
}

bool readConvDims(napi_env env, napi_value v, ser::ConvDims* d) {
  const int32_t* p = intsArg(env, v, 14, "dims must be an Int32Array of 14: B H W Ci Co fh fw pt pb pl pr ph pw threads");
  if (!p) return false;
  *d = ser::ConvDims{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
  const char* err = ser::convDimsError(*d);
  return !throwIf(env, err != nullptr, err);
}

// convPoolForward(dims, x, w, bias, y, argmax)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  Args a;
  ser::ConvDims d;
  if (!getArgs(env, info, &a, 6, "convPoolForward(dims, x, w, bias, y, argmax)") || !readConvDims(env, a.v[0], &d)) return nullptr;
  const size_t in = static_cast<size_t>(d.B) * d.H * d.W * d.Ci, out = static_cast<size_t>(d.B) * d.OH() * d.OW() * d.Co;
  bool ok = true;
  const float* x = floatsArg(env, a.v[1], in, false, &ok);
  const float* w = floatsArg(env, a.v[2], static_cast<size_t>(d.fh) * d.fw * d.Ci * d.Co, false, &ok);
  const float* bias = floatsArg(env, a.v[3], d.Co, false, &ok);
  float* y = floatsArg(env, a.v[4], out, false, &ok);
  size_t na = 0;
  auto* am = static_cast<uint8_t*>(typedArg(env, a.v[5], napi_uint8_array, &na, false));
  if (throwIf(env, !ok || !am || na != out, "convPoolForward: x, w, bias, y must be Float32Arrays and argmax a Uint8Array, of the lengths dims give")) return nullptr;
  ser::convPoolForward(d, x, w, bias, y, am);
  return nullptr;
}

// convPoolBackward(dims, x, w, y, argmax, dy, dx | null, dw, db)
napi_value ConvBackward(napi_env env, napi_callback_info info) {
  Args a;
  ser::ConvDims d;
  if (!getArgs(env, info, &a, 9, "convPoolBackward(dims, x, w, y, argmax, dy, dx | null, dw, db)") || !readConvDims(env, a.v[0], &d)) return nullptr;
  const size_t in = static_cast<size_t>(d.B) * d.H * d.W * d.Ci, out = static_cast<size_t>(d.B) * d.OH() * d.OW() * d.Co;
  const size_t nw = static_cast<size_t>(d.fh) * d.fw * d.Ci * d.Co;
  bool ok = true;
  ser::ConvGrads io{};
  io.x = floatsArg(env, a.v[1], in, false, &ok);
  io.w = floatsArg(env, a.v[2], nw, false, &ok);
  io.y = floatsArg(env, a.v[3], out, false, &ok);
  size_t na = 0;
  io.argmax = static_cast<uint8_t*>(typedArg(env, a.v[4], napi_uint8_array, &na, false));
  io.dy = floatsArg(env, a.v[5], out, false, &ok);
  io.dx = floatsArg(env, a.v[6], in, true, &ok);
  io.dw = floatsArg(env, a.v[7], nw, false, &ok);
  io.db = floatsArg(env, a.v[8], d.Co, false, &ok);
  if (throwIf(env, !ok || !io.argmax || na != out,
              "convPoolBackward: x, w, y, dy, dx, dw, db must be Float32Arrays (dx may be null) and argmax a Uint8Array, of the lengths dims give"))
    return nullptr;
  ser::convPoolBackward(d, io);
  return nullptr;
}

bool readLstmDims(napi_env env, napi_value v, ser::LstmDims* s) {
  const int32_t* p = intsArg(env, v, 7, "dims must be an Int32Array of 7: T D B H reverseBits batchMajor threads");
  if (!p) return false;
  *s = ser::LstmDims{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  const char* err = ser::lstmDimsError(*s);
  return !throwIf(env, err != nullptr, err);
}

// lstmForward(dims, proj, U, mask | null, hs, act, tc, cs, y | null)
napi_value LstmForward(napi_env env, napi_callback_info info) {
  Args a;
  ser::LstmDims s;
  if (!getArgs(env, info, &a, 9, "lstmForward(dims, proj, U, mask | null, hs, act, tc, cs, y | null)") || !readLstmDims(env, a.v[0], &s)) return nullptr;
  const size_t tdb = static_cast<size_t>(s.T) * s.D * s.B, H = s.H;
  bool ok = true;
  ser::LstmIo io{};
  io.proj = floatsArg(env, a.v[1], tdb * 4 * H, false, &ok);
  io.U = floatsArg(env, a.v[2], static_cast<size_t>(s.D) * H * 4 * H, false, &ok);
  io.mask = floatsArg(env, a.v[3], s.batchMajor ? static_cast<size_t>(s.B) * s.T : tdb, true, &ok);
  io.hs = floatsArg(env, a.v[4], tdb * H, false, &ok);
  io.act = floatsArg(env, a.v[5], tdb * 4 * H, false, &ok);
  io.tc = floatsArg(env, a.v[6], tdb * H, false, &ok);
  io.cs = floatsArg(env, a.v[7], tdb * H, false, &ok);
  io.y = floatsArg(env, a.v[8], tdb * H, !s.batchMajor, &ok);
  if (throwIf(env, !ok, "lstmForward: every array must be a Float32Array of the length dims give (mask may be null; y is given with batchMajor only)")) return nullptr;
  ser::lstmForward(s, io);
  return nullptr;
}

// lstmBackward(dims, U, mask | null, hs, act, tc, cs, dhs, dproj, dU)
napi_value LstmBackward(napi_env env, napi_callback_info info) {
  Args a;
  ser::LstmDims s;
  if (!getArgs(env, info, &a, 10, "lstmBackward(dims, U, mask | null, hs, act, tc, cs, dhs, dproj, dU)") || !readLstmDims(env, a.v[0], &s)) return nullptr;
  const size_t tdb = static_cast<size_t>(s.T) * s.D * s.B, H = s.H, nu = static_cast<size_t>(s.D) * H * 4 * H;
  bool ok = true;
  ser::LstmIo io{};
  io.U = floatsArg(env, a.v[1], nu, false, &ok);
  io.mask = floatsArg(env, a.v[2], s.batchMajor ? static_cast<size_t>(s.B) * s.T : tdb, true, &ok);
  io.hs = floatsArg(env, a.v[3], tdb * H, false, &ok);
  io.act = floatsArg(env, a.v[4], tdb * 4 * H, false, &ok);
  io.tc = floatsArg(env, a.v[5], tdb * H, false, &ok);
  io.cs = floatsArg(env, a.v[6], tdb * H, false, &ok);
  io.dhs = floatsArg(env, a.v[7], tdb * H, false, &ok);
  io.dproj = floatsArg(env, a.v[8], tdb * 4 * H, false, &ok);
  io.dU = floatsArg(env, a.v[9], nu, false, &ok);
  if (throwIf(env, !ok, "lstmBackward: every array must be a Float32Array of the length dims give (mask may be null)")) return nullptr;
  ser::lstmBackward(s, io);
  return nullptr;
}

// spectrogramFrames(dims, scalars, signal, window, melStart | null, melCount | null, melOffset | null, melWeights | null,
//                   out: Float64Array | Float32Array) -> max
napi_value SpectrogramFrames(napi_env env, napi_callback_info info) {
  Args a;
  if (!getArgs(env, info, &a, 9, "spectrogramFrames(dims, scalars, signal, window, melStart, melCount, melOffset, melWeights, out)")) return nullptr;
  const int32_t* p = intsArg(env, a.v[0], 7, "dims must be an Int32Array of 7: frames hop nFft nMels magnitude compress threads");
  if (!p) return nullptr;
  const ser::SpectrogramDims d{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  const char* err = ser::spectrogramDimsError(d);
  if (throwIf(env, err != nullptr, err)) return nullptr;
  const int nFreqs = d.nFft / 2 + 1, bins = d.nMels > 0 ? d.nMels : nFreqs;
  size_t ns = 0, nsig = 0, nw = 0, nout = 0, n1 = 0, n2 = 0, n3 = 0, nmw = 0;
  auto* sc = static_cast<double*>(typedArg(env, a.v[1], napi_float64_array, &ns, false));
  ser::SpectrogramIo io{};
  io.signal = static_cast<double*>(typedArg(env, a.v[2], napi_float64_array, &nsig, false));
  io.window = static_cast<double*>(typedArg(env, a.v[3], napi_float64_array, &nw, false));
  io.melStart = static_cast<int32_t*>(typedArg(env, a.v[4], napi_int32_array, &n1, d.nMels == 0));
  io.melCount = static_cast<int32_t*>(typedArg(env, a.v[5], napi_int32_array, &n2, d.nMels == 0));
  io.melOffset = static_cast<int32_t*>(typedArg(env, a.v[6], napi_int32_array, &n3, d.nMels == 0));
  io.melWeights = static_cast<double*>(typedArg(env, a.v[7], napi_float64_array, &nmw, d.nMels == 0));
  io.out = static_cast<double*>(typedArg(env, a.v[8], napi_float64_array, &nout, false));
  if (!io.out) io.out32 = static_cast<float*>(typedArg(env, a.v[8], napi_float32_array, &nout, false));
  bool ok = sc && ns == 2 && io.signal && nsig >= static_cast<size_t>(d.frames - 1) * d.hop + d.nFft && io.window && nw == static_cast<size_t>(d.nFft) && (io.out || io.out32) &&
            nout == static_cast<size_t>(d.frames) * bins;
  if (ok && d.nMels > 0) {
    ok = io.melStart && io.melCount && io.melOffset && io.melWeights && n1 == static_cast<size_t>(d.nMels) && n2 == n1 && n3 == n1;
    for (int m = 0; ok && m < d.nMels; m++)
      ok = io.melStart[m] >= 0 && io.melCount[m] >= 0 && io.melStart[m] + io.melCount[m] <= nFreqs && io.melOffset[m] >= 0 &&
           static_cast<size_t>(io.melOffset[m]) + io.melCount[m] <= nmw;
  }
  if (throwIf(env, !ok, "spectrogramFrames: an array's type or length does not match dims (scalars [logScale, floor]; the signal must cover every frame; Mel rows within the spectrum)"))
    return nullptr;
  io.logScale = sc[0];
  io.floor = sc[1];
  napi_value r;
  napi_create_double(env, ser::spectrogramFrames(d, io), &r);
  return r;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"convPoolForward", ConvForward}, {"convPoolBackward", ConvBackward}, {"lstmForward", LstmForward}, {"lstmBackward", LstmBackward},
                  {"spectrogramFrames", SpectrogramFrames}};
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  napi_value ver;
  napi_create_int32(env, kApiVersion, &ver);
  napi_set_named_property(env, exports, "apiVersion", ver);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
