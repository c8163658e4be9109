import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { mulberry32 } from "../src/config";
import { toNpy } from "../src/data";
import { makeDataset } from "../src/seismic";
import { fitTcn, recordTraining, saveTcn } from "../src/tcn";
import { TEM_COST_KEYS } from "../bench/support/cost-keys";

/**
 * Seeded fuzzing of the CLI: random mutations of valid configs (tem invert, tem forward), of a
 * valid .npy input (tcn predict) and random argument lists, run in-process through main().
 * Properties: the exit code is 0 or 2 (never an internal error), no stack trace, a rejection names
 * a field, flag or file, an exit-0 result is valid JSON with finite numbers, and a failed run leaves
 * no output behind. Counts are fixed (about 200 runs); every run is cheap (1 DE generation of 8).
 */

const root = path.resolve(__dirname, "..");
const SEED = Number(process.env.GEOINV_FUZZ_SEED ?? 20261203);
let tmp = "";
let model = "";

const LOG = process.env.GEOINV_FUZZ_LOG === "1";
async function cli(argv: string[]) {
  let out = "",
    err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  if (LOG) process.stderr.write(`[${code}] ${argv.slice(0, 2).join(" ")} ${err.split("\n")[0].slice(0, 160)}\n`);
  return { code, out, err };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys whose valid values set the size of a run: mutated only to small or invalid values. */
const COST_KEYS = new Set(TEM_COST_KEYS);
const VALUES: Json[] = [
  null,
  true,
  false,
  "false",
  "",
  "x",
  "1",
  -1,
  0,
  0.5,
  2.5,
  1e308,
  -1e308,
  1e-300,
  5e-324,
  [],
  {},
  [1, "a"],
  [0],
  { min: 1 },
];
const SMALL: Json[] = [null, "false", "3", -1, 0, 2.5, 3, [], {}, 1e308];

function paths(x: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (x !== null && typeof x === "object") {
    for (const [k, v] of Array.isArray(x) ? x.map((v, i) => [i, v] as const) : Object.entries(x)) {
      const p = [...at, k];
      out.push(p);
      paths(v as Json, p, out);
    }
  }
  return out;
}

function typo(k: string, r: () => number): string {
  const i = Math.floor(r() * k.length);
  const ops = [
    () => k.slice(0, i) + k.slice(i + 1),
    () => k.slice(0, i) + k[i] + k.slice(i),
    () => k.toUpperCase(),
    () => k + "s",
  ];
  const t = ops[Math.floor(r() * ops.length)]();
  return t === k || t === "" ? k + "_x" : t;
}

/** One random mutation of `c` in place: replace a value, delete or misspell a key, add a key, shorten an array. */
function mutate(c: Json, r: () => number): string {
  const ps = paths(c);
  const p = ps[Math.floor(r() * ps.length)];
  let parent = c as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const key = p[p.length - 1];
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const kind = Math.floor(r() * 5);
  const where = p.join(".");
  if (kind === 0 || typeof key === "number") {
    const v = COST_KEYS.has(String(key)) ? pick(SMALL) : pick(VALUES);
    if (Array.isArray(parent)) {
      if (r() < 0.3) parent.length = Math.floor(r() * parent.length);
      else parent[key as number] = v;
    } else parent[key] = v;
    return `${where} = ${JSON.stringify(v)}`;
  }
  if (kind === 1) {
    delete parent[key];
    return `delete ${where}`;
  }
  if (kind === 2) {
    const v = parent[key];
    delete parent[key];
    const t = typo(String(key), r);
    parent[t] = v;
    return `rename ${where} -> ${t}`;
  }
  if (kind === 3) {
    const v = parent[key];
    if (typeof v === "number" && !COST_KEYS.has(String(key))) {
      const f = pick([-1, 0, 1e6, 1e-6, 1e300, -1e-300]);
      parent[key] = v * f;
      return `${where} *= ${f}`;
    }
    parent[key] = pick(VALUES);
    return `${where} replaced`;
  }
  const holder = (
    parent[key] !== null && typeof parent[key] === "object" && !Array.isArray(parent[key]) ? parent[key] : parent
  ) as Record<string, Json>;
  if (Array.isArray(holder)) return "noop";
  holder[typo(String(key), r)] = pick(VALUES);
  return `add near ${where}`;
}

/** The properties every run must have. */
function check(r: { code: number; out: string; err: string }, what: string, outFile?: string): void {
  assert.ok(r.code === 0 || r.code === 2, `${what}: exit ${r.code}\n${r.err}`);
  assert.doesNotMatch(r.err, /\n\s+at \S+ \(/, `${what}: stack trace\n${r.err}`);
  assert.doesNotMatch(r.err, /internal error/, `${what}\n${r.err}`);
  assert.doesNotMatch(r.err, /datasets\[/, `${what}: an internal field name\n${r.err}`);
  if (r.code === 2) {
    // "geoinv VERB: FIELD-OR-FILE: ..." (a field path, a --flag, a file) or a usage message naming a flag
    // or a refused non-finite result: "geoinv VERB: STAGE: PATH is NaN; CAUSE"
    assert.match(
      r.err,
      /^geoinv [a-z -]+?: (?:[\w$.[\]/-]+: |.*--\w|[\w ()]+: [\w$.[\]]+ is (?:NaN|-?Infinity); )|^geoinv: unknown verb/,
      `${what}: the message names no field or file\n${r.err}`,
    );
    if (outFile) assert.ok(!fs.existsSync(outFile), `${what}: a failed run left ${outFile}`);
  } else {
    const text = outFile ? fs.readFileSync(outFile, "utf8") : r.out;
    assert.doesNotMatch(text, /NaN|Infinity/, what);
    if (text.trim().startsWith("{")) JSON.parse(text);
  }
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-fuzz-"));
  const r = mulberry32(11);
  const L = 32;
  const x = Array.from({ length: 6 }, () => Float32Array.from({ length: L }, () => r() - 0.5));
  const { bundle } = await fitTcn(
    makeDataset(
      "toy",
      x,
      x.map((row) => Float32Array.from(row, (v) => 4000 + 500 * v)),
    ),
    [0, 1, 2, 3],
    [4, 5],
    {
      epochs: 1,
      batchSize: 2,
      seed: 1,
      config: { channels: [2, 2], kernelSize: 3 },
    },
  );
  recordTraining(bundle, x);
  model = path.join(tmp, "model");
  await saveTcn(bundle, model);
  bundle.model.dispose();
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tinyInvert(): Json {
  const c = JSON.parse(fs.readFileSync(path.join(root, "examples", "tem_h3_ip_top.json"), "utf8"));
  c.optimizer = { strategy: "jade", np: 8, generations: 1, seed: 1, workers: 1 };
  return c;
}

test("fuzz: mutated tem invert configs", async () => {
  const r = mulberry32(SEED);
  for (let i = 0; i < 60; i++) {
    const c = tinyInvert();
    const muts = [mutate(c, r)];
    if (r() < 0.4) muts.push(mutate(c, r));
    const f = path.join(tmp, `inv${i}.json`);
    fs.writeFileSync(f, (r() < 0.2 ? "\ufeff" : "") + JSON.stringify(c));
    const out = path.join(tmp, `inv${i}.out.json`);
    const res = await cli(["tem", "invert", f, "--quiet", "--out", out]);
    check(res, `invert #${i} (${muts.join("; ")})`, out);
  }
});

test("fuzz: mutated tem forward cases", async () => {
  const r = mulberry32(SEED + 1);
  const dir = path.join(root, "test", "fixtures", "tem-reference");
  const cases = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (let i = 0; i < 50; i++) {
    const c = JSON.parse(fs.readFileSync(path.join(dir, cases[i % cases.length]), "utf8"));
    // keep forward runs small: few times
    if (Array.isArray(c.times)) c.times = c.times.filter((_: number, k: number) => k % 6 === 0);
    const muts = [mutate(c, r)];
    if (r() < 0.4) muts.push(mutate(c, r));
    const f = path.join(tmp, `fwd${i}.json`);
    fs.writeFileSync(f, JSON.stringify(c));
    check(await cli(["tem", "forward", f]), `forward #${i} ${cases[i % cases.length]} (${muts.join("; ")})`);
  }
});

test("fuzz: corrupted .npy inputs to tcn predict", async () => {
  const r = mulberry32(SEED + 2);
  const good = Buffer.from(
    toNpy(
      Float32Array.from({ length: 4 * 32 }, (_, i) => 0.4 * Math.sin(i / 4)),
      [4, 32],
    ),
  );
  for (let i = 0; i < 40; i++) {
    let b = Buffer.from(good);
    const kind = i % 5;
    let what: string;
    if (kind === 0) {
      const n = 1 + Math.floor(r() * 4);
      for (let k = 0; k < n; k++) b[Math.floor(r() * 128)] = Math.floor(r() * 256);
      what = `header bytes x${n}`;
    } else if (kind === 1) {
      b = b.subarray(0, Math.floor(r() * b.length));
      what = `truncated to ${b.length}`;
    } else if (kind === 2) {
      const h = b
        .subarray(0, 128)
        .toString("latin1")
        .replace(/\(4, 32\)/, () =>
          ["(32, 4)", "(128,)", "(4, 32, 1)", "(0, 32)", "(4, 33)", "(1, 128)", "(128, 1)"][Math.floor(r() * 7)].padEnd(
            7,
          ),
        );
      b = Buffer.concat([Buffer.from(h, "latin1"), b.subarray(128)]);
      what = `shape ${h.match(/'shape': (\([^)]*\))/)?.[1]}`;
    } else if (kind === 3) {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const off = 128 + 4 * Math.floor(r() * 128);
      const v = [NaN, Infinity, 1e38, -3e38, 1e-45][Math.floor(r() * 5)];
      dv.setFloat32(off, v, true);
      what = `value ${v} at byte ${off}`;
    } else {
      b = Buffer.concat([b, Buffer.alloc(Math.floor(r() * 64), 7)]);
      what = `trailing bytes`;
    }
    const f = path.join(tmp, `s${i}.npy`);
    fs.writeFileSync(f, b);
    const out = path.join(tmp, `pred${i}`, "o");
    const res = await cli(["tcn", "predict", "--model", model, "--seismic", f, "--out", out]);
    check(res, `npy #${i} (${what})`);
    if (res.code === 2) assert.ok(!fs.existsSync(path.dirname(out)), `npy #${i}: left ${out}`);
  }
});

test("fuzz: random argument lists", async () => {
  const r = mulberry32(SEED + 3);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const inv = path.join(tmp, "inv-base.json");
  fs.writeFileSync(inv, JSON.stringify(tinyInvert()));
  const fwd = path.join(root, "test", "fixtures", "tem-reference", "hs_loop_central.json");
  const seis = path.join(tmp, "seis.npy");
  fs.writeFileSync(
    seis,
    toNpy(
      Float32Array.from({ length: 3 * 32 }, (_, i) => 0.3 * Math.cos(i / 3)),
      [3, 32],
    ),
  );
  const flags = [
    "--out",
    "--quiet",
    "--model",
    "--seismic",
    "--impedance",
    "--data",
    "--noise",
    "--freq",
    "--trace-step",
    "--traces",
    "--split-seed",
    "--wells",
    "--n-wells",
    "--epochs",
    "--lr",
    "--batch",
    "--seed",
    "--freeze",
    "--normalization",
    "--config",
    "--options",
    "--force",
    "--quick",
    "--full",
    "--bogus",
    "-h",
  ];
  const values = [
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "80,,240",
    "1,2,3",
    "x",
    "overthrust",
    "marmousi2",
    "nope",
    "/proc/x",
    "/nonexistent/dir/f",
    tmp,
    inv,
    seis,
    model,
    '{"hankel": 3}',
    "{",
    "target",
    "same",
  ];
  const verbs: string[][] = [
    ["data", "check"],
    ["tem", "forward"],
    ["tem", "invert"],
    ["tcn", "predict"],
    ["tcn", "evaluate"],
    ["tcn", "pretrain"],
    ["tcn", "finetune"],
    ["tcn", "transfer"],
    ["tem"],
    ["tcn", "nope"],
  ];
  for (let i = 0; i < 50; i++) {
    const verb = pick(verbs);
    const args: string[] = [...verb];
    if (verb[1] === "forward") args.push(pick([fwd, fwd, seis, "/nonexistent.json", "-"].filter((x) => x !== "-")));
    if (verb[1] === "invert") args.push(pick([inv, inv, fwd, "/nonexistent.json"]), "--quiet");
    const n = Math.floor(r() * 5);
    for (let k = 0; k < n; k++) {
      args.push(pick(flags));
      if (r() < 0.8) args.push(pick(values));
    }
    // training verbs may only run as far as their checks: their --out is always refused
    if (["pretrain", "finetune", "transfer"].includes(verb[1])) args.push("--out", "/proc/geoinv-fuzz");
    if (verb[1] === "evaluate" && !args.includes("--out")) args.push("--out", path.join(tmp, `ev${i}`));
    if (verb[1] === "evaluate") args.push("--trace-step", "40");
    const res = await cli(args);
    assert.ok(res.code === 0 || res.code === 2, `args #${i} ${JSON.stringify(args)}: exit ${res.code}\n${res.err}`);
    assert.doesNotMatch(res.err, /\n\s+at \S+ \(|internal error/, `args #${i} ${JSON.stringify(args)}\n${res.err}`);
    if (res.code === 2 && !/--help|usage/.test(res.out))
      assert.ok(res.err.length > 0, `args #${i}: exit 2 with no message`);
  }
});
