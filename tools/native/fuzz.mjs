// Calls every kernel of the native addon on random shapes (conv block, LSTM both layouts and
// directions, spectrogram frames, float32 and float64 rows). Run by tools/native/asan.sh against an
// AddressSanitizer build, where any out-of-bounds access aborts with a report.
// usage: node tools/native/fuzz.mjs ADDON.node
import { createRequire } from 'node:module';
const m = createRequire(import.meta.url)(process.argv[2]);
let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const ri = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const F = (n) => Float32Array.from({ length: n }, () => rnd() - 0.5);
for (let it = 0; it < 60; it++) {
  const B = ri(1, 5),
    H = ri(1, 13),
    W = ri(1, 13),
    Ci = ri(1, 17),
    Co = 8 * ri(1, 8),
    fh = ri(1, 5),
    fw = ri(1, 5);
  const pt = ri(0, 2),
    pb = ri(0, 2),
    pl = ri(0, 2),
    pr = ri(0, 2),
    ph = ri(1, 3),
    pw = ri(1, 3),
    threads = ri(1, 3);
  const OH = Math.floor((H + pt + pb - fh + 1) / ph),
    OW = Math.floor((W + pl + pr - fw + 1) / pw);
  if (OH < 1 || OW < 1) continue;
  const dims = Int32Array.from([B, H, W, Ci, Co, fh, fw, pt, pb, pl, pr, ph, pw, threads]);
  const x = F(B * H * W * Ci),
    w = F(fh * fw * Ci * Co),
    b = F(Co),
    n = B * OH * OW * Co;
  const y = new Float32Array(n),
    am = new Uint8Array(n);
  m.convPoolForward(dims, x, w, b, y, am);
  m.convPoolBackward(dims, x, w, y, am, F(n), rnd() < 0.5 ? new Float32Array(x.length) : null, new Float32Array(w.length), new Float32Array(Co));
}
for (let it = 0; it < 40; it++) {
  const T = ri(1, 9),
    D = ri(1, 3),
    B = ri(1, 6),
    H = ri(1, 20),
    bm = ri(0, 1),
    threads = ri(1, 3),
    rev = ri(0, (1 << D) - 1);
  const n = T * D * B * H;
  const dims = Int32Array.from([T, D, B, H, rev, bm, threads]);
  const mask = rnd() < 0.5 ? null : Float32Array.from({ length: bm ? B * T : T * D * B }, () => (rnd() < 0.7 ? 1 : 0));
  const U = F(D * H * 4 * H),
    hs = new Float32Array(n),
    act = new Float32Array(4 * n),
    tc = new Float32Array(n),
    cs = new Float32Array(n);
  m.lstmForward(dims, F(4 * n), U, mask, hs, act, tc, cs, bm ? new Float32Array(n) : null);
  m.lstmBackward(dims, U, mask, hs, act, tc, cs, F(n), new Float32Array(4 * n), new Float32Array(U.length));
}
for (let it = 0; it < 40; it++) {
  const nFft = 1 << ri(2, 10),
    hop = ri(1, 300),
    frames = ri(1, 200),
    nMels = rnd() < 0.3 ? 0 : ri(1, 40),
    nF = nFft / 2 + 1;
  const sig = Float64Array.from({ length: (frames - 1) * hop + nFft }, () => rnd() - 0.5);
  const start = Int32Array.from({ length: nMels }, () => ri(0, nF - 1)),
    count = Int32Array.from(start, (s) => ri(1, nF - s)),
    offset = new Int32Array(nMels);
  let o = 0;
  for (let i = 0; i < nMels; i++) {
    offset[i] = o;
    o += count[i];
  }
  const bins = nMels || nF;
  const out = rnd() < 0.5 ? new Float64Array(frames * bins) : new Float32Array(frames * bins);
  m.spectrogramFrames(
    Int32Array.from([frames, hop, nFft, nMels, ri(0, 1), ri(0, 1), ri(1, 3)]),
    Float64Array.from([10 / Math.LN10, 1e-10]),
    sig,
    new Float64Array(nFft).fill(1),
    nMels ? start : null,
    nMels ? count : null,
    nMels ? offset : null,
    nMels ? Float64Array.from({ length: o }, () => rnd()) : null,
    out,
  );
}
console.log('fuzz: every kernel ran on random shapes without a fault');
