import * as tf from "@tensorflow/tfjs";

/**
 * A 1-D dilated convolution that trains on every tfjs backend.
 *
 * tfjs-core refuses gradients of convolutions with dilation > 1, the wasm backend has no
 * Conv2DBackpropFilter kernel, and `padding: 'causal'` of tfjs conv1d does not work. So the
 * convolution is wrapped in tf.customGrad with both gradients written as forward convolutions,
 * and the padding (causal: all on the left; same: split) is applied explicitly.
 *
 * Shapes (channels last): x [B, L, Cin], w [K, Cin, Cout], y [B, L', Cout] with
 *   xp = pad(x, [padLeft, padRight]) along time,  L' = L + padLeft + padRight - (K-1) d,
 *   y[b, t, o] = sum_{j, c} xp[b, t + j d, c] w[j, c, o].
 * Gradients, with g = dL/dy:
 *   dL/dxp[b, s, c] = sum_{j, o} g[b, s - j d, o] w[j, c, o]
 *     = valid dilated convolution of g padded by (K-1) d on both sides with the kernel flipped in
 *       time and transposed in channels, w'[j, o, c] = w[K-1-j, c, o]; dL/dx is its slice.
 *   dL/dw[j, c, o] = sum_{b, t} xp[b, t + j d, c] g[b, t, o]
 *     = a correlation of xp and g: a conv2d with batch and channel axes swapped, input
 *       xp -> [Cin, 1, Lp, B], filter g -> [1, L', B, Cout], stride d, output [Cin, 1, K, Cout].
 */

/** Left and right padding of the time axis for a kernel of size k and dilation d. */
export function convPadding(kernelSize: number, dilation: number, padding: "causal" | "same"): [number, number] {
  const total = (kernelSize - 1) * dilation;
  if (padding === "causal") return [total, 0];
  const left = Math.floor(total / 2);
  return [left, total - left];
}

type ConvFn = (x: tf.Tensor3D, w: tf.Tensor3D) => tf.Tensor3D;
const cache = new Map<string, ConvFn>();

/** Explicit padding of the width (time) axis of an NHWC conv2d. */
function padW(left: number, right: number): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [0, 0],
    [left, right],
    [0, 0],
  ];
}

function makeConv(dilation: number, padLeft: number, padRight: number): ConvFn {
  // Every convolution below is a conv2d on a height-1 image with explicit time padding, so no
  // separate pad or slice op (both slow on wasm) is needed.
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor3D;
    const w = args[1] as tf.Tensor3D;
    const save = args[2] as tf.GradSaveFunc;
    const [B, L, Cin] = x.shape;
    const [K, , Cout] = w.shape;
    const span = (K - 1) * dilation;
    const Lout = L + padLeft + padRight - span;
    if (Lout < 1)
      throw new Error(`dilatedConv1d: a trace of ${L} samples is too short for kernel ${K} with dilation ${dilation}`);
    const y = tf.conv2d(
      tf.reshape(x, [B, 1, L, Cin]) as tf.Tensor4D,
      tf.reshape(w, [1, K, Cin, Cout]) as tf.Tensor4D,
      1,
      padW(padLeft, padRight),
      "NHWC",
      [1, dilation],
    );
    save([x, w]);
    return {
      value: tf.reshape(y, [B, Lout, Cout]) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor3D, tf.Tensor3D];
        // input gradient: correlation of g with the time-flipped, channel-transposed kernel;
        // padding (span - padLeft, span - padRight) makes the output exactly dL/dx.
        const wf = tf.reshape(tf.transpose(tf.reverse(sw, 0), [0, 2, 1]), [1, K, Cout, Cin]) as tf.Tensor4D;
        const dx = tf.conv2d(
          tf.reshape(dy, [B, 1, Lout, Cout]) as tf.Tensor4D,
          wf,
          1,
          padW(span - padLeft, span - padRight),
          "NHWC",
          [1, dilation],
        );
        // kernel gradient: channels become the batch, the batch becomes the channels, g is the
        // filter, and a stride of d picks the K taps.
        const xin = tf.reshape(tf.transpose(sx, [2, 1, 0]), [Cin, 1, L, B]) as tf.Tensor4D;
        const filt = tf.reshape(tf.transpose(dy, [1, 0, 2]), [1, Lout, B, Cout]) as tf.Tensor4D;
        const dw4 = tf.conv2d(xin, filt, [1, dilation], padW(padLeft, padRight), "NHWC"); // [Cin, 1, K, Cout]
        const dw = tf.transpose(tf.reshape(dw4, [Cin, K, Cout]), [1, 0, 2]);
        return [tf.reshape(dx, [B, L, Cin]), dw];
      },
    };
  });
  return f as unknown as ConvFn;
}

/**
 * y = dilated convolution of x with w (see the file comment), with explicit causal or symmetric
 * ("same") padding so that the output has the input's length, and a gradient for x and w that
 * works on every backend.
 */
export function dilatedConv1d(
  x: tf.Tensor3D,
  w: tf.Tensor3D,
  dilation: number,
  padding: "causal" | "same" | "valid",
): tf.Tensor3D {
  const k = w.shape[0];
  const [pl, pr] = padding === "valid" ? [0, 0] : convPadding(k, dilation, padding);
  const key = `${dilation}:${pl}:${pr}`;
  let f = cache.get(key);
  if (!f) {
    f = makeConv(dilation, pl, pr);
    cache.set(key, f);
  }
  return f(x, w);
}

/**
 * Weight-normalised dilated convolution with bias and optional ReLU as ONE differentiable op:
 *   w = g v / ||v||  (norm per output channel over taps and input channels; skipped when g is null),
 *   y = act(dilatedConv1d(x, w) + b).
 * Same convolution and the same two gradient convolutions as dilatedConv1d; the TCN's weight
 * tensors are tiny (at most K x 6 x 6), so the weight-norm algebra and its chain rule run in plain
 * JavaScript on their values, and the forward is a single fused conv+bias+ReLU kernel. This keeps the
 * kernel count per layer low, which is what dominates the time on the wasm and cpu backends.
 * Gradients (W = effective kernel, dW from the kernel-gradient convolution):
 *   dg_o = sum_{j,c} dW[j,c,o] v[j,c,o] / ||v||_o,
 *   dv[j,c,o] = (g_o/||v||_o) dW[j,c,o] - g_o dg_o / ||v||_o^2 v[j,c,o],
 *   db_o = sum_{b,t} dz[b,t,o],  dz = dy * (y > 0) with ReLU.
 * With `inference` true the op is computed without the gradient wrapper (no saved tensors): use it
 * only where no gradient is needed (model.apply with training false).
 */
export function weightNormConv1d(
  x: tf.Tensor3D,
  v: tf.Tensor3D,
  g: tf.Tensor1D | null,
  b: tf.Tensor1D,
  dilation: number,
  padding: "causal" | "same" | "valid",
  relu: boolean,
  inference = false,
): tf.Tensor3D {
  const [K, Cin, Cout] = v.shape;
  const [pl, pr] = padding === "valid" ? [0, 0] : convPadding(K, dilation, padding);
  const span = (K - 1) * dilation;
  const nW = K * Cin * Cout;
  const fn = (xx: tf.Tensor3D, vv: tf.Tensor3D, gg: tf.Tensor1D | null, bb: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [B, L] = xx.shape;
    const Lout = L + pl + pr - span;
    if (Lout < 1)
      throw new Error(
        `weightNormConv1d: a trace of ${L} samples is too short for kernel ${K} with dilation ${dilation}`,
      );
    const vd = vv.dataSync() as Float32Array;
    const w = new Float32Array(nW);
    const norm = new Float64Array(Cout);
    const scale = new Float64Array(Cout);
    let gd: Float32Array | null = null;
    if (gg) {
      gd = gg.dataSync() as Float32Array;
      for (let i = 0; i < nW; i++) norm[i % Cout] += vd[i] * vd[i];
      for (let o = 0; o < Cout; o++) {
        norm[o] = Math.sqrt(norm[o]);
        scale[o] = gd[o] / norm[o];
      }
      for (let i = 0; i < nW; i++) w[i] = vd[i] * scale[i % Cout];
    } else w.set(vd);
    const wT = tf.tensor4d(w, [1, K, Cin, Cout]);
    const y4 = tf.fused.conv2d({
      x: tf.reshape(xx, [B, 1, L, Cin]) as tf.Tensor4D,
      filter: wT,
      strides: 1,
      pad: padW(pl, pr),
      dataFormat: "NHWC",
      dilations: [1, dilation],
      bias: bb,
      activation: relu ? "relu" : "linear",
    });
    wT.dispose();
    const y = tf.reshape(y4, [B, Lout, Cout]) as tf.Tensor3D;
    if (inference) return { value: y, gradFunc: () => [] as tf.Tensor[] };
    save([xx, y]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sx, sy] = saved as [tf.Tensor3D, tf.Tensor3D];
      const dz = relu ? tf.mul(dy, tf.step(sy)) : dy;
      // input gradient: flipped, channel-transposed kernel built in JS
      const wf = new Float32Array(nW);
      for (let j = 0; j < K; j++)
        for (let c = 0; c < Cin; c++)
          for (let o = 0; o < Cout; o++) wf[((K - 1 - j) * Cout + o) * Cin + c] = w[(j * Cin + c) * Cout + o];
      const wfT = tf.tensor4d(wf, [1, K, Cout, Cin]);
      const dx = tf.reshape(
        tf.conv2d(tf.reshape(dz, [B, 1, Lout, Cout]) as tf.Tensor4D, wfT, 1, padW(span - pl, span - pr), "NHWC", [
          1,
          dilation,
        ]),
        [B, L, Cin],
      );
      // kernel gradient: batch <-> channel swapped strided conv2d, read back to JS
      const xin = tf.reshape(tf.transpose(sx, [2, 1, 0]), [Cin, 1, L, B]) as tf.Tensor4D;
      const filt = tf.reshape(tf.transpose(dz, [1, 0, 2]), [1, Lout, B, Cout]) as tf.Tensor4D;
      const dW4 = tf.conv2d(xin, filt, [1, dilation], padW(pl, pr), "NHWC"); // [Cin, 1, K, Cout]
      const dWc = dW4.dataSync() as Float32Array; // index (c*K + j)*Cout + o
      const dW = new Float64Array(nW); // index (j*Cin + c)*Cout + o
      for (let c = 0; c < Cin; c++)
        for (let j = 0; j < K; j++)
          for (let o = 0; o < Cout; o++) dW[(j * Cin + c) * Cout + o] = dWc[(c * K + j) * Cout + o];
      const db = tf.sum(dz, [0, 1]);
      if (!gd) return [dx, tf.tensor3d(Float32Array.from(dW), [K, Cin, Cout]), db];
      const dg = new Float64Array(Cout);
      for (let i = 0; i < nW; i++) dg[i % Cout] += dW[i] * vd[i];
      for (let o = 0; o < Cout; o++) dg[o] /= norm[o];
      const dv = new Float32Array(nW);
      for (let i = 0; i < nW; i++) {
        const o = i % Cout;
        dv[i] = scale[o] * dW[i] - ((gd[o] * dg[o]) / (norm[o] * norm[o])) * vd[i];
      }
      return [dx, tf.tensor3d(dv, [K, Cin, Cout]), tf.tensor1d(Float32Array.from(dg)), db];
    };
    return { value: y, gradFunc };
  };
  if (inference) return fn(x, v, g, b, () => undefined).value;
  if (g) {
    const f = tf.customGrad((a, bv, c, d, save) =>
      fn(a as tf.Tensor3D, bv as tf.Tensor3D, c as tf.Tensor1D, d as tf.Tensor1D, save as tf.GradSaveFunc),
    );
    return f(x, v, g, b) as tf.Tensor3D;
  }
  const f = tf.customGrad((a, bv, d, save) =>
    fn(a as tf.Tensor3D, bv as tf.Tensor3D, null, d as tf.Tensor1D, save as tf.GradSaveFunc),
  );
  return f(x, v, b) as tf.Tensor3D;
}

/** relu(a + b) with a two-kernel gradient (the residual sum of a TCN block). */
export const addRelu = tf.customGrad((a, b, save) => {
  const y = tf.relu(tf.add(a as tf.Tensor, b as tf.Tensor));
  (save as tf.GradSaveFunc)([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const dz = tf.mul(dy, tf.step(saved[0]));
      return [dz, tf.clone(dz)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
