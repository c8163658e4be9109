import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { loadNpy } from "../src/data";
import { invertSync, parseInvertConfig, withSyntheticData } from "../src/inversion";

/** The inversion on the real EM engine, and the `geoinv tem invert` verb. */
const root = path.resolve(__dirname, "..");
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(root, "examples", name), "utf8"));

async function run(argv: string[]) {
  let out = "",
    err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

function withConfig(cfg: unknown, f: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-inv-"));
  const file = path.join(dir, "c.json");
  fs.writeFileSync(file, JSON.stringify(cfg));
  return f(file).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test("three-layer H-type, polarisable middle layer: JADE + OBL recovers rho, thickness and m from noise-free Ex", () => {
  const cfg = parseInvertConfig(example("tem_h3_ip_middle.json"));
  const truth = cfg.model!;
  const r = invertSync(withSyntheticData(cfg), { ...cfg.optimizer, seed: 2 });
  assert.equal(r.stopReason, "target", `rms ${r.misfit.rms} after ${r.generations} generations`);
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  assert.ok(rel(r.model.rho0[0], truth.rho0[0]) < 0.05, `rho1 ${r.model.rho0[0]}`);
  assert.ok(rel(r.model.rho0[1], truth.rho0[1]) < 0.05, `rho2 ${r.model.rho0[1]}`);
  assert.ok(rel(r.model.rho0[2], truth.rho0[2]) < 0.1, `rho3 ${r.model.rho0[2]}`);
  assert.ok(rel(r.model.thickness[0], truth.thickness[0]) < 0.03, `h1 ${r.model.thickness[0]}`);
  assert.ok(Math.abs(r.model.m[1] - 0.3) < 0.03, `m2 ${r.model.m[1]}`);
  assert.ok(r.model.m[0] < 0.05, `m1 ${r.model.m[0]}`);
});

test("tem invert rejects bad configs naming the field", async () => {
  const base = example("tem_h3_ip_middle.json");
  delete base.synthetic;
  const n = base.times.length;
  base.data = { time_off: new Array(n).fill(1e-6), error: new Array(n).fill(1e-8) };
  const cases: [unknown, RegExp][] = [
    [
      { ...base, data: { time_off: base.data.time_off.slice(1), error: base.data.error } },
      /data\.time_off: has 30 values but times has 31/,
    ],
    [
      { ...base, data: { ...base.data, error: base.data.error.map((e: number, i: number) => (i === 4 ? -1 : e)) } },
      /data\.error\[4\]: -1; errors are standard deviations/,
    ],
    [
      { ...base, parameterisation: { ...base.parameterisation, thickness: { min: 500, max: 100 } } },
      /parameterisation\.thickness\.min: lower bound 500 must be below upper bound 100/,
    ],
    [
      { ...base, optimizer: { ...base.optimizer, strategy: "DE/best/3" } },
      /optimizer\.strategy: unknown 'DE\/best\/3'/,
    ],
    [{ ...base, optimizer: { ...base.optimizer, popsize: 3 } }, /optimizer\.popsize: unknown key/],
    [{ ...base, optimizer: { ...base.optimizer, NP: 36 } }, /optimizer\.NP: given together with optimizer\.np/],
    [
      { ...base, optimizer: { strategy: "jade", NP: 2.5 } },
      /optimizer\.NP: expected an integer in \[1, 10000\], got 2\.5/,
    ],
  ];
  for (const [cfg, re] of cases) {
    await withConfig(cfg, async (file) => {
      const r = await run(["tem", "invert", file]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, re);
      assert.equal(r.out, "");
    });
  }
});

test("tem invert writes the result JSON: model with the case's keys, misfit, history, predicted.time_off", async () => {
  const cfg = example("tem_h3_ip_top.json");
  cfg.optimizer = { ...cfg.optimizer, np: 12, generations: 3 };
  await withConfig(cfg, async (file) => {
    const out = file.replace(/c\.json$/, "r.json");
    const r = await run(["tem", "invert", file, "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /gen 0 .*rms/);
    const res = JSON.parse(fs.readFileSync(out, "utf8"));
    assert.deepEqual(Object.keys(res.model).sort(), ["c", "m", "rho0", "tau", "thickness"]);
    assert.equal(res.predicted.time_off.length, cfg.times.length);
    assert.equal(res.history.rms.length, 4);
    // OBL's 2 NP, three generations of NP, and the LM polish's own evaluations (on by default)
    assert.ok(res.polish.evaluations > 0);
    assert.equal(res.evaluations, 24 + 3 * 12 + res.polish.evaluations);
    assert.ok(res.polish.after <= res.polish.before);
    assert.ok(res.misfit.rms > 0 && Number.isFinite(res.misfit.rms));
    assert.equal(res.search_spread.stats.length, 8);
    assert.match(res.search_spread.note, /not uncertainty/);
  });
});

test("optimizer.NP (the papers' spelling) is the population size, like optimizer.np", () => {
  const cfg = example("tem_h3_ip_middle.json");
  const { np, ...rest } = cfg.optimizer;
  assert.equal(parseInvertConfig({ ...cfg, optimizer: { ...rest, NP: np } }).optimizer.np, np);
  assert.equal(parseInvertConfig(cfg).optimizer.np, np);
});

test("tem invert --posterior: the result has the posterior, the chains are saved beside --out, bad sampler options exit 2", async () => {
  const cfg = example("tem_h3_ip_top.json");
  cfg.optimizer = { ...cfg.optimizer, np: 12, generations: 3 };
  cfg.posterior = { max_evaluations: 400, chains: 4, predictive_draws: 10, band_draws: 20 };
  await withConfig(cfg, async (file) => {
    const out = file.replace(/c\.json$/, "r.json");
    const r = await run(["tem", "invert", file, "--out", out, "--quiet"]);
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(fs.readFileSync(out, "utf8"));
    const post = res.posterior;
    assert.equal(post.stop_reason, "budget");
    assert.equal(post.parameters.length, 8);
    assert.deepEqual(Object.keys(post.parameters[0]).sort(), ["ess", "layer", "name", "q05", "q50", "q95", "rhat"]);
    assert.equal(post.chains_file, "r.chains.npy");
    const npy = loadNpy(path.join(path.dirname(out), post.chains_file));
    assert.equal(npy.shape[0], 4);
    assert.equal(npy.shape[2], 8);
    assert.equal(post.chains_names.length, 8);
    assert.equal(post.predictive[0].q50.length, cfg.times.length);
    assert.ok(post.bands.rho0.depth.length > 0);
  });
  const bad = { ...example("tem_h3_ip_top.json"), posterior: { chains: 2 } };
  await withConfig(bad, async (file) => {
    const r = await run(["tem", "invert", file]);
    assert.equal(r.code, 2);
    assert.match(r.err, /posterior\.chains: expected an integer in \[3, 1000\], got 2/);
  });
});
