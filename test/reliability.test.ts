import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, reportError } from "../src/cli/main";
import { toNpy, readDataFile } from "../src/data";
import { mulberry32 } from "../src/config";
import { makeDataset } from "../src/seismic";
import { fitTcn, loadTcn, recordTraining, saveTcn } from "../src/tcn";

/**
 * The CLI on bad and extreme inputs: bad --out paths refused before any work with nothing left
 * behind, strict configs, refused non-finite results, manifest faults and tampered TCN bundles,
 * each with exit code 2 and one message naming the field or file (no stack trace).
 */

const root = path.resolve(__dirname, "..");
const fixture = path.join(root, "test", "fixtures", "tem-reference", "hs_loop_central.json");
let tmp = "";

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let out = "",
    err = "";
  try {
    const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Exit 2, one message line (plus an optional hint line), no stack trace, matching `re`. */
function refused(r: { code: number; out: string; err: string }, re: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at /, `${what}: stack trace in\n${r.err}`);
  assert.doesNotMatch(r.err, /internal error/, what);
  assert.match(r.err, re, what);
  assert.ok(r.err.trim().split("\n").length <= 2, `${what}: one message, got\n${r.err}`);
}

function tiny(mut: (c: Record<string, any>) => void = () => undefined): Record<string, any> {
  const c = JSON.parse(fs.readFileSync(path.join(root, "examples", "tem_h3_ip_top.json"), "utf8"));
  c.optimizer = { ...c.optimizer, np: 8, generations: 1, workers: 1 };
  mut(c);
  return c;
}

function write(name: string, obj: unknown, bom = false): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, (bom ? "\ufeff" : "") + JSON.stringify(obj));
  return f;
}

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-rel-"));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("tem invert: a bad --out is refused before any work, and nothing is left behind", async () => {
  const cfg = write("cfg.json", tiny());
  const cfgText = fs.readFileSync(cfg, "utf8");
  const file = write("plain.json", {});
  const cases: [string, RegExp][] = [
    [path.join(tmp, "missing-dir", "r.json"), /missing-dir\/r\.json: no such directory/],
    [tmp, /is a directory/],
    [cfg, /is an input: it is the input file/],
    [path.join(tmp, ".", "cfg.json"), /is an input/],
    [path.join(file, "r.json"), /is not a directory/],
    ["/proc/geoinv/r.json", /\/proc is a kernel pseudo filesystem/],
    ["/proc/self/r.json", /\/proc is a kernel pseudo filesystem/],
    ["/sys/r.json", /\/sys is a kernel pseudo filesystem/],
  ];
  const before = listing(tmp);
  for (const [out, re] of cases) {
    const r = await cli(["tem", "invert", cfg, "--out", out]);
    refused(r, re, out);
    assert.doesNotMatch(r.err, /gen \d+/, `${out}: the inversion must not start`);
  }
  assert.deepEqual(listing(tmp), before);
  assert.equal(fs.readFileSync(cfg, "utf8"), cfgText, "the config is never overwritten");
  refused(await cli(["tem", "invert", cfg, "--out="]), /--out needs a file name/, "--out=");
  // the survey verbs check their outputs the same way
  refused(await cli(["survey", "rankin", "--sites", "2,,7"]), /--sites: "2,,7": item 2 is empty/, "--sites");
  refused(
    await cli(["survey", "rankin", "--out", path.join(tmp, "nodir", "s.json")]),
    /no such directory/,
    "survey rankin --out",
  );
  refused(
    await cli(["survey", "invert", path.join(root, "examples", "survey_rankin.json"), "--out", "/proc/geoinv/x"]),
    /pseudo filesystem/,
    "survey invert --out",
  );
  refused(
    await cli(["survey", "invert", path.join(root, "examples", "survey_rankin.json"), "--out", cfg]),
    /not a directory/,
    "survey invert --out FILE",
  );
});

test("tem invert: --out written atomically; a later failing run keeps the previous result", async () => {
  const cfg = write("cfg_ok.json", tiny(), true); // with a UTF-8 BOM
  const out = path.join(tmp, "result.json");
  const r = await cli(["tem", "invert", cfg, "--out", out, "--quiet"]);
  assert.equal(r.code, 0, r.err);
  const first = fs.readFileSync(out, "utf8");
  const res = JSON.parse(first);
  assert.ok(Number.isFinite(res.misfit.objective));
  // a run whose misfit is not finite (tau fixed at 1e308 passes the parameterisation's range) is
  // refused, the old result kept
  const nan = write(
    "cfg_nan.json",
    tiny((c) => {
      c.parameterisation.tau = { fixed: 1e308 };
      c.optimizer.polish = false;
    }),
  );
  refused(
    await cli(["tem", "invert", nan, "--out", out, "--quiet"]),
    /tem invert result: [\w.[\]]+ is (NaN|-?Infinity); check the data errors|parameterisation\.tau/,
    "non-finite misfit",
  );
  assert.equal(fs.readFileSync(out, "utf8"), first);
  const bad = write(
    "cfg_bad.json",
    tiny((c) => (c.optimizer.c = 2)),
  );
  refused(await cli(["tem", "invert", bad, "--out", out, "--quiet"]), /optimizer\.c: .*\[0, 1\]/, "optimizer.c");
  assert.equal(fs.readFileSync(out, "utf8"), first);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((f) => f.includes(".tmp-")),
    [],
  );
});

// The LM polish stops ("not-finite") at a start with non-finite residuals; the result check then refuses it.
test("tem invert: a non-finite misfit with the default LM polish is bad input (exit 2), not an internal error", async () => {
  const out = path.join(tmp, "result-polish.json");
  const nan = write(
    "cfg_nan_polish.json",
    tiny((c) => (c.parameterisation.tau = { fixed: 1e308 })),
  );
  refused(
    await cli(["tem", "invert", nan, "--out", out, "--quiet"]),
    /is (NaN|-?Infinity)|not finite|parameterisation\.tau/,
    "non-finite misfit, default polish",
  );
  assert.ok(!fs.existsSync(out));
});

test("strict configs: unknown keys with did-you-mean, no coercion, ranges, the user's field paths", async () => {
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ["tims", (c) => (c.tims = c.times), /tims: unknown key; did you mean 'times'\?/],
    [
      "lamda0",
      (c) => (c.regularisation = { lamda0: 1 }),
      /regularisation\.lamda0: unknown key; did you mean 'lambda0'\?/,
    ],
    [
      "adaptive string",
      (c) => (c.regularisation = { adaptive: "false" }),
      /regularisation\.adaptive: expected true or false, got "false"/,
    ],
    ["model key", (c) => (c.model.rhoo = [1]), /model\.rhoo: unknown key; did you mean 'rho0'\?/],
    ["model range", (c) => (c.model.m = [1.5, 0, 0]), /model\.m\[0\]/],
    ["synthetic key", (c) => (c.synthetic.sed = 2), /synthetic\.sed: unknown key; did you mean 'seed'\?/],
    ["synthetic add", (c) => (c.synthetic.add = "no"), /synthetic\.add: expected true or false/],
    ["source key", (c) => (c.source.curent = 1), /source\.curent: unknown key; did you mean 'current'\?/],
    ["occam layers", (c) => (c.occam = { layers: 2.5 }), /occam\.layers: expected an integer/],
    ["occam iterations", (c) => (c.occam = { max_iterations: -1 }), /occam\.max_iterations: -1 is out of range/],
    ["occam key", (c) => (c.occam = { layer: 5 }), /occam\.layer: unknown key; did you mean 'layers'\?/],
    ["optimizer c", (c) => (c.optimizer.c = 2), /^geoinv tem invert: optimizer\.c: /],
    ["optimizer p", (c) => (c.optimizer.p = 1.5), /^geoinv tem invert: optimizer\.p: /],
    ["optimizer F", (c) => (c.optimizer.F = 3), /^geoinv tem invert: optimizer\.F: /],
    [
      "optimizer NP",
      (c) => {
        delete c.optimizer.np;
        c.optimizer.NP = 2;
      },
      /optimizer\.NP: /,
    ],
    ["optimizer adaptive", (c) => (c.optimizer.adaptive = "false"), /optimizer\.adaptive: expected true or false/],
    ["optimizer generations", (c) => (c.optimizer.generations = "5"), /optimizer\.generations: expected an integer/],
    ["misfit", (c) => (c.misfit = "wieghted"), /misfit: unknown "wieghted"; did you mean 'weighted'\?/],
    ["workflow", (c) => (c.workflow = "two_step"), /workflow: .*did you mean 'two-step'\?/],
    [
      "data error",
      (c) => {
        delete c.synthetic;
        c.data = { time_off: c.times.map(() => 1e-6), error: c.times.map(() => 1e-300) };
      },
      /data\.error\[0\]: 1e-300 is so small/,
    ],
    ["synthetic floor", (c) => (c.synthetic = { relative: 0, floor: 1e-300 }), /synthetic\.floor: 1e-300 is so small/],
    [
      "forward_options key",
      (c) => (c.forward_options = { hankle: "key_101_2009" }),
      /forward_options\.hankle: unknown key; did you mean 'hankel'\?/,
    ],
    [
      "forward_options value",
      (c) => (c.forward_options = { hankel: "zz" }),
      /^geoinv tem invert: forward_options\.hankel: unknown Hankel filter/,
    ],
    [
      "survey path",
      (c) => {
        c.surveys = [
          { source: c.source, receiver: { type: "dipole", points: [[0, 0]], component: "E" }, times: c.times },
        ];
        delete c.source;
        delete c.receiver;
        delete c.times;
      },
      /surveys\[0\]\.receiver\.points: a dipole needs exactly two points/,
    ],
    [
      "survey key",
      (c) => {
        c.surveys = [{ source: c.source, receiver: c.receiver, times: c.times, lable: "x" }];
        delete c.source;
        delete c.receiver;
        delete c.times;
      },
      /surveys\[0\]\.lable: unknown key; did you mean 'label'\?/,
    ],
  ];
  for (const [name, mut, re] of cases) {
    const f = write(`strict_${name.replace(/\W/g, "_")}.json`, tiny(mut));
    refused(await cli(["tem", "invert", f, "--quiet"]), re, name);
  }
  // "posterior" (sampler options, parsed by the posterior code) is a known top-level key
  const { parseInvertConfig } = await import("../src/inversion");
  assert.ok(parseInvertConfig(tiny((c) => (c.posterior = {}))).posterior !== undefined);
});

test("tem forward: BOM accepted, unknown keys rejected, non-finite outputs refused with exit 2", async () => {
  const text = fs.readFileSync(fixture, "utf8");
  const bom = path.join(tmp, "bom.json");
  fs.writeFileSync(bom, "\ufeff" + text);
  const ok = await cli(["tem", "forward", bom]);
  assert.equal(ok.code, 0, ok.err);
  assert.ok(JSON.parse(ok.out).outputs.time_off.every((v: unknown) => typeof v === "number" && Number.isFinite(v)));
  const c = JSON.parse(text);
  refused(
    await cli(["tem", "forward", write("tims.json", { ...c, tims: c.times })]),
    /tims: unknown key; did you mean 'times'\?/,
    "tims",
  );
  refused(
    await cli(["tem", "forward", write("recv.json", { ...c, receiver: { ...c.receiver, componnet: "Ex" } })]),
    /receiver\.componnet: unknown key; did you mean 'component'\?/,
    "componnet",
  );
  const huge = { ...c, source: { ...c.source, points: c.source.points.map((p: number[]) => p.map((v) => v * 1e200)) } };
  refused(
    await cli(["tem", "forward", write("huge.json", huge)]),
    /source\.points\[0\]\[0\]: -5e\+201 m is beyond 10000000 m/,
    "huge coordinates",
  );
  // a denormal resistivity passes the model's range (> 0) but the response is not finite
  const tiny = { ...c, model: { ...c.model, rho0: [5e-324] } };
  const r = await cli(["tem", "forward", write("denormal.json", tiny)]);
  refused(r, /tem forward outputs: outputs\.time_off\[\d+\] is (NaN|-?Infinity); /, "non-finite response");
  assert.equal(r.out, "", "nothing on stdout");
  refused(await cli(["tem", "forward", path.join(tmp, "none.json")]), /none\.json: cannot read/, "missing case");
  refused(
    await cli(["tem", "forward", fixture, "--options", '{"hankle": 1}']),
    /--options: hankle: unknown option/,
    "--options key",
  );
  const trunc = path.join(tmp, "trunc.json");
  fs.writeFileSync(trunc, text.slice(0, 100));
  refused(await cli(["tem", "forward", trunc]), /trunc\.json: not valid JSON/, "truncated case");
});

test("manifest faults (missing, truncated, invalid) exit 2 naming the manifest; unlisted data files are flagged", async () => {
  const trunc = path.join(tmp, "MANIFEST-trunc.json");
  fs.writeFileSync(trunc, fs.readFileSync(path.join(root, "data", "MANIFEST.json"), "utf8").slice(0, 300));
  const invalid = write("MANIFEST-invalid.json", { files: { "dlf/x.txt": { sha256: "nope", bytes: 3 } } });
  const cases: [string, RegExp][] = [
    [path.join(tmp, "MANIFEST-missing.json"), /MANIFEST-missing\.json: missing manifest/],
    [trunc, /MANIFEST-trunc\.json: corrupt manifest: not valid JSON/],
    [invalid, /MANIFEST-invalid\.json: corrupt manifest: entry "dlf\/x\.txt"/],
  ];
  for (const [m, re] of cases) refused(await cli(["data", "check"], { GEOINV_MANIFEST: m }), re, m);
  // a fresh process: the EM filters read the manifest too
  const p = spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "tem", "forward", fixture], {
    encoding: "utf8",
    env: { ...process.env, GEOINV_MANIFEST: trunc },
  });
  assert.equal(p.status, 2, p.stderr);
  assert.match(p.stderr, /MANIFEST-trunc\.json: corrupt manifest/);
  assert.doesNotMatch(p.stderr, /\n\s+at /);

  // a data directory with the filters and one file the manifest does not list
  const data = path.join(tmp, "data");
  fs.mkdirSync(data);
  fs.cpSync(path.join(root, "data", "dlf"), path.join(data, "dlf"), { recursive: true });
  fs.mkdirSync(path.join(data, "overthrust"));
  fs.writeFileSync(path.join(data, "overthrust", "extra.npy"), toNpy(new Float32Array(4), [2, 2]));
  const chk = await cli(["data", "check"], { GEOINV_DATA: data });
  assert.equal(chk.code, 2);
  assert.match(chk.err, /overthrust\/extra\.npy: unlisted: present in the data directory but not in the manifest/);
  const saved = process.env.GEOINV_DATA;
  process.env.GEOINV_DATA = data;
  try {
    assert.throws(() => readDataFile("overthrust/extra.npy"), /extra\.npy: unlisted/);
  } finally {
    if (saved === undefined) delete process.env.GEOINV_DATA;
    else process.env.GEOINV_DATA = saved;
  }
  // the EM filters follow GEOINV_DATA (a fresh process: filters are cached per process)
  const empty = path.join(tmp, "empty-data");
  fs.mkdirSync(empty);
  const q = spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "tem", "forward", fixture], {
    encoding: "utf8",
    env: { ...process.env, GEOINV_DATA: empty },
  });
  assert.notEqual(q.status, 0);
  assert.match(q.stderr, new RegExp(`${empty}/dlf/`));
  const w = spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "tem", "forward", fixture], {
    encoding: "utf8",
    env: { ...process.env, GEOINV_DATA: data },
  });
  assert.equal(w.status, 0, w.stderr);
});

test("tcn: tampered bundles refused; predict checks shape and amplitudes; failed verbs leave no directories", async () => {
  const r = mulberry32(3);
  const L = 40;
  const x = Array.from({ length: 6 }, () => Float32Array.from({ length: L }, () => r() - 0.5));
  const y = x.map((row) => Float32Array.from(row, (v) => 5000 + 300 * v));
  const d = makeDataset("toy", x, y);
  const { bundle } = await fitTcn(d, [0, 1, 2, 3], [4, 5], {
    epochs: 1,
    batchSize: 2,
    seed: 1,
    config: { channels: [2, 2], kernelSize: 3 },
  });
  recordTraining(bundle, x);
  const model = path.join(tmp, "model");
  await saveTcn(bundle, model);
  bundle.model.dispose();
  (await loadTcn(model)).model.dispose();

  const npy = (name: string, rows: number, cols: number, f: (i: number) => number) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(
      p,
      toNpy(
        Float32Array.from({ length: rows * cols }, (_, i) => f(i)),
        [rows, cols],
      ),
    );
    return p;
  };
  const good = npy("good.npy", 3, L, (i) => Math.sin(i / 3) * 0.4);
  const pr = path.join(tmp, "pr");
  const ok = await cli(["tcn", "predict", "--model", model, "--seismic", good, "--out", pr]);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(fs.readdirSync(pr).sort(), ["impedance.npy", "metrics.json"]);

  const bad: [string, string[], RegExp][] = [
    [
      "transposed",
      ["--seismic", npy("t.npy", L, 3, (i) => Math.sin(i) * 0.4)],
      /--seismic: traces have 3 samples, far from the 40 samples.*transposed/,
    ],
    ["one sample", ["--seismic", npy("one.npy", 5, 1, () => 0.1)], /--seismic: has 5 traces of 1 samples/],
    [
      "1e36",
      ["--seismic", npy("big.npy", 3, L, (i) => 1e36 * Math.sin(i))],
      /--seismic: trace 0 sample \d+ is .*far outside the training amplitudes/,
    ],
  ];
  for (const [name, args, re] of bad) {
    const out = path.join(tmp, `fail-${name.replace(/\W/g, "")}`, "deep");
    refused(await cli(["tcn", "predict", "--model", model, ...args, "--out", out]), re, name);
    assert.ok(!fs.existsSync(path.dirname(out)), `${name}: created directories are removed`);
  }
  const forced = await cli([
    "tcn",
    "predict",
    "--model",
    model,
    "--seismic",
    path.join(tmp, "t.npy"),
    "--out",
    path.join(tmp, "forced"),
    "--force",
  ]);
  assert.equal(forced.code, 0, forced.err);

  // the previous result survives a failed run into the same directory
  const before = fs.readFileSync(path.join(pr, "impedance.npy"));
  refused(
    await cli(["tcn", "predict", "--model", model, "--seismic", path.join(tmp, "big.npy"), "--out", pr]),
    /far outside/,
    "rerun",
  );
  assert.deepEqual(fs.readFileSync(path.join(pr, "impedance.npy")), before);
  assert.deepEqual(fs.readdirSync(pr).sort(), ["impedance.npy", "metrics.json"]);

  // a flipped bit in weights.bin, an edited yStats, a missing checksum
  const copy = (name: string) => {
    const p = path.join(tmp, name);
    fs.cpSync(model, p, { recursive: true });
    return p;
  };
  const flipped = copy("flipped");
  const w = fs.readFileSync(path.join(flipped, "weights.bin"));
  w[10] ^= 0x01;
  fs.writeFileSync(path.join(flipped, "weights.bin"), w);
  const edited = copy("edited");
  const info = JSON.parse(fs.readFileSync(path.join(edited, "geoinv-tcn.json"), "utf8"));
  fs.writeFileSync(
    path.join(edited, "geoinv-tcn.json"),
    JSON.stringify({ ...info, yStats: { ...info.yStats, mean: info.yStats.mean + 1 } }),
  );
  const noSum = copy("nosum");
  const { integrity: _drop, ...rest } = info;
  fs.writeFileSync(path.join(noSum, "geoinv-tcn.json"), JSON.stringify(rest));
  const tampered: [string, RegExp][] = [
    [flipped, /weights\.bin: sha256 differs from the checksum/],
    [edited, /geoinv-tcn\.json: the description .* differs from its checksum/],
    [noSum, /geoinv-tcn\.json: no integrity checksums/],
  ];
  for (const [m, re] of tampered)
    refused(await cli(["tcn", "predict", "--model", m, "--seismic", good, "--out", path.join(tmp, "tp", "x")]), re, m);
  assert.ok(!fs.existsSync(path.join(tmp, "tp")));

  // strict lists and bad --out for the tcn verbs, before any work
  refused(
    await cli(["tcn", "finetune", "--model", model, "--wells", "80,,240", "--out", path.join(tmp, "ft")]),
    /--wells: "80,,240": item 2 is empty/,
    "--wells",
  );
  refused(
    await cli(["tcn", "evaluate", "--model", model, "--traces", "1,x", "--out", path.join(tmp, "ev")]),
    /--traces: .*is not a number/,
    "--traces",
  );
  refused(
    await cli(["tcn", "predict", "--model", model, "--seismic", good, "--out", "/proc/geoinv/x"]),
    /pseudo filesystem/,
    "/proc",
  );
  refused(
    await cli(["tcn", "predict", "--model", model, "--seismic", good, "--out", good]),
    /is an input/,
    "--out the input",
  );
  refused(
    await cli(["tcn", "predict", "--model", model, "--seismic", good, "--out", path.join(tmp, "plain.json")]),
    /not a directory/,
    "--out a file",
  );
  refused(await cli(["tcn", "pretrain", "--epochs", "1e", "--out", path.join(tmp, "pt")]), /--epochs 1e/, "--epochs");
  for (const f of ["ft", "ev", "pt"]) assert.ok(!fs.existsSync(path.join(tmp, f)), f);

  // TCN configs: did-you-mean, no coercion, ranges; a valid config reaches the --out check
  const tcnCfg = (name: string, c: unknown) => write(name, c);
  const good2 = tcnCfg("tcn_ok.json", {
    seed: 1,
    source: { data: { name: "marmousi2", traceStep: 20 }, train: { epochs: 2 } },
    target: { data: { name: "overthrust", traceStep: 8 } },
    finetune: { epochs: 3 },
  });
  refused(
    await cli(["tcn", "transfer", "--config", good2, "--out", "/proc/geoinv/x"]),
    /pseudo filesystem/,
    "valid tcn config",
  );
  const tcnBad: [unknown, RegExp][] = [
    [{ finetune: { epocs: 3 } }, /finetune\.epocs: unknown key; did you mean 'epochs'\?/],
    [{ finetune: { epochs: "3" } }, /finetune\.epochs: expected an integer/],
    [{ finetune: { lr: 0 } }, /finetune\.lr: 0 is out of range/],
    [{ sead: 1 }, /sead: unknown key; did you mean 'seed'\?/],
    [{ target: { wells: { count: 2.5 } } }, /target\.wells\.count: expected an integer/],
  ];
  for (const [c, re] of tcnBad)
    refused(
      await cli(["tcn", "transfer", "--config", tcnCfg("tcn_bad.json", c), "--out", path.join(tmp, "tb")]),
      re,
      JSON.stringify(c),
    );
  assert.ok(!fs.existsSync(path.join(tmp, "tb")));
});

test("errors that are not bad input: exit 1, one line and a hint to report; fs errors exit 2", () => {
  const run = (e: unknown, env?: string) => {
    const saved = process.env.GEOINV_DEBUG;
    if (env === undefined) delete process.env.GEOINV_DEBUG;
    else process.env.GEOINV_DEBUG = env;
    let err = "";
    try {
      return { code: reportError(e, "geoinv x", { stdout: () => undefined, stderr: (s) => (err += s) }), err };
    } finally {
      if (saved === undefined) delete process.env.GEOINV_DEBUG;
      else process.env.GEOINV_DEBUG = saved;
    }
  };
  const so = run(new RangeError("Maximum call stack size exceeded"));
  assert.equal(so.code, 1, "a stack overflow is not bad input");
  assert.match(
    so.err,
    /^geoinv x: internal error \(RangeError\): Maximum call stack size exceeded\n {2}This is a bug.*GEOINV_DEBUG=1/,
  );
  assert.doesNotMatch(so.err, /\n\s+at /);
  const dbg = run(new TypeError("x is undefined"), "1");
  assert.equal(dbg.code, 1);
  assert.match(dbg.err, /\n\s+at /, "GEOINV_DEBUG=1 shows the stack");
  const fsErr = run(
    Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      syscall: "write",
      errno: -28,
      path: "/x/r.json",
    }),
  );
  assert.equal(fsErr.code, 2);
  assert.match(fsErr.err, /file system error \(\/x\/r\.json\): ENOSPC/);
});
