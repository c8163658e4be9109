import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { mulberry32 } from "../src/config";
import { parseNpy, toNpy } from "../src/data";
import { ValidationError } from "../src/core";
import { loadWellTarget, saveTcn } from "../src/tcn";
import { fitTiny, toyDataset } from "./support/tcn";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

// A tiny run of the Table-1 workflow: what matters here is the plumbing, not the scores.
const tiny = {
  seed: 1,
  source: {
    data: { name: "marmousi2", traceStep: 20 },
    split: { counts: [12, 6, 20] },
    model: { channels: [3, 4, 4] },
    train: { epochs: 2 },
  },
  target: { data: { name: "overthrust", traceStep: 8 } },
  finetune: { epochs: 3 },
  direct: { epochs: 3 },
};

test("geoinv tcn transfer/evaluate/finetune/predict: models and metrics.json written; evaluate agrees with transfer", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-tcn-cli-"));
  try {
    const cfg = path.join(tmp, "cfg.json");
    fs.writeFileSync(cfg, JSON.stringify(tiny));
    const out = path.join(tmp, "tr");
    const r = await cli(["tcn", "transfer", "--config", cfg, "--quick", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /TCN transfer\s+PCC/);
    const m = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8"));
    for (const k of ["pretrained_direct", "direct", "transfer"]) {
      for (const f of ["pcc", "r2", "mse", "mae"]) assert.equal(typeof m[k][f], "number", `${k}.${f}`);
    }
    assert.equal(typeof m.transfer.loss, "number");
    assert.deepEqual(m.wells, [10, 30, 50, 70, 90]); // centres of 5 segments of the 101 kept traces
    for (const d of ["pretrained", "direct", "transfer"]) assert.ok(fs.existsSync(path.join(out, d, "weights.bin")), d);

    const ev = path.join(tmp, "ev");
    // transfer scores leave the wells out; evaluate does so with --exclude
    assert.deepEqual(m.excluded, m.wells);
    assert.equal(m.scored, 96);
    const e = await cli([
      "tcn",
      "evaluate",
      "--model",
      path.join(out, "transfer"),
      "--data",
      "overthrust",
      "--trace-step",
      "8",
      "--exclude",
      m.wells.join(","),
      "--out",
      ev,
    ]);
    assert.equal(e.code, 0, e.err);
    const em = JSON.parse(fs.readFileSync(path.join(ev, "metrics.json"), "utf8"));
    assert.ok(Math.abs(em.section.pcc - m.transfer.pcc) < 1e-9, "same model, same data, same traces, same score");
    assert.equal(em.per_trace.pcc.length, 96);
    assert.deepEqual(em.excluded, m.wells);

    const ft = path.join(tmp, "ft");
    const f = await cli([
      "tcn",
      "finetune",
      "--model",
      path.join(out, "pretrained"),
      "--config",
      cfg,
      "--wells",
      "5,50,95",
      "--freeze",
      "1",
      "--epochs",
      "2",
      "--out",
      ft,
    ]);
    assert.equal(f.code, 0, f.err);
    const fm = JSON.parse(fs.readFileSync(path.join(ft, "metrics.json"), "utf8"));
    assert.deepEqual(fm.wells, [5, 50, 95]);

    const seis = path.join(tmp, "s.npy");
    fs.writeFileSync(
      seis,
      toNpy(
        new Float32Array(3 * 60).map((_, i) => Math.sin(i / 5)),
        [3, 60],
      ),
    );
    const pr = path.join(tmp, "pr");
    const p = await cli(["tcn", "predict", "--model", path.join(ft, "model"), "--seismic", seis, "--out", pr]);
    assert.equal(p.code, 0, p.err);
    const imp = parseNpy(fs.readFileSync(path.join(pr, "impedance.npy")));
    assert.deepEqual(imp.shape, [3, 60]);
    assert.ok(Array.from(imp.data).every(Number.isFinite));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("geoinv tcn: bad input exits 2 with a message naming the problem", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-tcn-cli-"));
  try {
    let r = await cli(["tcn", "finetune", "--model", path.join(tmp, "missing"), "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing.*directory does not exist/);
    const cfg = path.join(tmp, "bad.json");
    fs.writeFileSync(cfg, JSON.stringify({ finetune: { epoch: 3 } }));
    r = await cli(["tcn", "transfer", "--config", cfg, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /finetune\.epoch: unknown key; did you mean 'epochs'\?/);
    r = await cli(["tcn", "pretrain", "--out", path.join(tmp, "o"), "--padding", "left"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--padding left: use same or causal/);
    r = await cli(["tcn", "pretrain", "--epochs", "3"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--out DIR is required/);
    const a = path.join(tmp, "a.npy");
    const b = path.join(tmp, "b.npy");
    fs.writeFileSync(a, toNpy(new Float32Array(20), [4, 5]));
    fs.writeFileSync(b, toNpy(new Float32Array(24), [4, 6]));
    fs.writeFileSync(cfg, JSON.stringify({ pretrained: "x" }));
    r = await cli(["tcn", "pretrain", "--seismic", a, "--impedance", b, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /shape mismatch: seismic is \(4 traces, 5 samples\) but impedance is \(4, 6\)/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// Defects found by the held-out bad inputs of bench/bad-inputs.ts (issue 18): each refusal names
// the user's flag or field.
test("geoinv tcn: --freeze beyond the model's blocks, repeated wells and --seismic without --impedance name the flag", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-tcn-cli-"));
  try {
    const r0 = mulberry32(5);
    const x = Array.from({ length: 6 }, () => Float32Array.from({ length: 24 }, () => r0() - 0.5));
    const bundle = await fitTiny(toyDataset(x, x, 4000, 500), [0, 1, 2, 3], undefined, {
      epochs: 1,
      batchSize: 2,
      seed: 1,
      channels: [2, 2],
    });
    const model = path.join(tmp, "model");
    await saveTcn(bundle, model);
    bundle.model.dispose();
    const o = path.join(tmp, "o");
    const base = [
      "tcn",
      "finetune",
      "--model",
      model,
      "--data",
      "overthrust",
      "--trace-step",
      "20",
      "--epochs",
      "1",
      "--out",
      o,
    ];
    let r = await cli([...base, "--freeze", "5", "--n-wells", "2"]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn finetune: --freeze: 5: the model has 2 blocks, so use an integer in \[0, 2\]/m);
    assert.ok(!fs.existsSync(o), "nothing left behind");
    const cfg = path.join(tmp, "c.json");
    fs.writeFileSync(cfg, JSON.stringify({ finetune: { freezeBlocks: 3 } }));
    r = await cli([...base, "--config", cfg, "--n-wells", "2"]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /finetune\.freezeBlocks: 3: the model has 2 blocks/);
    r = await cli([...base, "--wells", "3,3,4"]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn finetune: --wells: trace 3 appears twice/m);
    fs.writeFileSync(cfg, JSON.stringify({ target: { wells: [1, 7, 1] } }));
    r = await cli([...base, "--config", cfg]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /target\.wells: trace 1 appears twice/);
    const s = path.join(tmp, "s.npy");
    fs.writeFileSync(s, toNpy(new Float32Array(3 * 24), [3, 24]));
    r = await cli(["tcn", "evaluate", "--model", model, "--seismic", s, "--out", o]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn evaluate: --impedance F\.npy is needed with --seismic/m);
    r = await cli(["tcn", "predict", "--model", model, "--impedance", s, "--out", o]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--seismic F\.npy is needed with --impedance/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("geoinv tcn: a model architecture of the wrong type is refused naming its config path (was a TypeError)", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-tcn-cli-"));
  try {
    const cfg = path.join(tmp, "c.json");
    fs.writeFileSync(
      cfg,
      JSON.stringify({
        data: { name: "marmousi2", traceStep: 40 },
        split: { counts: [8, 4, 10] },
        model: { channels: 7 },
        train: { epochs: 1 },
      }),
    );
    let r = await cli(["tcn", "pretrain", "--config", cfg, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn pretrain: model\.channels: 7; need a non-empty list of positive integers/m);
    fs.writeFileSync(
      cfg,
      JSON.stringify({
        source: {
          data: { name: "marmousi2", traceStep: 40 },
          split: { counts: [8, 4, 10] },
          model: { kernelSize: 0 },
          train: { epochs: 1 },
        },
      }),
    );
    r = await cli(["tcn", "transfer", "--config", cfg, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn transfer: source\.model\.kernelSize: 0; need a positive integer/m);
    assert.ok(!fs.existsSync(path.join(tmp, "o")));
    // a config nested 20000 arrays deep: a message, not a stack overflow
    fs.writeFileSync(cfg, "[".repeat(20000) + "]".repeat(20000));
    r = await cli(["tcn", "transfer", "--config", cfg, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn transfer: config: expected a JSON object, got \[\[\[/m);
    // an unknown architecture key is not ignored
    fs.writeFileSync(cfg, JSON.stringify({ source: { model: { kernel_size: 3 } } }));
    r = await cli(["tcn", "transfer", "--config", cfg, "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^geoinv tcn transfer: source\.model\.kernel_size: unknown key; did you mean 'kernelSize'\?/m);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("a well target's section grid that does not match its traces is refused naming target.apply[i].grid", () => {
  const ex = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tcn_transfer_volve.json"), "utf8"));
  ex.target.apply[1].grid = [21, 74];
  assert.throws(
    () => loadWellTarget(ex.target),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.field, "target.apply[1].grid");
      assert.match(e.message, /21 x 74 = 1554 traces, but cube_crop_seismic\.npy \('PSDM-time crop'\) has 1533/);
      return true;
    },
  );
});

test("tcn transfer --threads: refused with --checkpoint and for a synthetic target, before any work", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-threads-"));
  try {
    const volve = path.join(__dirname, "..", "examples", "tcn_transfer_volve.json");
    let r = await cli([
      "tcn",
      "transfer",
      "--config",
      volve,
      "--threads",
      "2",
      "--checkpoint",
      path.join(tmp, "ck"),
      "--out",
      path.join(tmp, "o"),
    ]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--threads 2 with --checkpoint: checkpointed trainings run one at a time/);
    r = await cli(["tcn", "transfer", "--config", volve, "--threads", "0", "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--threads/);
    r = await cli(["tcn", "transfer", "--threads", "2", "--out", path.join(tmp, "o")]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--threads applies to a well target/);
    assert.ok(!fs.existsSync(path.join(tmp, "o")), "nothing written");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
