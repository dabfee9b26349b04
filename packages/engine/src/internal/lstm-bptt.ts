// The LSTM recurrence with a hand-written backward pass (BPTT), as cuDNN does it, for D directions
// (with the engine's native kernels active, both functions hand the whole recurrence to one native
// kernel each way instead: native-kernels.ts)
// at once: the directions are stacked on a leading axis, so each step is ONE batched matMul
// [D, B, H] x [D, H, 4H] and ~10 elementwise ops on [D, B, *] tensors for all directions together
// (a BiLSTM runs half the kernels of two separate passes; on tfjs-node per-kernel overhead, not
// FLOPs, dominates these small steps). The backward pass does one batched matMul (dz x U^T) and ~6
// elementwise ops per step: everything that does not depend on the carried gradient (gate
// derivatives, products with saved activations) is computed for all steps at once before the loop,
// and the recurrent kernel's gradient is ONE batched matMul over all steps (H_prev^T x dZ).
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsActive, nativeLstmRecurrence } from '../native-kernels.js';

/**
 * proj [T, D, B, 4H] (x W + b per direction, step-major: step k of every direction, gates i, f, c, o),
 * U [D, H, 4H], mask [T, D, B, 1] (1 = real frame) or null -> hs [T, D, B, H]: the carried hidden
 * state after each step (a padded step carries h and c over unchanged). All directions run k = 0..T-1;
 * a reverse direction is given its input (and mask) time-reversed. Differentiable in proj and U.
 */
export function lstmRecurrenceStacked(proj: tf.Tensor4D, u: tf.Tensor3D, mask: tf.Tensor4D | null): tf.Tensor4D {
  if (nativeKernelsActive()) return nativeLstmRecurrence(proj, u, mask);
  const [T, D, B, G] = proj.shape;
  const H = G / 4;
  const masks = mask ? (tf.unstack(mask) as tf.Tensor3D[]) : null;
  const run = tf.customGrad(((p: tf.Tensor, uu: tf.Tensor, save: tf.GradSaveFunc) => {
    const steps = tf.unstack(p) as tf.Tensor3D[];
    const sigmas: tf.Tensor[] = []; // sigmoid(z) [D, B, 4H] (the c quarter unused)
    const gs: tf.Tensor[] = []; // tanh(z_c)
    const tcs: tf.Tensor[] = []; // tanh(c')
    const hs: tf.Tensor[] = []; // carried h after each step
    const cs: tf.Tensor[] = []; // carried c after each step
    let h = tf.zeros([D, B, H]) as tf.Tensor3D;
    let c: tf.Tensor = h;
    for (let k = 0; k < T; k++) {
      const z = tf.add(steps[k], tf.matMul(h, uu as tf.Tensor3D));
      const s = tf.sigmoid(z);
      const [si, sf, , so] = tf.split(s, 4, 2);
      const g = tf.tanh(tf.slice(z, [0, 0, 2 * H], [D, B, H]));
      const cNew = tf.add(tf.mul(sf, c), tf.mul(si, g));
      const tc = tf.tanh(cNew);
      const hNew = tf.mul(so, tc);
      sigmas.push(s);
      gs.push(g);
      tcs.push(tc);
      if (masks) {
        const m = masks[k];
        h = tf.add(h, tf.mul(m, tf.sub(hNew, h))) as tf.Tensor3D;
        c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
      } else {
        h = hNew as tf.Tensor3D;
        c = cNew;
      }
      hs.push(h);
      cs.push(c);
    }
    const hsAll = tf.stack(hs) as tf.Tensor4D;
    // saved stacked: 5 tensors (+ masks) instead of ~8T small ones
    save([uu, tf.stack(sigmas), tf.stack(gs), tf.stack(tcs), hsAll, tf.stack(cs), ...(masks ?? [])]);
    return {
      value: hsAll,
      gradFunc: (dy: tf.Tensor, sv: tf.Tensor[]) => {
        const [uS, sAll, gAll, tcAll, hAll, cAll] = sv;
        const ms = masks ? sv.slice(6) : null;
        // everything independent of the carried gradient, for all steps at once
        const zero = tf.zeros([1, D, B, H]);
        const shift = (all: tf.Tensor) => (T === 1 ? zero : tf.concat([zero, tf.slice(all, [0, 0, 0, 0], [T - 1, D, B, H])], 0));
        const hPrev = shift(hAll);
        const cPrev = shift(cAll);
        const [si, sf, , so] = tf.split(sAll, 4, 3);
        const ds = tf.mul(sAll, tf.sub(1, sAll)); // s(1-s) for i, f, o
        const [dsi, dsf, , dso] = tf.split(ds, 4, 3);
        const dGate = tf.concat([dsi, dsf, tf.sub(1, tf.square(gAll)), dso], 3);
        // dz = [dc', dc', dc', dh'] * [g, c, i, tanh(c')] * dGate; dc' += dh' * o * (1 - tanh(c')^2)
        const factor = tf.unstack(tf.mul(tf.concat([gAll, cPrev, si, tcAll], 3), dGate));
        const dtcFactor = tf.unstack(tf.mul(so, tf.sub(1, tf.square(tcAll))));
        const forget = tf.unstack(sf);
        const dHs = tf.unstack(dy);
        const dz: tf.Tensor[] = new Array(T);
        let dh: tf.Tensor | null = null; // gradient reaching the carried h from later steps
        let dc: tf.Tensor | null = null;
        for (let k = T - 1; k >= 0; k--) {
          const dhTot: tf.Tensor = dh ? tf.add(dHs[k], dh) : dHs[k];
          let dhNew = dhTot;
          let dcIn: tf.Tensor | null = dc;
          let dhCarry: tf.Tensor | null = null;
          let dcCarry: tf.Tensor | null = null;
          if (ms) {
            const m = ms[k];
            dhNew = tf.mul(m, dhTot);
            dhCarry = tf.sub(dhTot, dhNew); // (1 - m) * dhTot, m in {0, 1}
            if (dc) {
              dcIn = tf.mul(m, dc);
              dcCarry = tf.sub(dc, dcIn);
            }
          }
          const dtc = tf.mul(dhNew, dtcFactor[k]);
          const dcNew: tf.Tensor = dcIn ? tf.add(dcIn, dtc) : dtc;
          const dzt = tf.mul(tf.concat([dcNew, dcNew, dcNew, dhNew], 2), factor[k]);
          dz[k] = dzt;
          const dhPrev = tf.matMul(dzt as tf.Tensor3D, uS as tf.Tensor3D, false, true);
          const dcPrev = tf.mul(dcNew, forget[k]);
          dh = dhCarry ? tf.add(dhPrev, dhCarry) : dhPrev;
          dc = dcCarry ? tf.add(dcPrev, dcCarry) : dcPrev;
        }
        const dZ = tf.stack(dz) as tf.Tensor4D; // [T, D, B, 4H]
        // dU[d] = sum over steps and batch of h_prev^T dz: one batched matMul [D, H, T*B] x [D, T*B, 4H]
        const hD = tf.reshape(tf.transpose(hPrev, [1, 0, 2, 3]), [D, T * B, H]);
        const dD = tf.reshape(tf.transpose(dZ, [1, 0, 2, 3]), [D, T * B, G]);
        return [dZ, tf.matMul(hD, dD, true, false)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(proj, u) as tf.Tensor4D;
}

// One direction, the per-direction form (used by FusedLstm, and by FusedBiRnn off libtensorflow:
// on wasm the stacked form's 4-D batched matMuls, splits and concats measured 3x slower).
/**
 * proj [T, B, 4H] (x W + b, time-major, gates i, f, c, o), U [H, 4H], mask [T, B, 1] (1 = real
 * frame) or null -> hs [T, B, H]: the carried hidden state after each step, in time order (a
 * padded step carries h and c over unchanged). reverse processes t = T-1 .. 0.
 * Differentiable in proj and U.
 */
export function lstmRecurrence(proj: tf.Tensor3D, u: tf.Tensor2D, mask: tf.Tensor3D | null, reverse: boolean): tf.Tensor3D {
  const [T, B, G] = proj.shape;
  if (nativeKernelsActive()) {
    const m = mask ? (tf.reshape(mask, [T, 1, B, 1]) as tf.Tensor4D) : null;
    const hs = nativeLstmRecurrence(tf.reshape(proj, [T, 1, B, G]) as tf.Tensor4D, tf.reshape(u, [1, G / 4, G]) as tf.Tensor3D, m, reverse);
    return tf.reshape(hs, [T, B, G / 4]) as tf.Tensor3D;
  }
  const H = G / 4;
  const order = Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));
  const masks = mask ? (tf.unstack(mask) as tf.Tensor2D[]) : null;
  const run = tf.customGrad(((p: tf.Tensor, uu: tf.Tensor, save: tf.GradSaveFunc) => {
    const steps = tf.unstack(p) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = new Array(T);
    const saved: tf.Tensor[] = [];
    let h = tf.zeros([B, H]) as tf.Tensor2D;
    let c = h;
    for (const t of order) {
      const z = tf.add(steps[t], tf.matMul(h, uu as tf.Tensor2D));
      const s = tf.sigmoid(z);
      const [si, sf, , so] = tf.split(s, 4, 1);
      const g = tf.tanh(tf.slice(z, [0, 2 * H], [B, H]));
      const cNew = tf.add(tf.mul(sf, c), tf.mul(si, g));
      const tc = tf.tanh(cNew);
      const hNew = tf.mul(so, tc);
      // gate derivatives, one [B, 4H] tensor: s(1-s) for i, f, o and 1-g^2 for c
      const ds = tf.mul(s, tf.sub(1, s));
      const [dsi, dsf, , dso] = tf.split(ds, 4, 1);
      const dGate = tf.concat([dsi, dsf, tf.sub(1, tf.square(g)), dso], 1);
      saved.push(h, c, si, sf, g, so, tc, dGate);
      if (masks) {
        const m = masks[t];
        h = tf.add(h, tf.mul(m, tf.sub(hNew, h))) as tf.Tensor2D;
        c = tf.add(c, tf.mul(m, tf.sub(cNew, c))) as tf.Tensor2D;
      } else {
        h = hNew as tf.Tensor2D;
        c = cNew as tf.Tensor2D;
      }
      hs[t] = h;
    }
    // the masks too: tensors captured from outside are disposed before the backward pass runs
    save([uu, ...saved, ...(masks ?? [])]);
    return {
      value: tf.stack(hs) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, sv: tf.Tensor[]) => {
        const uT = sv[0];
        const ms = masks ? sv.slice(1 + 8 * T) : null;
        const dHs = tf.unstack(dy) as tf.Tensor2D[];
        const dz: tf.Tensor[] = new Array(T);
        const hPrev: tf.Tensor[] = new Array(T);
        let dh: tf.Tensor | null = null; // gradient reaching the carried h from later steps
        let dc: tf.Tensor | null = null;
        for (let k = T - 1; k >= 0; k--) {
          const t = order[k];
          const [hp, cp, si, sf, g, so, tc, dGate] = sv.slice(1 + 8 * k, 9 + 8 * k);
          const dhTot: tf.Tensor = dh ? tf.add(dHs[t], dh) : dHs[t];
          let dhNew = dhTot;
          let dcIn: tf.Tensor | null = dc;
          let dhCarry: tf.Tensor | null = null;
          let dcCarry: tf.Tensor | null = null;
          if (ms) {
            const m = ms[t];
            const keep = tf.sub(1, m);
            dhNew = tf.mul(m, dhTot);
            dhCarry = tf.mul(keep, dhTot);
            if (dc) {
              dcIn = tf.mul(m, dc);
              dcCarry = tf.mul(keep, dc);
            }
          }
          // h' = o * tanh(c'): dc' += dh' * o * (1 - tanh(c')^2)
          const dtc = tf.mul(tf.mul(dhNew, so), tf.sub(1, tf.square(tc)));
          const dcNew: tf.Tensor = dcIn ? tf.add(dcIn, dtc) : dtc;
          const dA = tf.concat([tf.mul(dcNew, g), tf.mul(dcNew, cp), tf.mul(dcNew, si), tf.mul(dhNew, tc)], 1);
          const dzt = tf.mul(dA, dGate);
          dz[t] = dzt;
          hPrev[t] = hp;
          const dhPrev = tf.matMul(dzt, uT, false, true);
          const dcPrev: tf.Tensor = tf.mul(dcNew, sf);
          dh = dhCarry ? tf.add(dhPrev, dhCarry) : dhPrev;
          dc = dcCarry ? tf.add(dcPrev, dcCarry) : dcPrev;
        }
        const dZ = tf.stack(dz) as tf.Tensor3D; // [T, B, 4H]
        const dU = tf.matMul(tf.reshape(tf.stack(hPrev), [T * B, H]), tf.reshape(dZ, [T * B, G]), true, false);
        return [dZ, dU];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(proj, u) as tf.Tensor3D;
}
