// The LSTM recurrence with a hand-written backward pass (BPTT), as cuDNN does it: per step the
// backward does one matMul (dz x U^T) and ~13 elementwise ops, and the recurrent kernel's
// gradient is ONE matMul over all steps (H_prev^T x dZ) instead of T small ones plus T adds.
// Autodiff through the step needs two matMuls and ~35 ops per step.
import * as tf from '@tensorflow/tfjs';

/**
 * proj [T, B, 4H] (x W + b, time-major, gates i, f, c, o), U [H, 4H], mask [T, B, 1] (1 = real
 * frame) or null -> hs [T, B, H]: the carried hidden state after each step, in time order (a
 * padded step carries h and c over unchanged). reverse processes t = T-1 .. 0.
 * Differentiable in proj and U.
 */
export function lstmRecurrence(proj: tf.Tensor3D, u: tf.Tensor2D, mask: tf.Tensor3D | null, reverse: boolean): tf.Tensor3D {
  const [T, B, G] = proj.shape;
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
