import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { makeDataset } from "../src/seismic";
import {
  buildTcn,
  countParams,
  finetuneTcn,
  FlatAdam,
  initBackend,
  predictImpedance,
  loadTcn,
  predictRows,
  receptiveField,
  saveTcn,
  seededDropout,
  trainModel,
  TemporalBlock,
} from "../src/tcn";
import { addRelu, checkFits, dilatedConv1d, evaluateLoss, weightNormConv1d } from "../src/tcn/internal";
import { convCases, fitTiny, numGrad, pads, pretrainedToy, rnd, toyData, toyDataset } from "./support/tcn";

before(async () => {
  await initBackend({ quiet: true });
});

type A3 = number[][][];
const arr3 = (d: [number, number, number], f: () => number): A3 =>
  Array.from({ length: d[0] }, () => Array.from({ length: d[1] }, () => Array.from({ length: d[2] }, f)));

/** Reference dilated convolution in float64: y[b,t,o] = sum_{j,c} xp[b, t + j d, c] w[j,c,o]. */
function refConv(x: A3, w: A3, d: number, pl: number, pr: number): A3 {
  const B = x.length,
    L = x[0].length,
    C = x[0][0].length,
    K = w.length,
    O = w[0][0].length;
  const Lout = L + pl + pr - (K - 1) * d;
  const y: A3 = arr3([B, Lout, O], () => 0);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < Lout; t++)
      for (let j = 0; j < K; j++) {
        const s = t + j * d - pl;
        if (s < 0 || s >= L) continue;
        for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) y[b][t][o] += x[b][s][c] * w[j][c][o];
      }
  return y;
}
function refWn(v: A3, g: number[]): A3 {
  const O = g.length;
  const n = new Array(O).fill(0);
  v.forEach((r) => r.forEach((c) => c.forEach((x, o) => (n[o] += x * x))));
  return v.map((r) => r.map((c) => c.map((x, o) => (g[o] * x) / Math.sqrt(n[o]))));
}
const dot3 = (a: A3, b: A3) =>
  a.reduce((s, x, i) => s + x.reduce((s2, y, j) => s2 + y.reduce((s3, z, k) => s3 + z * b[i][j][k], 0), 0), 0);
const clone3 = (a: A3): A3 => a.map((r) => r.map((c) => c.slice()));
function maxAbsDiff(a: number[], b: number[]): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}
const flat = (t: tf.Tensor) => Array.from(t.dataSync());

/** Central-difference gradient of f over every entry of a (float64). */
function numGrad3(a: A3, f: (a: A3) => number, eps = 1e-6): number[] {
  const out: number[] = [];
  a.forEach((r, i) =>
    r.forEach((c, j) =>
      c.forEach((_, k) => {
        const p = clone3(a);
        const m = clone3(a);
        p[i][j][k] += eps;
        m[i][j][k] -= eps;
        out.push((f(p) - f(m)) / (2 * eps));
      }),
    ),
  );
  return out;
}

test("dilatedConv1d forward equals a direct float64 convolution (causal, same, valid; even and odd kernels)", () => {
  const r = rnd(1);
  for (const { pad, K, d, pl, pr } of convCases([2, 1], [3, 2], [5, 4], [4, 3])) {
    const x = arr3([2, 23, 3], r);
    const w = arr3([K, 3, 4], r);
    const ref = refConv(x, w, d, pl, pr);
    const y = dilatedConv1d(tf.tensor3d(x), tf.tensor3d(w), d, pad);
    assert.deepEqual(y.shape, [2, ref[0].length, 4]);
    if (pad !== "valid") assert.equal(y.shape[1], 23);
    assert.ok(maxAbsDiff(flat(y), ref.flat(2)) < 1e-5, `${pad} K=${K} d=${d}`);
  }
});

test("dilatedConv1d gradients (custom: flipped-kernel conv for x, swapped-axes strided conv2d for w) match numerical gradients", () => {
  const r = rnd(2);
  for (const { pad, K, d, pl, pr } of convCases([3, 1], [5, 2], [2, 4])) {
    const x = arr3([2, 19, 3], r);
    const w = arr3([K, 3, 2], r);
    const R = arr3([2, 19 + pl + pr - (K - 1) * d, 2], r);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(dilatedConv1d(a as tf.Tensor3D, b as tf.Tensor3D, d, pad), tf.tensor3d(R))),
    )([tf.tensor3d(x), tf.tensor3d(w)]);
    const nx = numGrad3(x, (a) => dot3(refConv(a, w, d, pl, pr), R));
    const nw = numGrad3(w, (b) => dot3(refConv(x, b, d, pl, pr), R));
    assert.ok(maxAbsDiff(flat(gx), nx) < 1e-4, `dx ${pad} K=${K} d=${d}: ${maxAbsDiff(flat(gx), nx)}`);
    assert.ok(maxAbsDiff(flat(gw), nw) < 1e-4, `dw ${pad} K=${K} d=${d}: ${maxAbsDiff(flat(gw), nw)}`);
  }
});

test("weightNormConv1d (w = g v/||v||, bias, ReLU in one op) matches float64 values and numerical gradients for x, v, g, b", () => {
  const r = rnd(3);
  for (const [pad, K, d, relu, wn] of [
    ["same", 5, 2, true, true],
    ["causal", 3, 4, true, true],
    ["same", 3, 1, false, true],
    ["causal", 2, 2, true, false],
  ] as const) {
    const x = arr3([2, 17, 3], r);
    const v = arr3([K, 3, 4], r);
    const g = [0.5, 1.5, -0.7, 2];
    const bias = [0.1, -0.2, 0.05, 0];
    const [pl, pr] = pads(K, d, pad);
    const R = arr3([2, 17, 4], r);
    const fwd = (xa: A3, va: A3, ga: number[], ba: number[]) =>
      refConv(xa, wn ? refWn(va, ga) : va, d, pl, pr).map((row) =>
        row.map((c) => c.map((z, o) => (relu ? Math.max(0, z + ba[o]) : z + ba[o]))),
      );
    const loss = (xa: A3, va: A3, ga: number[], ba: number[]) => dot3(fwd(xa, va, ga, ba), R);
    const y = weightNormConv1d(
      tf.tensor3d(x),
      tf.tensor3d(v),
      wn ? tf.tensor1d(g) : null,
      tf.tensor1d(bias),
      d,
      pad,
      relu,
    );
    assert.ok(maxAbsDiff(flat(y), fwd(x, v, g, bias).flat(2)) < 1e-5);
    const inputs = wn
      ? [tf.tensor3d(x), tf.tensor3d(v), tf.tensor1d(g), tf.tensor1d(bias)]
      : [tf.tensor3d(x), tf.tensor3d(v), tf.tensor1d(bias)];
    const grads = tf.grads((...t: tf.Tensor[]) =>
      tf.sum(
        tf.mul(
          weightNormConv1d(
            t[0] as tf.Tensor3D,
            t[1] as tf.Tensor3D,
            wn ? (t[2] as tf.Tensor1D) : null,
            (wn ? t[3] : t[2]) as tf.Tensor1D,
            d,
            pad,
            relu,
          ),
          tf.tensor3d(R),
        ),
      ),
    )(inputs);
    const near = (grad: tf.Tensor, num: number[], what: string) => assert.ok(maxAbsDiff(flat(grad), num) < 2e-4, what);
    near(
      grads[0],
      numGrad3(x, (a) => loss(a, v, g, bias)),
      "dx",
    );
    near(
      grads[1],
      numGrad3(v, (a) => loss(x, a, g, bias)),
      "dv",
    );
    if (wn)
      near(
        grads[2],
        numGrad(g, (a) => loss(x, v, a, bias)),
        "dg",
      );
    near(
      grads[wn ? 3 : 2],
      numGrad(bias, (a) => loss(x, v, g, a)),
      "db",
    );
  }
});

test("addRelu and seeded dropout: values and gradients", () => {
  const a = tf.tensor([[[1, -2, 0.5]]]);
  const b = tf.tensor([[[-3, 1, 0.5]]]);
  assert.deepEqual(flat(addRelu(a, b)), [0, 0, 1]);
  const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(addRelu(p, q), tf.tensor([[[2, 3, 4]]]))))([
    a,
    b,
  ]);
  assert.deepEqual(flat(ga), [0, 0, 4]);
  assert.deepEqual(flat(gb), [0, 0, 4]);
  const x = tf.ones([4, 500, 5]) as tf.Tensor3D;
  const y = flat(seededDropout(x, 0.2, 11));
  const zeros = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(zeros - 0.2) < 0.02, `dropped ${zeros}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1.25) < 1e-6));
  assert.deepEqual(flat(seededDropout(x, 0.2, 11)), y);
  assert.notDeepEqual(flat(seededDropout(x, 0.2, 12)), y);
  const g = tf.grad((t: tf.Tensor) => tf.sum(seededDropout(t as tf.Tensor3D, 0.2, 11)))(x);
  assert.deepEqual(flat(g), y); // d/dx (x * mask) = mask
});

test("TCN: 2407 parameters for Mustafa et al.'s [3,5,5,5,6,6,6,6] / kernel 5 (PyTorch's count for the same net), any trace length", () => {
  const m = buildTcn();
  assert.equal(countParams(m), 2407); // bench/tcn_torch.py prints params 2407 for the same architecture
  assert.equal(receptiveField({ channels: [3, 5, 5, 5, 6, 6, 6, 6], kernelSize: 5 }), 2041);
  for (const L of [187, 351]) {
    const y = m.apply(tf.zeros([2, L, 1]), { training: false }) as tf.Tensor;
    assert.deepEqual(y.shape, [2, L, 1]);
  }
  m.dispose();
});

test("causal padding: outputs never depend on later samples; symmetric padding does", () => {
  const L = 64;
  const t0 = 40;
  for (const padding of ["causal", "same"] as const) {
    const m = buildTcn({ channels: [4, 4, 4], kernelSize: 3, padding, seed: 5 });
    const r = rnd(9);
    const x = Array.from({ length: L }, r);
    const x2 = x.slice();
    x2[t0] += 1;
    const [a, b] = predictRows(m, [Float32Array.from(x), Float32Array.from(x2)]);
    const before = maxAbsDiff(Array.from(a.slice(0, t0)), Array.from(b.slice(0, t0)));
    const after = maxAbsDiff(Array.from(a.slice(t0)), Array.from(b.slice(t0)));
    assert.ok(after > 1e-4, `${padding}: the perturbed sample must matter`);
    if (padding === "causal") assert.equal(before, 0);
    else assert.ok(before > 1e-4);
    m.dispose();
  }
});

test("FlatAdam equals tfjs's Adam (no decay) and PyTorch-style L2 decay on the gradient", () => {
  const init = [
    [0.5, -1, 2],
    [3, 0.1, -0.4],
  ];
  const target = tf.tensor([1, 2, 3]);
  const loss = (v: tf.Variable) => tf.sum(tf.square(tf.sub(tf.mul(v, v), target)));
  for (const wd of [0, 0.1]) {
    const va = init.map((a) => tf.variable(tf.tensor(a)));
    const vb = init.map((a) => tf.variable(tf.tensor(a)));
    const mine = new FlatAdam(va, 0.05, wd);
    const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-8);
    for (let s = 0; s < 5; s++) {
      const ga = va.map((v) => tf.grad(() => loss(v))(v));
      mine.step(ga);
      const gb = vb.map((v) => tf.add(tf.grad(() => loss(v))(v), tf.mul(wd, v)));
      ref.applyGradients(vb.map((v, i) => ({ name: v.name, tensor: gb[i] })));
    }
    va.forEach((v, i) => assert.ok(maxAbsDiff(flat(v), flat(vb[i])) < 1e-5, `wd ${wd}`));
  }
});

test("training: loss falls, tensor count is flat across epochs and back to the start afterwards, best weights restored", async () => {
  const m = buildTcn({ channels: [4, 4], kernelSize: 3, dropout: 0.1, seed: 1 });
  const train = toyData(30, 64, 1);
  const val = toyData(10, 64, 2);
  const start = tf.memory().numTensors;
  const counts: number[] = [];
  const h = await trainModel(m, train, val, {
    epochs: 12,
    batchSize: 5,
    lr: 1e-2,
    seed: 3,
    onEpoch: () => {
      counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(new Set(counts).size, 1, `tensor counts per epoch: ${counts.join(",")}`);
  assert.equal(tf.memory().numTensors, start);
  assert.ok(
    h.trainLoss[h.trainLoss.length - 1] < 0.5 * h.trainLoss[0],
    `loss ${h.trainLoss[0]} -> ${h.trainLoss.at(-1)}`,
  );
  const best = Math.min(...h.valLoss);
  assert.equal(h.bestEpoch, h.valLoss.indexOf(best) + 1);
  assert.ok(
    Math.abs(evaluateLoss(m, val) - best) < 1e-6 * Math.max(1, best),
    "model holds the best-validation weights",
  );
  assert.ok(Math.abs(h.finalTrainLoss - evaluateLoss(m, train)) < 1e-9);
  // early stopping: with an unreachable minDelta only epoch 1 counts, then `patience` more epochs
  const h2 = await trainModel(m, train, val, { epochs: 50, batchSize: 5, patience: 3, minDelta: 1e9, seed: 1 });
  assert.equal(h2.epochsRun, 4);
  assert.ok(h2.stoppedEarly);
  m.dispose();
});

test("seeded: the same seed gives the same model, another seed another", async () => {
  const d = makeDataset("toy", toyData(12, 48, 4).x, toyData(12, 48, 4).y);
  const fit = (seed: number) =>
    fitTiny(d, [0, 1, 2, 3, 4, 5, 6, 7], [8, 9], { epochs: 2, batchSize: 4, seed, channels: [3, 3] });
  const a = await fit(1);
  const b = await fit(1);
  const c = await fit(2);
  const w = (m: typeof a) => m.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  [a, b, c].forEach((x) => x.model.dispose());
});

test("fine-tuning with frozen blocks changes only the unfrozen layers; the source model is untouched", async () => {
  const { d, pre } = await pretrainedToy(2, [3, 4, 4, 4]);
  const before = pre.model.layers.map((l) => l.getWeights().map((t) => Array.from(t.dataSync())));
  const ft = await finetuneTcn(pre, d, [8, 9], undefined, {
    epochs: 5,
    batchSize: 2,
    lr: 1e-2,
    freezeBlocks: 2,
    seed: 1,
  });
  ft.bundle.model.layers.forEach((l, i) => {
    const now = l.getWeights().map((t) => Array.from(t.dataSync()));
    if (i < 2) assert.deepEqual(now, before[i], `${l.name} should be frozen`);
    else assert.notDeepEqual(now, before[i], `${l.name} should change`);
  });
  pre.model.layers.forEach((l, i) =>
    assert.deepEqual(
      l.getWeights().map((t) => Array.from(t.dataSync())),
      before[i],
    ),
  );
  assert.ok(
    ft.bundle.model.layers.every((l) => l.trainable),
    "returned model is left trainable",
  );
  pre.model.dispose();
  ft.bundle.model.dispose();
});

test("fine-tuning draws its own dropout masks from its seed; the pre-trained model's stream is untouched", async () => {
  const { d, pre } = await pretrainedToy(1, [3, 4]);
  const seeds = (m: { layers: unknown[] }) =>
    m.layers.filter((l): l is TemporalBlock => l instanceof TemporalBlock).map((b) => b.seed);
  const preSeeds = seeds(pre.model);
  const a = await finetuneTcn(pre, d, [8, 9], undefined, { epochs: 1, batchSize: 2, seed: 7 });
  const b = await finetuneTcn(pre, d, [8, 9], undefined, { epochs: 1, batchSize: 2, seed: 8 });
  assert.deepEqual(seeds(a.bundle.model), [7001, 7002]);
  assert.deepEqual(seeds(b.bundle.model), [8001, 8002]);
  assert.deepEqual(seeds(pre.model), preSeeds);
  for (const m of [pre.model, a.bundle.model, b.bundle.model]) m.dispose();
});

test("save/load: same predictions; clear errors for missing, truncated or corrupt model directories and unfit data", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-tcn-"));
  try {
    const data = toyData(8, 40, 6);
    const d = toyDataset(data.x, data.y, 5000, 300);
    const bundle = await fitTiny(d, [0, 1, 2, 3], [4, 5], { epochs: 2, batchSize: 2, seed: 2, channels: [3, 3] });
    const dir = path.join(tmp, "m");
    await saveTcn(bundle, dir);
    const back = await loadTcn(dir);
    assert.deepEqual(back.config, bundle.config);
    assert.deepEqual(back.yStats, bundle.yStats);
    const p1 = predictImpedance(bundle, d.seismic);
    const p2 = predictImpedance(back, d.seismic);
    p1.forEach((r, i) => assert.deepEqual(Array.from(r), Array.from(p2[i])));
    await assert.rejects(loadTcn(path.join(tmp, "nope")), /directory does not exist.*geoinv tcn pretrain/);
    const bin = path.join(dir, "weights.bin");
    const good = fs.readFileSync(bin);
    fs.writeFileSync(bin, good.subarray(0, good.length - 8));
    await assert.rejects(loadTcn(dir), /weights are \d+ bytes but model.json lists \d+ bytes.*corrupt/);
    fs.unlinkSync(bin);
    await assert.rejects(loadTcn(dir), /weights file missing/);
    fs.writeFileSync(bin, good);
    fs.writeFileSync(path.join(dir, "geoinv-tcn.json"), "{ not json");
    await assert.rejects(loadTcn(dir), /corrupt JSON/);
    const fixed = { ...bundle, config: { ...bundle.config, inputLength: 40 } };
    assert.throws(() => checkFits(fixed, [new Float32Array(50)]), /built for traces of 40 samples but seismic has 50/);
    assert.throws(
      () => checkFits({ ...bundle, config: { ...bundle.config, inputChannels: 3 } }, [new Float32Array(40)]),
      /takes 3 input channels/,
    );
    assert.throws(() => predictImpedance(bundle, [Float32Array.from([1, NaN, 2])]), /sample 1 is NaN/);
    bundle.model.dispose();
    back.model.dispose();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("backend: wasm (or tfjs-node) chosen automatically; GEOINV_TF_BACKEND forces one or fails loudly", () => {
  assert.ok(["wasm", "tensorflow"].includes(tf.getBackend()), tf.getBackend());
  const script =
    "require('./src/tcn').initBackend({quiet:true}).then(b=>console.log(b.name),e=>{console.log('ERR '+e.message)})";
  const run = (v: string) =>
    execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
      env: { ...process.env, GEOINV_TF_BACKEND: v },
      encoding: "utf8",
    }).trim();
  assert.equal(run("cpu"), "cpu");
  assert.match(run("gpu"), /^ERR GEOINV_TF_BACKEND = 'gpu'; must be one of node, wasm, cpu/);
});

test("tcnConfig refuses a network whose weights cannot be trained in the backend's memory (was a wasm 'memory access out of bounds'), counting weights as tfjs does", async () => {
  const { tcnConfig, tcnParameterCount } = await import("../src/tcn/model");
  for (const c of [{}, { channels: [4, 7, 7], kernelSize: 3, outputChannels: 2 }]) {
    assert.equal(tcnParameterCount(tcnConfig(c)), buildTcn(c).countParams());
  }
  assert.throws(
    () => tcnConfig({ channels: Array(8).fill(4096) }),
    (e: Error) =>
      e.name === "ValidationError" && /^channels: .*weights need about .* use fewer channels/.test(e.message),
  );
});

test("a network that cannot take even one trace is refused naming kernelSize (padding longer than the trace), not batchSize", async () => {
  const { checkTrainMemory } = await import("../src/tcn");
  const model = buildTcn({ kernelSize: 20000 });
  assert.throws(
    () => checkTrainMemory(model, 10, 351, 8),
    (e: Error) => e.name === "ValidationError" && /^kernelSize: /.test(e.message),
  );
  model.dispose();
});
