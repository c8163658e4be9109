/**
 * Is tfjs-layers' model.apply a large part of single-thread TCN inference (issue 16 part 8)? The
 * same forward pass written directly as tfjs ops with the effective (weight-normalised) kernels
 * computed once, checked bit-identical to model.apply, then both timed interleaved on one batch of
 * 50 traces x 500 samples (fastest of 30 each).
 *
 *   node --import tsx bench/tcn-infer-direct.ts
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, buildTcn, TemporalBlock } from "../src/tcn";
import { convPadding } from "../src/tcn/internal";
type P4 = [[number, number], [number, number], [number, number], [number, number]];
function effective(v: Float32Array, g: Float32Array | null, Cout: number): Float32Array {
  const n = v.length,
    w = new Float32Array(n);
  if (!g) {
    w.set(v);
    return w;
  }
  const norm = new Float64Array(Cout),
    scale = new Float64Array(Cout);
  for (let i = 0; i < n; i++) norm[i % Cout] += v[i] * v[i];
  for (let o = 0; o < Cout; o++) {
    norm[o] = Math.sqrt(norm[o]);
    scale[o] = g[o] / norm[o];
  }
  for (let i = 0; i < n; i++) w[i] = v[i] * scale[i % Cout];
  return w;
}
(async () => {
  await initBackend({ prefer: "wasm", quiet: true });
  const m = buildTcn({ seed: 0 });
  const B = 50,
    L = 500;
  const steps: ((x: tf.Tensor4D) => tf.Tensor4D)[] = [];
  for (const layer of m.layers) {
    const ws = layer.getWeights().map((t) => t.dataSync() as Float32Array);
    const shapes = layer.getWeights().map((t) => t.shape);
    if (layer instanceof TemporalBlock) {
      const d = layer.dilationRate,
        [pl, pr] = convPadding(layer.kernelSize, d, layer.padding);
      const mk = (vi: number) => {
        const [K, Cin, Cout] = shapes[vi];
        return { w: tf.tensor4d(effective(ws[vi], ws[vi + 1], Cout), [1, K, Cin, Cout]), b: tf.tensor1d(ws[vi + 2]) };
      };
      const c1 = mk(0),
        c2 = mk(3);
      const down =
        ws.length > 6 ? { w: tf.tensor2d(ws[6], shapes[6] as [number, number]), b: tf.tensor1d(ws[7]) } : null;
      const pad: P4 = [
        [0, 0],
        [0, 0],
        [pl, pr],
        [0, 0],
      ];
      steps.push((x) => {
        const conv = (h: tf.Tensor4D, c: { w: tf.Tensor4D; b: tf.Tensor1D }) =>
          tf.fused.conv2d({
            x: h,
            filter: c.w,
            strides: 1,
            pad,
            dataFormat: "NHWC",
            dilations: [1, d],
            bias: c.b,
            activation: "relu",
          });
        const h = conv(conv(x, c1), c2);
        const [b_, , l_, cin] = x.shape;
        const skip = down
          ? tf.reshape(
              tf.fused.matMul({ a: tf.reshape(x, [b_ * l_, cin]) as tf.Tensor2D, b: down.w, bias: down.b }),
              h.shape,
            )
          : x;
        return tf.relu(tf.add(h, skip)) as tf.Tensor4D;
      });
    } else {
      const [, Cin, Cout] = shapes[0];
      const w = tf.tensor2d(ws[0], [Cin, Cout]),
        b = tf.tensor1d(ws[1]);
      steps.push((x) => {
        const [b_, , l_, c] = x.shape;
        return tf.reshape(tf.fused.matMul({ a: tf.reshape(x, [b_ * l_, c]) as tf.Tensor2D, b: w, bias: b }), [
          b_,
          1,
          l_,
          Cout,
        ]) as tf.Tensor4D;
      });
    }
  }
  const fast = (x3: tf.Tensor3D) =>
    tf.tidy(() => {
      let x = tf.reshape(x3, [x3.shape[0], 1, x3.shape[1], x3.shape[2]]) as tf.Tensor4D;
      for (const s of steps) x = s(x);
      return x.dataSync();
    });
  const slow = (x3: tf.Tensor3D) => tf.tidy(() => (m.apply(x3, { training: false }) as tf.Tensor).dataSync());
  const xb = tf.randomNormal([B, L, 1]) as tf.Tensor3D;
  const a = slow(xb),
    b = fast(xb);
  console.log("bit-identical:", a.length === b.length && a.every((v, i) => Object.is(v, b[i])));
  let bs = Infinity,
    bf = Infinity;
  for (let r = 0; r < 30; r++) {
    let t = performance.now();
    slow(xb);
    bs = Math.min(bs, performance.now() - t);
    t = performance.now();
    fast(xb);
    bf = Math.min(bf, performance.now() - t);
  }
  console.log(
    `batch of 50: model.apply ${bs.toFixed(2)} ms, direct plan ${bf.toFixed(2)} ms, speed-up ${(bs / bf).toFixed(2)}x`,
  );
})();
