import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { buildTcn, initBackend, predictRows, WeightNormConv1D } from "../src/tcn";
import { predictRowsTfjs, TcnKernel } from "../src/tcn/internal";
import { mulberry32 } from "../src/config";
import { assembleKernel, kernelModuleText, WASM_TS_FILE } from "../scripts/wasm-kernel";

before(async () => {
  await initBackend({ quiet: true });
});

/** Traces of a seeded random walk plus a sine, so every channel sees varied input. */
function traces(n: number, L: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    let w = 0;
    return Float32Array.from({ length: L }, (_, t) => (w += r() - 0.5) + Math.sin(0.07 * t * (i + 1)));
  });
}

/** Scale every weight of a model by random factors in [0.5, 3], so ReLUs switch on and off throughout. */
function roughen(model: tf.LayersModel, seed: number): void {
  const r = mulberry32(seed);
  for (const l of model.layers) {
    const ws = l.getWeights().map((w) => {
      const d = w.dataSync() as Float32Array;
      return tf.tensor(
        d.map((v) => v * (0.5 + 2.5 * r())),
        w.shape,
      );
    });
    l.setWeights(ws);
    ws.forEach((w) => w.dispose());
  }
}

/** Largest |a - b| relative to max(1, largest |a|). */
function relDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  let m = 1;
  a.forEach((r, i) => {
    assert.equal(b[i].length, r.length);
    r.forEach((v, t) => {
      d = Math.max(d, Math.abs(v - b[i][t]));
      m = Math.max(m, Math.abs(v));
    });
  });
  return d / m;
}

test("the committed kernel bytes are conv1d.wat assembled (npm run wasm:build)", async () => {
  assert.equal(fs.readFileSync(WASM_TS_FILE, "utf8"), kernelModuleText(await assembleKernel()));
});

test("wasm kernel equals tfjs's inference to float32 rounding: paddings, kernel sizes, channel changes, lengths", () => {
  const cases = [
    { padding: "same" as const, kernelSize: 5, channels: [3, 5, 5, 5, 6, 6, 6, 6] },
    { padding: "causal" as const, kernelSize: 3, channels: [4, 4, 2] },
    { padding: "same" as const, kernelSize: 2, channels: [1, 7] },
  ];
  cases.forEach((c, i) => {
    const model = buildTcn({ ...c, seed: i + 1 });
    roughen(model, 10 + i);
    for (const L of [1, 15, 16, 17, 300]) {
      const x = traces(5, L, 100 * i + L);
      const got = predictRows(model, x, 2);
      const want = predictRowsTfjs(model, x, 5);
      const d = relDiff(want, got);
      assert.ok(d < 2e-6, `case ${i} (${c.padding}, k ${c.kernelSize}), ${L} samples: relative difference ${d}`);
      assert.ok(
        want.some((r) => r.some((v) => v !== want[0][0])),
        `case ${i}, ${L} samples: constant output tests nothing`,
      );
    }
    model.dispose();
  });
});

test("wasm kernel against the convolution written out (float64), for one weight-normed ReLU layer", () => {
  const model = tf.sequential();
  model.add(
    new WeightNormConv1D({
      filters: 1,
      kernelSize: 4,
      dilationRate: 3,
      padding: "same",
      activation: "relu",
      batchInputShape: [null, null, 1],
    }),
  );
  const v = [0.7, -1.2, 0.4, 2.0];
  const g = 1.5;
  const b = -0.1;
  model.layers[0].setWeights([tf.tensor3d(v, [4, 1, 1]), tf.tensor1d([g]), tf.tensor1d([b])]);
  const x = traces(3, 40, 7);
  const got = TcnKernel.fromModel(model)!.predict(x);
  const norm = Math.hypot(...v);
  const pl = Math.floor((3 * 3) / 2); // same padding: floor((k-1) d / 2) on the left
  x.forEach((r, i) => {
    for (let t = 0; t < r.length; t++) {
      let s = b;
      for (let j = 0; j < 4; j++) {
        const u = t - pl + 3 * j;
        if (u >= 0 && u < r.length) s += ((g * v[j]) / norm) * r[u];
      }
      const want = Math.max(0, s);
      assert.ok(Math.abs(got[i][t] - want) < 1e-5, `trace ${i}, t ${t}: ${got[i][t]} vs ${want}`);
    }
  });
  model.dispose();
});

test("wasm kernel: shared instance across models and trace lengths gives each its own answer", () => {
  const a = buildTcn({ seed: 5 });
  const b = buildTcn({ seed: 6, padding: "causal" });
  roughen(a, 1);
  roughen(b, 2);
  const long = traces(3, 200, 1);
  const short = traces(2, 33, 2);
  const ka = TcnKernel.fromModel(a)!;
  const kb = TcnKernel.fromModel(b)!;
  const first = ka.predict(long);
  kb.predict(short);
  ka.predict(short);
  kb.predict(long);
  assert.deepEqual(ka.predict(long), first);
  assert.ok(relDiff(predictRowsTfjs(b, short, 2), kb.predict(short)) < 2e-6);
  a.dispose();
  b.dispose();
});

test("predictRows: other models run on tfjs; the kernel refuses an empty trace naming the field", () => {
  const dense = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  assert.equal(TcnKernel.fromModel(dense), null);
  const tcn = buildTcn({ seed: 1 });
  assert.throws(() => TcnKernel.fromModel(tcn)!.predict([new Float32Array(0)]), /seismic.*no samples/);
  assert.throws(() => predictRows(tcn, [new Float32Array(4), new Float32Array(5)], 2), /trace 1 has 5 samples/);
  assert.equal(predictRows(tcn, [new Float32Array(4), new Float32Array(5)], 1).length, 2);
  dense.dispose();
  tcn.dispose();
});
