import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { parseNpy, toNpy } from "../src/data";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

// A tiny run of the Table-1 workflow: what matters here is the plumbing, not the scores.
const tiny = {
  seed: 1,
  source: { data: { name: "marmousi2", traceStep: 20 }, split: { counts: [12, 6, 20] }, model: { channels: [3, 4, 4] }, train: { epochs: 2 } },
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
    const e = await cli(["tcn", "evaluate", "--model", path.join(out, "transfer"), "--data", "overthrust", "--trace-step", "8", "--exclude", m.wells.join(","), "--out", ev]);
    assert.equal(e.code, 0, e.err);
    const em = JSON.parse(fs.readFileSync(path.join(ev, "metrics.json"), "utf8"));
    assert.ok(Math.abs(em.section.pcc - m.transfer.pcc) < 1e-9, "same model, same data, same traces, same score");
    assert.equal(em.per_trace.pcc.length, 96);
    assert.deepEqual(em.excluded, m.wells);

    const ft = path.join(tmp, "ft");
    const f = await cli(["tcn", "finetune", "--model", path.join(out, "pretrained"), "--config", cfg, "--wells", "5,50,95", "--freeze", "1", "--epochs", "2", "--out", ft]);
    assert.equal(f.code, 0, f.err);
    const fm = JSON.parse(fs.readFileSync(path.join(ft, "metrics.json"), "utf8"));
    assert.deepEqual(fm.wells, [5, 50, 95]);

    const seis = path.join(tmp, "s.npy");
    fs.writeFileSync(seis, toNpy(new Float32Array(3 * 60).map((_, i) => Math.sin(i / 5)), [3, 60]));
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
