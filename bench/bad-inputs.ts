/* eslint-disable @typescript-eslint/no-explicit-any -- the outputs and configs it mutates have any shape */
/**
 * Held-out bad inputs (issue 18's target): several hundred invocations of bin/geoinv.js on every verb, each classified.
 *
 * `npm run bench -- bad-inputs [--seed S] [--only CATEGORY] [--timeout SECONDS] [--out FILE]`
 *
 * A corpus built separately from test/fuzz.test.ts (which mutates valid inputs at random): here
 * hand-written categories from the issue, each with its own list of faults, and a seeded choice of
 * where to put them (which verb, which key of which base input). Categories: bad --out paths,
 * non-finite and huge numbers, wrong types, unknown keys and typos, encodings (BOM, UTF-16,
 * truncated or odd JSON), broken manifests and data roots (GEOINV_MANIFEST, GEOINV_DATA copies),
 * broken .npy inputs (truncated, wrong dtype, transposed, one-sample, 1e36 amplitudes, NaN),
 * corrupted TCN model directories, bad flags and lists, huge sizes (pulses, times, layers, batch),
 * bad well-target configs, bad environment, and unreachable queues. Every invocation runs as its
 * own process (concurrency 1) with a timeout that detects hangs, and is classified:
 *   exit2-named     exit 2 and the message names the field, flag or file that was broken
 *   exit2-other     exit 2 naming a field or file, but not the one broken (reviewed by hand)
 *   exit2-unnamed   exit 2 with no field or file named
 *   exit0-ok        exit 0 and every output finite (the "bad" input was acceptable: a BOM, ...)
 *   exit0-nonfinite exit 0 with NaN, Infinity or null numbers in the output
 *   stack           a stack trace on stderr
 *   internal        exit 1 (internal error)
 *   crash           any other exit (a signal, 134 out of memory, ...)
 *   hang            killed at the timeout
 * Results: bench/results/bad-inputs.json (per case: verb, arguments, exit, seconds, outcome, the
 * message's first line). The corpus is regenerated from the seed each run; nothing is kept.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mulberry32 } from "../src/config";
import { parseNpy, toNpy } from "../src/data";
import { TEM_COST_KEYS } from "./support/cost-keys";

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "bin", "geoinv.js");

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const SEED = Number(arg("seed", "7340021"));
const ONLY = arg("only", "");
const TIMEOUT_S = Number(arg("timeout", "60"));
const OUT = path.resolve(arg("out", path.join(root, "bench", "results", "bad-inputs.json")));
/** Start no case after this many minutes (the rest are listed as not run). */
const BUDGET_MIN = Number(arg("budget", "15"));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Case {
  category: string;
  what: string;
  args: string[];
  env?: Record<string, string>;
  /** Names any of which the rejection should mention (a field, flag or file). */
  expect?: string[];
  /** Outputs to check for non-finite numbers on exit 0 (files or directories); stdout always. */
  outputs?: string[];
  timeoutS?: number;
  /** Always in the sample (the issue's own examples). */
  keep?: boolean;
}

const rand = mulberry32(SEED);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-bad-"));
let fileNo = 0;
const file = (name: string) => path.join(tmp, `${++fileNo}-${name}`);

function writeJson(name: string, obj: unknown, prefix = ""): string {
  const f = file(name);
  fs.writeFileSync(f, prefix + JSON.stringify(obj, null, 1));
  return f;
}

function run(args: string[], env: Record<string, string> = {}, timeoutS = TIMEOUT_S) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    timeout: timeoutS * 1000,
    killSignal: "SIGKILL",
    env: { ...process.env, GEOINV_DEBUG: "", ...env },
    maxBuffer: 64 * 1024 * 1024,
    cwd: tmp,
  });
  return {
    code: r.status,
    signal: r.signal,
    out: r.stdout ?? "",
    err: r.stderr ?? "",
    seconds: (Date.now() - t0) / 1000,
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT",
  };
}

// ------------------------------------------------------------------ base inputs

/** tem forward: a fixture case with few times. */
function forwardBase(): Record<string, Json> {
  const c = JSON.parse(
    fs.readFileSync(path.join(root, "test", "fixtures", "tem-reference", "hs_loop_central.json"), "utf8"),
  );
  if (Array.isArray(c.times)) c.times = c.times.filter((_: number, k: number) => k % 5 === 0);
  return c;
}
function forwardWireBase(): Record<string, Json> {
  const c = JSON.parse(
    fs.readFileSync(path.join(root, "test", "fixtures", "tem-reference", "h3_ip_top_wire.json"), "utf8"),
  );
  if (Array.isArray(c.times)) c.times = c.times.filter((_: number, k: number) => k % 5 === 0);
  return c;
}
/** tem invert: the three-layer example, 1 generation of 8, no polish, no restarts. */
function invertBase(): Record<string, Json> {
  const c = JSON.parse(fs.readFileSync(path.join(root, "examples", "tem_h3_ip_top.json"), "utf8"));
  c.times = (c.times as number[]).filter((_, k) => k % 3 === 0);
  c.optimizer = { strategy: "jade", np: 8, generations: 2, seed: 5, workers: 1, polish: false, restarts: false };
  return c;
}
/** survey invert: the first Rankin sounding, its first block only, 1 generation, no LCI. */
function surveyBase(): Record<string, Json> {
  const s = JSON.parse(fs.readFileSync(path.join(root, "examples", "survey_rankin.json"), "utf8"));
  const one = s.soundings[1];
  one.surveys = one.surveys.slice(0, 1);
  const sv = one.surveys[0];
  const keep = (sv.times as number[]).map((_, k) => k % 4 === 0);
  sv.times = sv.times.filter((_: number, k: number) => keep[k]);
  sv.data.time_off = sv.data.time_off.filter((_: number, k: number) => keep[k]);
  sv.data.error = sv.data.error.filter((_: number, k: number) => keep[k]);
  if (sv.waveform?.repetition) sv.waveform.repetition.pulses = 4;
  s.soundings = [one];
  s.optimizer = { strategy: "jade", np: 8, generations: 1, seed: 1 };
  s.lci = false;
  return s;
}
const pretrainBase = (): Record<string, Json> => ({
  seed: 2,
  data: { name: "marmousi2", traceStep: 40 },
  split: { counts: [8, 4, 10] },
  model: { channels: [2, 3] },
  train: { epochs: 1 },
});
const transferBase = (): Record<string, Json> => ({
  seed: 1,
  source: {
    data: { name: "marmousi2", traceStep: 40 },
    split: { counts: [8, 4, 10] },
    model: { channels: [2, 3] },
    train: { epochs: 1 },
  },
  target: { data: { name: "overthrust", traceStep: 20 } },
  finetune: { epochs: 1 },
  direct: { epochs: 1 },
});
function wellBase(): Record<string, Json> {
  const ex = JSON.parse(fs.readFileSync(path.join(root, "examples", "tcn_transfer_volve.json"), "utf8"));
  return {
    ...ex,
    seeds: 1,
    source: {
      data: { name: "marmousi2", freqHz: "auto", dt: 0.004, traceStep: 40 },
      split: { counts: [8, 4, 10] },
      window: { length: 32, perTrace: 1 },
      model: { channels: [2, 3] },
      train: { epochs: 1 },
    },
    window: { length: 24, stride: 16 },
    finetune: { epochs: 1 },
    direct: { epochs: 1 },
    leaveOut: { folds: 0, seeds: 1 },
  };
}

// ------------------------------------------------------------------ JSON paths

type Path = (string | number)[];
function leaves(x: Json, at: Path = [], out: { p: Path; v: Json }[] = []): { p: Path; v: Json }[] {
  if (x !== null && typeof x === "object") {
    const entries = Array.isArray(x) ? x.map((v, i) => [i, v] as const) : Object.entries(x);
    // long numeric arrays: only their first two elements are targets
    for (const [k, v] of entries.slice(0, Array.isArray(x) && x.length > 4 ? 2 : undefined)) {
      out.push({ p: [...at, k], v: v as Json });
      leaves(v as Json, [...at, k], out);
    }
  }
  return out;
}
const SKIP = new Set(["description", "name", "about", "label", "info", "id", "file", "setting"]);
function getParent(c: Json, p: Path): Record<string | number, Json> {
  let o = c as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  return o;
}
/** The names a rejection of path p may give: the dotted path, the last key, the last named key. */
function names(p: Path): string[] {
  const keys = p.filter((k): k is string => typeof k === "string");
  const dotted = p
    .map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`))
    .join("")
    .replace(/^\./, "");
  return [dotted, keys[keys.length - 1] ?? "", ...keys.slice(-2)].filter((s) => s !== "");
}

interface Base {
  label: string;
  make: () => Record<string, Json>;
  /** The command line for a config file (and an output path when the verb writes one). */
  cmd: (cfg: string, out: string) => string[];
  /** Keys whose size sets the run's cost: given only invalid or small values. */
  cost: Set<string>;
}
const COST = new Set([
  ...TEM_COST_KEYS,
  "epochs",
  "count",
  "perTrace",
  "seeds",
  "folds",
  "traceStep",
  "counts",
  "channels",
  "length",
  "stride",
  "quadPoints",
  "lambdaPerDecade",
]);
const BASES: Base[] = [
  { label: "tem forward", make: forwardBase, cmd: (c) => ["tem", "forward", c], cost: COST },
  { label: "tem forward (wire, IP)", make: forwardWireBase, cmd: (c) => ["tem", "forward", c], cost: COST },
  {
    label: "tem invert",
    make: invertBase,
    cmd: (c, o) => ["tem", "invert", c, "--quiet", "--out", `${o}.json`],
    cost: COST,
  },
  {
    label: "survey invert",
    make: surveyBase,
    cmd: (c, o) => ["survey", "invert", c, "--quiet", "--out", o],
    cost: COST,
  },
  {
    label: "tcn pretrain",
    make: pretrainBase,
    cmd: (c, o) => ["tcn", "pretrain", "--config", c, "--quick", "--out", o],
    cost: COST,
  },
  {
    label: "tcn transfer",
    make: transferBase,
    cmd: (c, o) => ["tcn", "transfer", "--config", c, "--quick", "--out", o],
    cost: COST,
  },
];

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

/** A mutated copy of a base written to a file, run by the base's command. */
function mutated(
  category: string,
  base: Base,
  mutate: (c: Record<string, Json>) => { what: string; expect?: string[] } | null,
  prefix = "",
): void {
  for (let tries = 0; tries < 20; tries++) {
    const c = base.make();
    const m = mutate(c);
    if (!m) continue;
    const cfg = writeJson(`${base.label.replace(/\W+/g, "_")}.json`, c, prefix);
    const out = file("out");
    add({
      category,
      what: `${base.label}: ${m.what}`,
      args: base.cmd(cfg, out),
      expect: m.expect,
      outputs: [out, `${out}.json`],
    });
    return;
  }
}

function leafOf(
  c: Record<string, Json>,
  base: Base,
  want: (v: Json, key: string | number) => boolean,
): { p: Path; v: Json } | null {
  const ls = leaves(c).filter(
    ({ p, v }) => !p.some((k) => typeof k === "string" && SKIP.has(k)) && want(v, p[p.length - 1]),
  );
  if (ls.length === 0) return null;
  void base;
  return pick(ls);
}

// ------------------------------------------------------------------ categories

function numbers(n: number): void {
  // non-finite and huge numbers (JSON 1e309 parses to Infinity)
  // eslint-disable-next-line no-loss-of-precision -- 1e309 on purpose: it overflows to Infinity, as in a user's JSON
  const HUGE = [1e309, -1e309, 1e308, -1e308, 1e-300, 5e-324, 1e20, -1, 0];
  // eslint-disable-next-line no-loss-of-precision -- as above
  const HUGE_COST = [1e309, -1e309, 1e20, -1, 0, 2.5];
  for (let i = 0; i < n; i++) {
    const base = BASES[i % BASES.length];
    mutated("numbers", base, (c) => {
      const l = leafOf(c, base, (v) => typeof v === "number");
      if (!l) return null;
      const key = String(l.p[l.p.length - 1]);
      const cost = l.p.some((k) => base.cost.has(String(k)));
      const v = pick(cost ? HUGE_COST : HUGE);
      getParent(c, l.p)[l.p[l.p.length - 1]] = v;
      return { what: `${names(l.p)[0]} = ${v}`, expect: names(l.p).concat(cost ? [] : [key]) };
    });
  }
}

function types(n: number): void {
  const forType = (v: Json): Json[] => {
    if (typeof v === "number") return ["3", "1e3", true, null, [v], { value: v }, ""];
    if (typeof v === "boolean") return ["false", "true", 0, 1, null, "yes"];
    if (typeof v === "string") return [5, [], {}, null, true, v.toUpperCase() + "_X"];
    if (Array.isArray(v)) return [{}, "1,2,3", 7, [[]], [null], null];
    if (v && typeof v === "object") return [[], "x", 1, null, true];
    return [1, "x", []];
  };
  for (let i = 0; i < n; i++) {
    const base = BASES[(i + 3) % BASES.length];
    mutated("types", base, (c) => {
      const l = leafOf(c, base, () => true);
      if (!l) return null;
      const v = pick(forType(l.v));
      getParent(c, l.p)[l.p[l.p.length - 1]] = v;
      return {
        what: `${names(l.p)[0]} = ${JSON.stringify(v)} (was ${JSON.stringify(l.v).slice(0, 30)})`,
        expect: names(l.p),
      };
    });
  }
}

function typoOf(k: string): string {
  const forms = [
    () =>
      k.includes("_")
        ? k.replace(/_(\w)/g, (_, a: string) => a.toUpperCase())
        : k.replace(/[A-Z]/g, (a) => "_" + a.toLowerCase()),
    () => (k.length > 3 ? k.slice(0, 1) + k[2] + k[1] + k.slice(3) : k + "x"),
    () => k.slice(0, -1),
    () => k + "s",
    () => k[0].toUpperCase() + k.slice(1),
  ];
  for (let t = 0; t < 10; t++) {
    const s = pick(forms)();
    if (s !== k && s !== "") return s;
  }
  return k + "_";
}

function keys(n: number): void {
  for (let i = 0; i < n; i++) {
    const base = BASES[(i + 1) % BASES.length];
    mutated("keys", base, (c) => {
      const objs = [{ p: [] as Path, v: c as Json }, ...leaves(c)].filter(
        ({ p, v }) =>
          v !== null &&
          typeof v === "object" &&
          !Array.isArray(v) &&
          !p.some((k) => typeof k === "string" && SKIP.has(k)),
      );
      const o = pick(objs);
      const obj = o.v as Record<string, Json>;
      const ks = Object.keys(obj).filter((k) => !SKIP.has(k));
      if (rand() < 0.6 && ks.length) {
        // a typo of an existing key (the value kept)
        const k = pick(ks);
        const t = typoOf(k);
        if (t in obj) return null;
        obj[t] = obj[k];
        delete obj[k];
        return { what: `rename ${names([...o.p, k])[0]} -> ${t}`, expect: [t] };
      }
      const t = pick(["tims", "lamda0", "seeed", "adaptiv", "mode", "unit", "comment", "layer", "npop", "gens"]);
      if (t in obj) return null;
      obj[t] = pick([1, "x", true, null, {}]);
      return { what: `add ${names([...o.p, t])[0]}`, expect: [t] };
    });
  }
}

function encodings(): void {
  const targets: { label: string; cmd: (f: string) => string[]; good: () => unknown; expectFlag: string }[] = [
    { label: "tem forward", cmd: (f) => ["tem", "forward", f], good: forwardBase, expectFlag: "case" },
    {
      label: "tem invert",
      cmd: (f) => ["tem", "invert", f, "--quiet", "--out", file("r.json")],
      good: invertBase,
      expectFlag: "config",
    },
    {
      label: "survey invert",
      cmd: (f) => ["survey", "invert", f, "--quiet", "--out", file("sv")],
      good: surveyBase,
      expectFlag: "survey",
    },
    {
      label: "tcn pretrain",
      cmd: (f) => ["tcn", "pretrain", "--config", f, "--quick", "--out", file("pre")],
      good: pretrainBase,
      expectFlag: "--config",
    },
    {
      label: "tcn transfer",
      cmd: (f) => ["tcn", "transfer", "--config", f, "--quick", "--out", file("tr")],
      good: transferBase,
      expectFlag: "--config",
    },
  ];
  const deep = "[".repeat(20000) + "]".repeat(20000);
  const deepObj = '{"a":'.repeat(5000) + "1" + "}".repeat(5000);
  const kinds: { what: string; bytes: (good: string) => Buffer | null; ok?: boolean }[] = [
    { what: "UTF-8 BOM (valid)", bytes: (g) => Buffer.from("\ufeff" + g, "utf8"), ok: true },
    { what: "UTF-16LE with BOM", bytes: (g) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(g, "utf16le")]) },
    { what: "empty file", bytes: () => Buffer.alloc(0) },
    { what: "whitespace only", bytes: () => Buffer.from(" \n\t \n") },
    { what: "truncated JSON", bytes: (g) => Buffer.from(g.slice(0, Math.floor(g.length * (0.2 + 0.6 * rand())))) },
    { what: "trailing comma", bytes: (g) => Buffer.from(g.replace(/\}\s*$/, ",}")) },
    { what: "// comment", bytes: (g) => Buffer.from("// my config\n" + g) },
    { what: "top-level array", bytes: (g) => Buffer.from(`[${g}]`) },
    { what: "top-level number", bytes: () => Buffer.from("42") },
    { what: "top-level null", bytes: () => Buffer.from("null") },
    {
      what: "NUL bytes",
      bytes: (g) => Buffer.concat([Buffer.from(g.slice(0, 20)), Buffer.alloc(8), Buffer.from(g.slice(20))]),
    },
    { what: "deeply nested arrays", bytes: () => Buffer.from(deep) },
    { what: "deeply nested objects", bytes: () => Buffer.from(deepObj) },
    { what: "Latin-1 bytes in a string", bytes: (g) => Buffer.from(g.replace(/"(\w)/, '"\xe9$1'), "latin1") },
    { what: "NaN literal", bytes: (g) => Buffer.from(g.replace(/: (-?\d[\d.e-]*)/, ": NaN")) },
    { what: "duplicate key", bytes: (g) => Buffer.from(g.replace(/^\{/, '{"seed": 1, "seed": "x",')) },
  ];
  for (const t of targets) {
    const g = JSON.stringify(t.good(), null, 1);
    for (const k of kinds.filter((_, i) => i === 0 || rand() < 0.45)) {
      const b = k.bytes(g);
      if (!b) continue;
      const f = file(`${t.label.replace(/\W+/g, "_")}.json`);
      fs.writeFileSync(f, b);
      add({
        category: "encoding",
        what: `${t.label}: ${k.what}`,
        args: t.cmd(f),
        expect: [path.basename(f), t.expectFlag, "seed"],
      });
    }
    // not a file
    add({
      category: "encoding",
      what: `${t.label}: a directory as the input file`,
      args: t.cmd(tmp),
      expect: [path.basename(tmp), t.expectFlag],
    });
    add({
      category: "encoding",
      what: `${t.label}: a missing input file`,
      args: t.cmd(path.join(tmp, "nope.json")),
      expect: ["nope.json"],
    });
  }
  // --options of tem forward
  const fwd = writeJson("fwd.json", forwardBase());
  for (const o of [
    "{",
    "[]",
    "42",
    '{"hankel": 3}',
    '{"hankel": "nope"}',
    '{"lambdaPerDecade": 1e309}',
    '{"lamdaPerDecade": 40}',
    '{"signals": "off"}',
    '{"signals": ["of"]}',
    '\ufeff{"hankel": "wer_201_2018"}',
    '{"quadPoints": -1}',
    '{"tolerance": "1e-6"}',
  ]) {
    add({
      category: "encoding",
      what: `tem forward --options ${o}`,
      args: ["tem", "forward", fwd, "--options", o],
      expect: [
        "--options",
        "hankel",
        "lambdaPerDecade",
        "lamdaPerDecade",
        "signals",
        "quadPoints",
        "tolerance",
        "options",
      ],
    });
  }
}

function outs(): void {
  const inv = writeJson("inv.json", invertBase());
  const sv = writeJson("survey.json", surveyBase());
  const pre = writeJson("pre.json", pretrainBase());
  const tr = writeJson("tr.json", transferBase());
  const regular = writeJson("regular.json", { x: 1 });
  const long = "n".repeat(300);
  const verbs: { label: string; cmd: (o: string) => string[]; dir: boolean; input: string }[] = [
    { label: "tem invert", cmd: (o) => ["tem", "invert", inv, "--quiet", "--out", o], dir: false, input: inv },
    {
      label: "survey rankin",
      cmd: (o) => ["survey", "rankin", "--sites", "2", "--out", o],
      dir: false,
      input: regular,
    },
    { label: "survey invert", cmd: (o) => ["survey", "invert", sv, "--quiet", "--out", o], dir: true, input: sv },
    {
      label: "tcn predict",
      cmd: (o) => ["tcn", "predict", "--model", MODEL, "--seismic", SEISMIC, "--out", o],
      dir: true,
      input: SEISMIC,
    },
    {
      label: "tcn evaluate",
      cmd: (o) => ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", o],
      dir: true,
      input: MODEL,
    },
    {
      label: "tcn pretrain",
      cmd: (o) => ["tcn", "pretrain", "--config", pre, "--quick", "--out", o],
      dir: true,
      input: pre,
    },
    {
      label: "tcn finetune",
      cmd: (o) => ["tcn", "finetune", "--model", MODEL, "--config", tr, "--quick", "--out", o],
      dir: true,
      input: MODEL,
    },
    {
      label: "tcn transfer",
      cmd: (o) => ["tcn", "transfer", "--config", tr, "--quick", "--out", o],
      dir: true,
      input: tr,
    },
  ];
  for (const v of verbs) {
    const variants: { what: string; out: string; expect?: string[] }[] = [
      {
        what: "missing parent directory",
        out: path.join(tmp, "no", "such", v.dir ? "d" : "r.json"),
        expect: v.dir ? undefined : ["no/such", "--out"],
      },
      { what: v.dir ? "an existing regular file" : "an existing directory", out: v.dir ? regular : tmp },
      { what: "under /proc", out: "/proc/geoinv-bad/r" },
      { what: "under /sys", out: "/sys/geoinv-bad-r" },
      { what: "/dev/null", out: "/dev/null" },
      { what: "under a regular file", out: path.join(regular, "r") },
      { what: "the input file", out: v.input },
      { what: "a 300-character name", out: path.join(tmp, long) },
      { what: "empty", out: "" },
    ];
    for (const x of variants.filter((_, i) => i < 3 || rand() < 0.6)) {
      if (v.dir && x.what === "missing parent directory") continue; // a directory's missing parents are created: a valid run
      add({
        category: "out",
        what: `${v.label} --out ${x.what}`,
        args: v.cmd(x.out),
        expect: x.expect ?? [x.out === "" ? "--out" : x.out, "--out", path.basename(x.out)],
        outputs: [x.out],
      });
    }
    add({
      category: "out",
      what: `${v.label} --out without a value`,
      args: [...v.cmd("X").slice(0, -1)],
      expect: ["--out"],
    });
  }
}

function npys(): void {
  const good = fs.readFileSync(SEISMIC);
  const arr = parseNpy(good, SEISMIC);
  const [nt, ns] = arr.shape;
  const data = Float32Array.from(arr.data as ArrayLike<number>);
  // the v1 header: 10 bytes, then the dict padded with spaces to byte 128 (ending in a newline)
  const dict = good.subarray(10, 128).toString("latin1").trimEnd();
  const reheader = (f: (h: string) => string) =>
    Buffer.concat([good.subarray(0, 10), Buffer.from(f(dict).padEnd(117) + "\n", "latin1"), good.subarray(128)]);
  const variants: { what: string; bytes: () => Uint8Array }[] = [
    { what: "truncated body", bytes: () => good.subarray(0, 128 + Math.floor((good.length - 128) * rand())) },
    { what: "truncated header", bytes: () => good.subarray(0, 40) },
    { what: "bad magic", bytes: () => Buffer.concat([Buffer.from("\x93NUMPZ", "latin1"), good.subarray(6)]) },
    { what: "version 9", bytes: () => Buffer.concat([good.subarray(0, 6), Buffer.from([9, 0]), good.subarray(8)]) },
    {
      what: "header length 65535",
      bytes: () => Buffer.concat([good.subarray(0, 8), Buffer.from([0xff, 0xff]), good.subarray(10)]),
    },
    { what: "fortran_order True", bytes: () => reheader((h) => h.replace("False", "True")) },
    { what: "dtype <i2", bytes: () => reheader((h) => h.replace("<f4", "<i2")) },
    { what: "dtype >f4 (big-endian)", bytes: () => reheader((h) => h.replace("<f4", ">f4")) },
    { what: "dtype |O", bytes: () => reheader((h) => h.replace("<f4", "|O")) },
    { what: "dtype <c8", bytes: () => reheader((h) => h.replace("<f4", "<c8")) },
    { what: "1-D", bytes: () => toNpy(data, [nt * ns]) },
    { what: "3-D", bytes: () => toNpy(data, [nt, ns, 1]) },
    { what: "zero traces", bytes: () => toNpy(new Float32Array(0), [0, ns]) },
    {
      what: "shape larger than the data",
      bytes: () => reheader((h) => h.replace(`(${nt}, ${ns})`, `(${nt + 9}, ${ns})`)),
    },
    {
      what: "shape with a negative size",
      bytes: () => reheader((h) => h.replace(`(${nt}, ${ns})`, `(-${nt}, ${ns})`)),
    },
    {
      what: "shape 1e12 x 1e12",
      bytes: () => reheader((h) => h.replace(`(${nt}, ${ns})`, "(1000000000000, 1000000000000)")),
    },
    {
      what: "transposed (samples, traces)",
      bytes: () =>
        toNpy(
          Float32Array.from({ length: nt * ns }, (_, k) => data[(k % nt) * ns + Math.floor(k / nt)]),
          [ns, nt],
        ),
    },
    { what: "one-sample traces", bytes: () => toNpy(data.slice(0, nt), [nt, 1]) },
    {
      what: "amplitudes x 1e36",
      bytes: () =>
        toNpy(
          data.map((v) => v * 1e36),
          [nt, ns],
        ),
    },
    {
      what: "a NaN sample",
      bytes: () =>
        toNpy(
          data.map((v, k) => (k === 17 ? NaN : v)),
          [nt, ns],
        ),
    },
    {
      what: "an Infinity sample",
      bytes: () =>
        toNpy(
          data.map((v, k) => (k === 3 ? Infinity : v)),
          [nt, ns],
        ),
    },
    { what: "all zeros", bytes: () => toNpy(new Float32Array(nt * ns), [nt, ns]) },
    {
      what: "float64 3.4e39 (overflows float32)",
      bytes: () =>
        toNpy(
          Float64Array.from(data, (v, k) => (k === 5 ? 3.4e39 : v)),
          [nt, ns],
        ),
    },
    { what: "trailing garbage", bytes: () => Buffer.concat([good, Buffer.alloc(13, 1)]) },
  ];
  const imp = IMPEDANCE;
  for (const v of variants) {
    const f = file("seis.npy");
    fs.writeFileSync(f, v.bytes());
    const o = file("pred");
    add({
      category: "npy",
      what: `tcn predict --seismic: ${v.what}`,
      args: ["tcn", "predict", "--model", MODEL, "--seismic", f, "--out", o],
      expect: ["--seismic", path.basename(f)],
      outputs: [o],
    });
    const second = rand();
    if (second > 0.4) continue;
    if (second < 0.2) {
      const o2 = file("ev");
      add({
        category: "npy",
        what: `tcn evaluate --seismic: ${v.what}`,
        args: ["tcn", "evaluate", "--model", MODEL, "--seismic", f, "--impedance", imp, "--out", o2],
        expect: ["--seismic", path.basename(f), "seismic"],
        outputs: [o2],
      });
    } else {
      const o2 = file("ft");
      add({
        category: "npy",
        what: `tcn finetune --impedance: ${v.what}`,
        args: [
          "tcn",
          "finetune",
          "--model",
          MODEL,
          "--seismic",
          SEISMIC,
          "--impedance",
          f,
          "--n-wells",
          "2",
          "--epochs",
          "1",
          "--out",
          o2,
        ],
        expect: ["--impedance", path.basename(f), "impedance"],
        outputs: [o2],
      });
    }
  }
  // impedance that is zero or negative; seismic and impedance of different shapes
  const zero = file("imp0.npy");
  fs.writeFileSync(zero, toNpy(new Float32Array(nt * ns), [nt, ns]));
  add({
    category: "npy",
    what: "tcn evaluate: impedance all zero",
    args: ["tcn", "evaluate", "--model", MODEL, "--seismic", SEISMIC, "--impedance", zero, "--out", file("ev")],
    expect: ["--impedance", "imp0.npy", "impedance"],
    outputs: [],
  });
  const short = file("imp-short.npy");
  fs.writeFileSync(short, toNpy(data.slice(0, (nt - 1) * ns), [nt - 1, ns]));
  add({
    category: "npy",
    what: "tcn evaluate: impedance with one trace fewer",
    args: ["tcn", "evaluate", "--model", MODEL, "--seismic", SEISMIC, "--impedance", short, "--out", file("ev")],
    expect: ["--impedance", "imp-short.npy", "impedance", "--seismic"],
  });
  add({
    category: "npy",
    what: "tcn predict --seismic a directory",
    args: ["tcn", "predict", "--model", MODEL, "--seismic", tmp, "--out", file("pred")],
    expect: ["--seismic", path.basename(tmp)],
  });
}

/** The command line of `tcn VERB --model MODEL` writing to `out` (finetune: 2 wells, 1 epoch). */
function tcnModelArgs(verb: "predict" | "evaluate" | "finetune", model: string, out: string): string[] {
  const rest =
    verb === "predict"
      ? ["--seismic", SEISMIC]
      : verb === "evaluate"
        ? ["--trace-step", "40"]
        : "--data overthrust --trace-step 20 --n-wells 2 --epochs 1".split(" ");
  return ["tcn", verb, "--model", model, ...rest, "--out", out];
}

function models(): void {
  const files = fs.readdirSync(MODEL);
  const copy = (what: string, edit: (dir: string) => void) => {
    const d = file("model");
    fs.mkdirSync(d);
    for (const f of files) fs.copyFileSync(path.join(MODEL, f), path.join(d, f));
    edit(d);
    const verb = pick(["predict", "evaluate", "finetune"] as const);
    const o = file(verb);
    add({
      category: "model",
      what: `tcn ${verb} --model: ${what}`,
      args: tcnModelArgs(verb, d, o),
      expect: ["--model", path.basename(d), "model.json", "weights.bin", "geoinv-tcn.json"],
      outputs: [o],
    });
  };
  const bj = "geoinv-tcn.json";
  copy("model.json missing", (d) => fs.rmSync(path.join(d, "model.json")));
  copy("weights.bin missing", (d) => fs.rmSync(path.join(d, "weights.bin")));
  copy(`${bj} missing`, (d) => fs.rmSync(path.join(d, bj)));
  copy("weights.bin truncated", (d) => fs.truncateSync(path.join(d, "weights.bin"), 37));
  copy("a flipped bit in weights.bin", (d) => {
    const b = fs.readFileSync(path.join(d, "weights.bin"));
    b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
    fs.writeFileSync(path.join(d, "weights.bin"), b);
  });
  const editBundle = (f: (j: Record<string, any>) => void) => (d: string) => {
    const j = JSON.parse(fs.readFileSync(path.join(d, bj), "utf8"));
    f(j);
    fs.writeFileSync(path.join(d, bj), JSON.stringify(j));
  };
  copy(
    "yStats edited",
    editBundle(
      (j) =>
        (j.yStats.mean = Array.isArray(j.yStats.mean)
          ? j.yStats.mean.map((v: number) => v * 1.1)
          : j.yStats.mean * 1.1),
    ),
  );
  copy(
    "integrity removed",
    editBundle((j) => delete j.integrity),
  );
  copy(
    "integrity malformed",
    editBundle((j) => (j.integrity.weights_sha256 = "xyz")),
  );
  copy(
    "format changed",
    editBundle((j) => (j.format = "geoinv.tcn/99")),
  );
  copy(`${bj} truncated`, (d) => fs.truncateSync(path.join(d, bj), 50));
  copy("model.json truncated", (d) => fs.truncateSync(path.join(d, "model.json"), 100));
  copy("model.json not JSON", (d) => fs.writeFileSync(path.join(d, "model.json"), "\x00\x01garbage"));
  copy("an unexpected extra file", (d) => fs.writeFileSync(path.join(d, "notes.txt"), "hello"));
  add({
    category: "model",
    what: "tcn predict --model a regular file",
    args: ["tcn", "predict", "--model", SEISMIC, "--seismic", SEISMIC, "--out", file("p")],
    expect: ["--model", path.basename(SEISMIC)],
  });
  add({
    category: "model",
    what: "tcn predict --model an empty directory",
    args: ["tcn", "predict", "--model", tmp + "/", "--seismic", SEISMIC, "--out", file("p")],
    expect: ["--model", path.basename(tmp)],
  });
  add({
    category: "model",
    what: "tcn predict --model a missing directory",
    args: ["tcn", "predict", "--model", path.join(tmp, "nomodel"), "--seismic", SEISMIC, "--out", file("p")],
    expect: ["--model", "nomodel"],
  });
  // a model whose weights are NaN, with consistent checksums (a diverged training saved as is)
  for (const verb of ["predict", "evaluate", "finetune"] as const)
    add({
      category: "model",
      what: `tcn ${verb} --model with NaN weights (valid checksums)`,
      args: tcnModelArgs(verb, NAN_MODEL, file(verb[0])),
      expect: ["NaN", "not finite", "--model", "nan-model", ...(verb === "finetune" ? ["diverged"] : [])],
      outputs: [],
    });
}

function manifests(): void {
  const real = fs.readFileSync(path.join(root, "data", "MANIFEST.json"), "utf8");
  const mj = JSON.parse(real);
  const variants: { what: string; text: string | null }[] = [
    { what: "truncated", text: real.slice(0, Math.floor(real.length / 3)) },
    { what: "empty", text: "" },
    { what: "an array", text: "[]" },
    { what: "no files", text: JSON.stringify({ sources: mj.sources }) },
    {
      what: "a bad sha256",
      text: JSON.stringify({
        ...mj,
        files: Object.fromEntries(
          Object.entries(mj.files).map(([k, v]: [string, any]) => [
            k,
            { ...v, sha256: v.sha256.replace(/^./, (c: string) => (c === "0" ? "1" : "0")) },
          ]),
        ),
      }),
    },
    {
      what: "negative sizes",
      text: JSON.stringify({
        ...mj,
        files: Object.fromEntries(Object.entries(mj.files).map(([k, v]: [string, any]) => [k, { ...v, bytes: -1 }])),
      }),
    },
    { what: "an empty files object", text: JSON.stringify({ sources: mj.sources, files: {} }) },
    { what: "missing", text: null },
  ];
  const cmds: { label: string; args: () => string[] }[] = [
    { label: "data check", args: () => ["data", "check"] },
    { label: "tem forward", args: () => ["tem", "forward", writeJson("fwd.json", forwardBase())] },
    {
      label: "tcn evaluate",
      args: () => ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", file("ev")],
    },
    { label: "survey rankin", args: () => ["survey", "rankin", "--sites", "2", "--out", file("s.json")] },
  ];
  for (const v of variants) {
    const f = file("MANIFEST.json");
    if (v.text !== null) fs.writeFileSync(f, v.text);
    for (const c of [...cmds].sort(() => rand() - 0.5).slice(0, 2)) {
      add({
        category: "manifest",
        what: `${c.label}: manifest ${v.what}`,
        args: c.args(),
        env: { GEOINV_MANIFEST: f },
        expect: [path.basename(f), "MANIFEST"],
        outputs: [],
      });
    }
  }
  add({
    category: "manifest",
    what: "data check: GEOINV_MANIFEST a directory",
    args: ["data", "check"],
    env: { GEOINV_MANIFEST: tmp },
    expect: [path.basename(tmp), "MANIFEST"],
  });
  add({
    category: "manifest",
    what: "tem forward: GEOINV_MANIFEST /dev/null",
    args: ["tem", "forward", writeJson("fwd.json", forwardBase())],
    env: { GEOINV_MANIFEST: "/dev/null" },
    expect: ["/dev/null", "MANIFEST"],
  });
}

/** A data root made of links to the repository's folders, with `edit` applied to copies of some files. */
function dataCopy(edits: Record<string, (b: Buffer) => Buffer | null>): string {
  const d = file("data");
  fs.mkdirSync(d);
  const src = path.join(root, "data");
  const folders = new Set(Object.keys(edits).map((k) => k.split("/")[0]));
  for (const e of fs.readdirSync(src)) {
    if (!folders.has(e)) {
      fs.symlinkSync(path.join(src, e), path.join(d, e));
      continue;
    }
    fs.mkdirSync(path.join(d, e));
    for (const f of fs.readdirSync(path.join(src, e))) {
      const rel = `${e}/${f}`;
      if (edits[rel]) {
        const b = edits[rel](fs.readFileSync(path.join(src, rel)));
        if (b) fs.writeFileSync(path.join(d, rel), b);
      } else fs.symlinkSync(path.join(src, rel), path.join(d, rel));
    }
  }
  return d;
}

function dataRoots(): void {
  const fwdWire = writeJson("fwd.json", forwardWireBase());
  const fwdLoop = writeJson("fwd.json", forwardBase());
  const flip = (b: Buffer) => {
    const c = Buffer.from(b);
    c[Math.floor(c.length / 2)] ^= 4;
    return c;
  };
  const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
  const dlf = fs.readdirSync(path.join(root, "data", "dlf")).filter((f) => f.endsWith(".txt"));
  const rankin = fs.readdirSync(path.join(root, "data", "tem_gsc_rankin_inlet")).filter((f) => f.endsWith(".csv"));
  const variants: {
    what: string;
    edits: Record<string, (b: Buffer) => Buffer | null>;
    cmd: () => string[];
    names: string[];
  }[] = [
    ...dlf.slice(0, 4).map((f) => ({
      what: `dlf/${f} bit flipped`,
      edits: { [`dlf/${f}`]: flip },
      cmd: () => ["tem", "forward", pick([fwdWire, fwdLoop])],
      names: [f],
    })),
    ...dlf.slice(4, 7).map((f) => ({
      what: `dlf/${f} truncated`,
      edits: { [`dlf/${f}`]: half },
      cmd: () => ["tem", "forward", pick([fwdWire, fwdLoop])],
      names: [f],
    })),
    ...dlf.slice(0, 3).map((f) => ({
      what: `dlf/${f} missing`,
      edits: { [`dlf/${f}`]: () => null },
      cmd: () => ["data", "check"],
      names: [f],
    })),
    {
      what: "overthrust/seismic truncated",
      edits: { "overthrust/seismic_ricker30_reskan.npy": half },
      cmd: () => ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", file("ev")],
      names: ["seismic_ricker30_reskan.npy"],
    },
    {
      what: "overthrust/ip.npy bit flipped",
      edits: { "overthrust/ip.npy": flip },
      cmd: () => ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", file("ev")],
      names: ["ip.npy"],
    },
    {
      what: "marmousi2/ip.npy missing",
      edits: { "marmousi2/ip.npy": () => null },
      cmd: () => [
        "tcn",
        "pretrain",
        "--config",
        writeJson("pre.json", pretrainBase()),
        "--quick",
        "--out",
        file("pre"),
      ],
      names: ["ip.npy"],
    },
    {
      what: "marmousi2/ip.npy truncated",
      edits: { "marmousi2/ip.npy": half },
      cmd: () => ["tcn", "transfer", "--config", writeJson("tr.json", transferBase()), "--quick", "--out", file("tr")],
      names: ["ip.npy"],
    },
    ...rankin.slice(0, 3).map((f) => ({
      what: `rankin ${f} truncated`,
      edits: { [`tem_gsc_rankin_inlet/${f}`]: half },
      cmd: () => ["survey", "rankin", "--out", file("s.json")],
      names: [f],
    })),
    {
      what: "an unlisted file",
      edits: { "dlf/LICENSE": (b: Buffer) => b, "dlf/extra_filter.txt": () => Buffer.from("1 2 3\n") },
      cmd: () => ["data", "check"],
      names: ["extra_filter.txt"],
    },
  ];
  // a file the manifest does not know cannot be produced by editing an existing one: add it by hand
  for (const v of variants) {
    let d: string;
    if (v.what === "an unlisted file") {
      d = dataCopy({ "dlf/LICENSE": (b) => b });
      fs.writeFileSync(path.join(d, "dlf", "extra_filter.txt"), "1 2 3\n");
    } else d = dataCopy(v.edits);
    add({
      category: "data",
      what: `GEOINV_DATA copy: ${v.what}; ${v.cmd()[0]} ${v.cmd()[1]}`,
      args: v.cmd(),
      env: { GEOINV_DATA: d },
      expect: v.names,
      outputs: [],
    });
  }
  add({
    category: "data",
    what: "GEOINV_DATA missing; tem forward",
    args: ["tem", "forward", fwdLoop],
    env: { GEOINV_DATA: path.join(tmp, "nodata") },
    expect: ["nodata"],
  });
  add({
    category: "data",
    what: "GEOINV_DATA a regular file; data check",
    args: ["data", "check"],
    env: { GEOINV_DATA: SEISMIC },
    expect: [path.basename(SEISMIC)],
  });
  add({
    category: "data",
    what: "GEOINV_DATA empty directory; tcn evaluate",
    args: ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", file("ev")],
    env: { GEOINV_DATA: fs.mkdtempSync(path.join(tmp, "empty-")) },
    expect: ["empty-", "overthrust"],
  });
}

function flags(): void {
  const inv = writeJson("inv.json", invertBase());
  const fwd = writeJson("fwd.json", forwardBase());
  const pre = writeJson("pre.json", pretrainBase());
  const tr = writeJson("tr.json", transferBase());
  const sv = writeJson("survey.json", surveyBase());
  const o = () => file("o");
  const list: { args: string[]; expect: string[] }[] = [
    { args: ["tem", "forward", fwd, "--bogus"], expect: ["--bogus"] },
    { args: ["tem", "forward"], expect: ["CASE", "case"] },
    { args: ["tem", "forward", fwd, fwd], expect: [path.basename(fwd), "one"] },
    { args: ["tem", "invert", inv, "--checkpoint-every", "5"], expect: ["--checkpoint"] },
    { args: ["tem", "invert", inv, "--checkpoint", inv], expect: ["--checkpoint", path.basename(inv)] },
    { args: ["tem", "invert", inv, "--checkpoint", "/proc/ck"], expect: ["--checkpoint", "/proc/ck"] },
    {
      args: ["tem", "invert", inv, "--checkpoint", file("ck"), "--checkpoint-every", "1e309"],
      expect: ["--checkpoint-every"],
    },
    { args: ["tem", "invert", inv, "--posterior", "yes"], expect: ["--posterior", "yes"] },
    { args: ["tem", "invert", "--quiet"], expect: ["CONFIG", "config"] },
    { args: ["tcn", "pretrain", "--config", pre, "--quick", "--full", "--out", o()], expect: ["--quick", "--full"] },
    { args: ["tcn", "pretrain", "--config", pre, "--epochs", "NaN", "--out", o()], expect: ["--epochs"] },
    { args: ["tcn", "pretrain", "--config", pre, "--epochs", "1e309", "--out", o()], expect: ["--epochs"] },
    { args: ["tcn", "pretrain", "--config", pre, "--epochs", "0x10", "--out", o()], expect: ["--epochs"] },
    { args: ["tcn", "pretrain", "--config", pre, "--epochs", "1_000", "--out", o()], expect: ["--epochs"] },
    { args: ["tcn", "pretrain", "--config", pre, "--lr", "-0.1", "--out", o()], expect: ["--lr"] },
    { args: ["tcn", "pretrain", "--config", pre, "--lr", "Infinity", "--out", o()], expect: ["--lr"] },
    { args: ["tcn", "pretrain", "--config", pre, "--batch", "0", "--out", o()], expect: ["--batch"] },
    { args: ["tcn", "pretrain", "--config", pre, "--batch", "100000", "--out", o()], expect: ["--batch", "batchSize"] },
    { args: ["tcn", "pretrain", "--config", pre, "--padding", "diag", "--out", o()], expect: ["--padding"] },
    { args: ["tcn", "pretrain", "--config", pre, "--noise", "-1", "--out", o()], expect: ["--noise"] },
    { args: ["tcn", "pretrain", "--config", pre, "--freq", "0", "--out", o()], expect: ["--freq"] },
    { args: ["tcn", "pretrain", "--config", pre, "--trace-step", "0", "--out", o()], expect: ["--trace-step"] },
    {
      args: ["tcn", "pretrain", "--config", pre, "--trace-step", "100000", "--out", o()],
      expect: ["--trace-step", "traceStep", "trace"],
    },
    { args: ["tcn", "pretrain", "--config", pre, "--data", "nope", "--out", o()], expect: ["--data", "nope", "data"] },
    { args: ["tcn", "pretrain", "--config", pre, "--seed", "1.5", "--out", o()], expect: ["--seed"] },
    {
      args: ["tcn", "pretrain", "--config", pre, "--checkpoint-every", "0", "--out", o()],
      expect: ["--checkpoint-every"],
    },
    {
      args: ["tcn", "pretrain", "--config", pre, "--resume", "--out", o()],
      expect: ["--resume", "--checkpoint", "checkpoint.json"],
    },
    {
      args: ["tcn", "pretrain", "--config", pre, "--checkpoint", "/proc/x/ck", "--out", o()],
      expect: ["--checkpoint", "/proc/x/ck"],
    },
    { args: ["tcn", "pretrain", "--config", pre, "--out", o(), "extra"], expect: ["extra"] },
    { args: ["tcn", "transfer", "--config", tr, "--wells", "80,,240", "--out", o()], expect: ["--wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--wells", "1,2,x", "--out", o()], expect: ["--wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--wells", ",", "--out", o()], expect: ["--wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--wells", "-1,2", "--out", o()], expect: ["--wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--wells", "1.5,3", "--out", o()], expect: ["--wells"] },
    {
      args: ["tcn", "transfer", "--config", tr, "--wells", "5,99999", "--out", o()],
      expect: ["--wells", "99999", "wells"],
    },
    { args: ["tcn", "transfer", "--config", tr, "--n-wells", "0", "--out", o()], expect: ["--n-wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--n-wells", "5000", "--out", o()], expect: ["--n-wells"] },
    { args: ["tcn", "transfer", "--config", tr, "--freeze", "99", "--out", o()], expect: ["--freeze"] },
    { args: ["tcn", "transfer", "--config", tr, "--freeze", "5", "--out", o()], expect: ["--freeze", "freezeBlocks"] },
    { args: ["tcn", "transfer", "--config", tr, "--normalization", "none", "--out", o()], expect: ["--normalization"] },
    {
      args: ["tcn", "transfer", "--config", tr, "--pretrained", path.join(tmp, "nomodel"), "--out", o()],
      expect: ["--pretrained", "nomodel", "pretrained"],
    },
    {
      args: ["tcn", "transfer", "--config", tr, "--checkpoint-every", "-2", "--out", o()],
      expect: ["--checkpoint-every"],
    },
    {
      args: ["tcn", "evaluate", "--model", MODEL, "--traces", "9999999", "--trace-step", "40", "--out", o()],
      expect: ["--traces"],
    },
    { args: ["tcn", "evaluate", "--model", MODEL, "--traces", "1,,2", "--out", o()], expect: ["--traces"] },
    { args: ["tcn", "evaluate", "--model", MODEL, "--traces", "none", "--out", o()], expect: ["--traces"] },
    {
      args: ["tcn", "evaluate", "--model", MODEL, "--traces", "test", "--split-seed", "-1", "--out", o()],
      expect: ["--split-seed"],
    },
    {
      args: ["tcn", "evaluate", "--model", MODEL, "--seismic", SEISMIC, "--out", o()],
      expect: ["--impedance", "--seismic"],
    },
    { args: ["tcn", "predict", "--seismic", SEISMIC, "--out", o()], expect: ["--model"] },
    {
      args: ["tcn", "predict", "--model", MODEL, "--seismic", SEISMIC, "--force", "yes", "--out", o()],
      expect: ["--force", "yes"],
    },
    { args: ["tcn", "finetune", "--config", tr, "--out", o()], expect: ["--model"] },
    {
      args: ["tcn", "finetune", "--model", MODEL, "--config", tr, "--wells", "3,3,3", "--out", o()],
      expect: ["--wells"],
    },
    { args: ["tcn", "nope"], expect: ["nope"] },
    { args: ["nope"], expect: ["nope"] },
    { args: ["survey", "rankin", "--sites", "1,,2", "--out", file("s.json")], expect: ["--sites"] },
    { args: ["survey", "rankin", "--sites", "0", "--out", file("s.json")], expect: ["--sites"] },
    { args: ["survey", "rankin", "--sites", "99", "--out", file("s.json")], expect: ["--sites", "99"] },
    { args: ["survey", "rankin", "--workflow", "bogus", "--out", file("s.json")], expect: ["--workflow"] },
    { args: ["survey", "invert", sv, "--out", o(), "--workers", "0"], expect: ["--workers"] },
    { args: ["survey", "invert", sv, "--out", o(), "--workers", "1e9"], expect: ["--workers"] },
    { args: ["survey", "invert", sv, "--out", o(), "--workers", "-3"], expect: ["--workers"] },
    { args: ["survey", "invert", sv, "--out", o(), "--timeout", "5"], expect: ["--timeout", "--queue"] },
    { args: ["survey", "invert", sv, "--out", o(), "--queue", "http://localhost:6379"], expect: ["--queue"] },
    { args: ["survey", "invert", sv], expect: ["--out"] },
    { args: ["worker"], expect: ["--queue"] },
    { args: ["worker", "--queue", "localhost:6379"], expect: ["--queue"] },
    { args: ["worker", "--queue", "redis://localhost:6379", "--concurrency", "0"], expect: ["--concurrency"] },
    { args: ["worker", "--queue", "redis://localhost:6379", "--lock-ms", "-5"], expect: ["--lock-ms"] },
    { args: ["worker", "--queue", "redis://localhost:6379", "--max-stalled", "x"], expect: ["--max-stalled"] },
    { args: ["data", "check", "extra"], expect: ["extra"] },
  ];
  for (const l of list)
    add({
      category: "flags",
      what: l.args.map((a) => (a.startsWith(tmp) ? path.basename(a) : a)).join(" "),
      args: l.args,
      expect: l.expect,
      outputs: l.args.includes("--out") ? [l.args[l.args.indexOf("--out") + 1]] : [],
    });
  // unreachable queues (a refused connection): the one-line message naming --queue, not a stack
  add({
    category: "flags",
    what: "worker --queue to a closed port",
    args: ["worker", "--queue", "redis://127.0.0.1:1", "--quiet"],
    expect: ["--queue", "127.0.0.1:1"],
    timeoutS: 40,
    keep: true,
  });
  add({
    category: "flags",
    what: "survey invert --queue to a closed port",
    args: ["survey", "invert", sv, "--out", o(), "--queue", "redis://127.0.0.1:1", "--timeout", "5", "--quiet"],
    expect: ["--queue", "127.0.0.1:1"],
    timeoutS: 40,
    keep: true,
  });
}

function huge(): void {
  const edits: {
    base: () => Record<string, Json>;
    label: string;
    cmd: (f: string) => string[];
    what: string;
    edit: (c: any) => void;
    expect: string[];
  }[] = [];
  const fwd = (label: string, what: string, edit: (c: any) => void, expect: string[], wire = false) =>
    edits.push({
      base: wire ? forwardWireBase : forwardBase,
      label,
      cmd: (f) => ["tem", "forward", f],
      what,
      edit,
      expect,
    });
  const inv = (what: string, edit: (c: any) => void, expect: string[]) =>
    edits.push({
      base: invertBase,
      label: "tem invert",
      cmd: (f) => ["tem", "invert", f, "--quiet", "--out", file("r.json")],
      what,
      edit,
      expect,
    });
  fwd(
    "tem forward",
    "pulses 100000 (bipolar 3 Hz)",
    (c) =>
      (c.waveform = {
        type: "linear_ramp_off",
        ramp: 5e-6,
        repetition: { type: "bipolar_half_duty", base_frequency: 3, pulses: 100000 },
      }),
    ["pulses", "repetition", "waveform"],
  );
  fwd(
    "tem forward",
    "pulses 1e6",
    (c) =>
      (c.waveform = {
        type: "linear_ramp_off",
        ramp: 5e-6,
        repetition: { type: "bipolar_half_duty", base_frequency: 25, pulses: 1e6 },
      }),
    ["pulses"],
  );
  fwd(
    "tem forward",
    "200000 times",
    (c) => (c.times = Array.from({ length: 200000 }, (_, i) => 1e-5 * Math.pow(10, (3 * i) / 199999))),
    ["times"],
  );
  fwd("tem forward", "times spanning 1e-12 to 1e6 s", (c) => (c.times = [1e-12, 1e-3, 1e6]), ["times"]);
  fwd(
    "tem forward",
    "2000 layers",
    (c) => {
      c.model = {
        thickness: Array(1999).fill(1),
        rho0: Array(2000).fill(100),
        m: Array(2000).fill(0),
        tau: Array(2000).fill(1e-3),
        c: Array(2000).fill(0.5),
      };
    },
    ["model", "layers", "thickness"],
  );
  fwd(
    "tem forward",
    "source coordinates 1e300 m",
    (c) => (c.source.points = c.source.points.map((p: number[]) => p.map((v) => v * 1e300 + 1e300))),
    ["source", "points", "coordinates"],
  );
  fwd("tem forward", "receiver at 1e200 m", (c) => (c.receiver.position = [1e200, 1e200, 0]), ["receiver", "position"]);
  fwd("tem forward", "resistivity 1e-300 ohm-m", (c) => (c.model.rho0 = c.model.rho0.map(() => 1e-300)), ["rho0"]);
  fwd("tem forward", "resistivity 1e300 ohm-m", (c) => (c.model.rho0 = c.model.rho0.map(() => 1e300)), ["rho0"]);
  fwd(
    "tem forward",
    "thickness 1e300 m",
    (c) => (c.model.thickness = c.model.thickness.map(() => 1e300)),
    ["thickness"],
    true,
  );
  fwd("tem forward", "tau 1e300 s", (c) => (c.model.tau = c.model.tau.map(() => 1e300)), ["tau"], true);
  fwd("tem forward", "tau 1e-300 s", (c) => (c.model.tau = c.model.tau.map(() => 1e-300)), ["tau"], true);
  fwd("tem forward", "current 1e300 A", (c) => (c.source.current = 1e300), ["current"]);
  fwd("tem forward", "ramp 1e300 s", (c) => (c.waveform = { type: "linear_ramp_off", ramp: 1e300 }), [
    "ramp",
    "waveform",
  ]);
  fwd(
    "tem forward",
    "30000 gates",
    (c) => (c.gates = Array.from({ length: 30000 }, (_, i) => [1e-5 * (1 + i), 1e-5 * (1.5 + i)])),
    ["gates"],
  );
  inv(
    "data errors 1e-300",
    (c) => {
      c.synthetic = { relative: 0, floor: 1e-300, seed: 1, add: false };
    },
    ["floor", "error", "synthetic"],
  );
  inv("np 100000", (c) => (c.optimizer.np = 100000), ["np", "optimizer"]);
  inv("10000 layers", (c) => (c.parameterisation.layers = 10000), ["layers"]);
  inv("bounds 1e-300..1e300", (c) => (c.parameterisation.rho0 = { min: 1e-300, max: 1e300 }), ["rho0"]);
  inv("lambda0 1e300", (c) => (c.regularisation = { lambda0: 1e300, adaptive: false }), ["lambda0", "regularisation"]);
  inv(
    "pulses 100000",
    (c) =>
      (c.waveform = {
        type: "linear_ramp_off",
        ramp: 5e-6,
        repetition: { type: "bipolar_half_duty", base_frequency: 3, pulses: 100000 },
      }),
    ["pulses"],
  );
  inv("max_evaluations 1e300", (c) => (c.optimizer.max_evaluations = 1e300), ["max_evaluations"]);
  inv("occam with 1e6 layers", (c) => (c.occam = { layers: 1e6 }), ["occam", "layers"]);
  inv("posterior chains 1e6", (c) => (c.posterior = { chains: 1e6 }), ["chains", "posterior"]);
  for (const e of edits) {
    const c = e.base();
    e.edit(c);
    const args = e.cmd(writeJson("huge.json", c));
    add({
      category: "huge",
      what: `${e.label}: ${e.what}`,
      args,
      expect: e.expect,
      outputs: args.includes("--out") ? [args[args.indexOf("--out") + 1]] : [],
    });
  }
  const pre = (what: string, edit: (c: any) => void, expect: string[]) => {
    const c = pretrainBase();
    edit(c);
    const o = file("pre");
    add({
      category: "huge",
      what: `tcn pretrain: ${what}`,
      args: ["tcn", "pretrain", "--config", writeJson("pre.json", c), "--quick", "--out", o],
      expect,
      outputs: [o],
    });
  };
  pre("channels 4096 x 8", (c) => (c.model.channels = Array(8).fill(4096)), [
    "channels",
    "model",
    "batchSize",
    "memory",
  ]);
  pre("kernelSize 100000", (c) => (c.model.kernelSize = 100000), ["kernelSize"]);
  pre("batchSize 100000", (c) => (c.train.batchSize = 100000), ["batchSize"]);
  pre("lr 1 (diverges?)", (c) => ((c.train.lr = 1), (c.train.epochs = 2)), ["lr", "diverged", "NaN"]);
  pre("split counts 1e6", (c) => (c.split.counts = [1e6, 1, 1]), ["split", "counts"]);
  pre("dropout 1", (c) => (c.model.dropout = 1), ["dropout"]);
  const o = file("pr");
  add({
    category: "huge",
    what: "tcn predict --batch is not a predict flag",
    args: ["tcn", "predict", "--model", MODEL, "--seismic", SEISMIC, "--batch", "1000000", "--out", o],
    expect: ["--batch"],
  });
  const big = file("big.npy");
  fs.writeFileSync(
    big,
    toNpy(
      new Float32Array(4 * 400000).map((_, k) => 0.01 * Math.sin(k / 7)),
      [4, 400000],
    ),
  );
  add({
    category: "huge",
    what: "tcn predict --seismic 400000-sample traces",
    args: ["tcn", "predict", "--model", MODEL, "--seismic", big, "--out", file("pr")],
    expect: ["--seismic", "big.npy"],
    outputs: [],
  });
}

function wells(): void {
  const edits: { what: string; edit: (c: any) => void; expect: string[] }[] = [
    {
      what: "well seismic file missing",
      edit: (c) => (c.target.well.seismic = "nope.npy"),
      expect: ["nope.npy", "target.well.seismic", "seismic"],
    },
    { what: "target dir missing", edit: (c) => (c.target.dir = "no_such_dir"), expect: ["no_such_dir", "target.dir"] },
    { what: "heldOut from > to", edit: (c) => (c.target.heldOut = { fromMs: 2720, toMs: 2596 }), expect: ["heldOut"] },
    {
      what: "heldOut outside the log",
      edit: (c) => (c.target.heldOut = { fromMs: 90000, toMs: 99000 }),
      expect: ["heldOut"],
    },
    { what: "dtMs 0", edit: (c) => (c.target.dtMs = 0), expect: ["dtMs"] },
    {
      what: "impedanceUnit furlongs",
      edit: (c) => (c.target.well.impedanceUnit = "furlongs"),
      expect: ["impedanceUnit"],
    },
    { what: "apply grid mismatch", edit: (c) => (c.target.apply[1].grid = [21, 74]), expect: ["grid", "apply"] },
    {
      what: "amplitude.method bogus",
      edit: (c) => (c.target.amplitude.method = "bogus"),
      expect: ["amplitude.method", "method"],
    },
    { what: "amplitude.polarity 2", edit: (c) => (c.target.amplitude.polarity = 2), expect: ["polarity"] },
    { what: "window.length 100000", edit: (c) => (c.window.length = 100000), expect: ["window.length", "window"] },
    { what: "source.data.freqHz -5", edit: (c) => (c.source.data.freqHz = -5), expect: ["freqHz"] },
    {
      what: "typo target.well.tim",
      edit: (c) => ((c.target.well.tim = c.target.well.time), delete c.target.well.time),
      expect: ["tim"],
    },
    { what: "seeds 2.5", edit: (c) => (c.seeds = 2.5), expect: ["seeds"] },
    { what: "kind wel", edit: (c) => (c.target.kind = "wel"), expect: ["kind", "target"] },
    { what: "--wells with a well target", edit: () => undefined, expect: ["--wells"] },
  ];
  for (const e of edits) {
    const c = wellBase();
    e.edit(c);
    const o = file("well");
    const args = ["tcn", "transfer", "--config", writeJson("well.json", c), "--quick", "--out", o];
    if (e.what.startsWith("--wells")) args.push("--wells", "3,4");
    add({ category: "well", what: `tcn transfer (well): ${e.what}`, args, expect: e.expect, outputs: [o] });
  }
}

function envs(): void {
  const fwd = writeJson("fwd.json", forwardBase());
  const pre = writeJson("pre.json", pretrainBase());
  add({
    category: "env",
    what: "GEOINV_SIZE=huge; tcn pretrain",
    args: ["tcn", "pretrain", "--config", pre, "--out", file("p")],
    env: { GEOINV_SIZE: "huge" },
    expect: ["GEOINV_SIZE"],
  });
  add({
    category: "env",
    what: "GEOINV_SIZE=' quick'; tcn pretrain",
    args: ["tcn", "pretrain", "--config", pre, "--out", file("p")],
    env: { GEOINV_SIZE: " Quick " },
    expect: ["GEOINV_SIZE"],
    outputs: [],
  });
  add({
    category: "env",
    what: "GEOINV_TCN_BACKEND=bogus; tcn evaluate",
    args: ["tcn", "evaluate", "--model", MODEL, "--trace-step", "40", "--out", file("e")],
    env: { GEOINV_TCN_BACKEND: "bogus" },
    expect: ["GEOINV_TCN_BACKEND", "bogus"],
    outputs: [],
  });
  add({
    category: "env",
    what: "tem forward from stdin (-) with nothing on stdin",
    args: ["tem", "forward", "-"],
    expect: ["-", "stdin"],
  });
  add({
    category: "env",
    what: "HOME unset; tem forward",
    args: ["tem", "forward", fwd],
    env: { HOME: "" },
    expect: [],
    outputs: [],
  });
}

// ------------------------------------------------------------------ set-up: a tiny model and inputs

let MODEL = "";
let NAN_MODEL = "";
let SEISMIC = "";
let IMPEDANCE = "";

async function setup(): Promise<void> {
  const pre = writeJson("setup-pre.json", pretrainBase());
  const o = path.join(tmp, "setup");
  const r = run(["tcn", "pretrain", "--config", pre, "--quick", "--out", o], {}, 300);
  if (r.code !== 0) throw new Error(`set-up pretrain failed: ${r.err}`);
  MODEL = path.join(o, "model");
  // seismic and impedance of the model's training data (Marmousi-2, every 40th trace): valid inputs
  const { loadDataset } = await import("../src/seismic");
  const d = loadDataset({ name: "marmousi2", traceStep: 40 });
  const take = d.seismic.slice(0, 6);
  const ns = take[0].length;
  SEISMIC = path.join(tmp, "seismic.npy");
  fs.writeFileSync(SEISMIC, toNpy(Float32Array.from(take.flatMap((t) => Array.from(t))), [take.length, ns]));
  IMPEDANCE = path.join(tmp, "impedance.npy");
  fs.writeFileSync(IMPEDANCE, toNpy(Float32Array.from(d.impedance.slice(0, 6).flatMap((t) => Array.from(t))), [6, ns]));
  // the same model with NaN weights, saved with consistent checksums
  const tf = await import("@tensorflow/tfjs");
  const { initBackend, loadTcn, saveTcn } = await import("../src/tcn");
  await initBackend({ quiet: true });
  const b = await loadTcn(MODEL);
  b.model.setWeights(b.model.getWeights().map((w) => tf.fill(w.shape, NaN)));
  NAN_MODEL = path.join(tmp, "nan-model");
  await saveTcn(b, NAN_MODEL);
}

// ------------------------------------------------------------------ classification

/** Every number in a JSON value finite; null only where the verb documents it (a null loss, the labels' mean PCC). */
function nonFiniteJson(text: string, where: string): string | null {
  if (/\bNaN\b|-?\bInfinity\b/.test(text)) return `${where}: NaN or Infinity in the text`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const bad: string[] = [];
  const walk = (x: unknown, p: string) => {
    if (Array.isArray(x)) {
      const nums = x.some((e) => typeof e === "number");
      x.forEach((e, i) => (e === null && nums ? bad.push(`${p}[${i}]`) : walk(e, `${p}[${i}]`)));
    } else if (x && typeof x === "object") {
      for (const [k, e] of Object.entries(x)) {
        if (
          e === null &&
          /^(objective|rms|misfit|pcc|r2|mse|mae|chi2|value|time_off|mean|std)$/.test(k) &&
          !/labelled_mean|paper/.test(p)
        )
          bad.push(`${p}.${k}`);
        else walk(e, `${p}.${k}`);
      }
    }
  };
  walk(v, where);
  return bad.length ? `null numbers at ${bad.slice(0, 3).join(", ")}` : null;
}

function nonFiniteFile(f: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(f);
  } catch {
    return null;
  }
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(f)) {
      const r = nonFiniteFile(path.join(f, e));
      if (r) return r;
    }
    return null;
  }
  if (!st.isFile() || st.size > 200e6) return null;
  // model.json is TensorFlow.js's topology, where null is a free dimension
  if (f.endsWith(".json") && path.basename(f) !== "model.json")
    return nonFiniteJson(fs.readFileSync(f, "utf8"), path.basename(f));
  if (f.endsWith(".npy")) {
    try {
      const a = parseNpy(fs.readFileSync(f), f);
      for (let i = 0; i < a.data.length; i++)
        if (!Number.isFinite(a.data[i])) return `${path.basename(f)}: non-finite value at ${i}`;
    } catch (e) {
      return `${path.basename(f)}: unreadable (${(e as Error).message})`;
    }
  }
  return null;
}

/** The error message: the verb's own line (not the backend banner or progress). */
function message(err: string): string {
  const lines = err.split("\n");
  const i = lines.findIndex((l) => /^geoinv( [a-z-]+)*: /.test(l) && !/^geoinv: TensorFlow/.test(l));
  return i < 0 ? "" : lines.slice(i).join("\n").trim();
}

type Outcome =
  | "exit2-named"
  | "exit2-other"
  | "exit2-unnamed"
  | "exit0-ok"
  | "exit0-nonfinite"
  | "stack"
  | "internal"
  | "crash"
  | "hang";
// "geoinv VERB: FIELD: ..." (a field path, a --flag, a file, an environment variable), a usage line naming a
// flag, or a refused non-finite result naming its stage: "geoinv VERB: STAGE: PATH is NaN; CAUSE"
const NAMED =
  /^geoinv [a-z -]+?: (?:[^\s:]+: |.*--[a-z]|.*\b[\w$]+(?:[.[][\w$\]]+)+|.*\/\S+|.*\bis (?:NaN|-?Infinity);)|^geoinv: unknown verb|^geoinv [a-z]+: unknown verb/;

function classify(c: Case, r: ReturnType<typeof run>): { outcome: Outcome; note: string } {
  if (r.timedOut) return { outcome: "hang", note: `killed after ${c.timeoutS ?? TIMEOUT_S} s` };
  if (/\n\s+at \S.*[(:]\d+|^\s+at \S+ \(/m.test(r.err))
    return { outcome: "stack", note: r.err.split("\n").slice(0, 3).join(" | ") };
  if (r.code === 1) return { outcome: "internal", note: message(r.err).split("\n")[0] || r.err.slice(0, 200) };
  if (r.code !== 0 && r.code !== 2)
    return { outcome: "crash", note: `exit ${r.code} signal ${r.signal}: ${r.err.slice(-200)}` };
  if (r.code === 0) {
    const nf =
      nonFiniteJson(r.out.trim().startsWith("{") ? r.out : "{}", "stdout") ??
      (c.outputs ?? []).map(nonFiniteFile).find((x) => x) ??
      null;
    return nf
      ? { outcome: "exit0-nonfinite", note: nf }
      : { outcome: "exit0-ok", note: r.out.split("\n")[0].slice(0, 160) };
  }
  const msg = message(r.err);
  const first = msg.split("\n")[0];
  if (!msg || !NAMED.test(first)) return { outcome: "exit2-unnamed", note: first || r.err.slice(0, 200) };
  const exp = (c.expect ?? []).filter((e) => e !== "");
  const stage = /\bis (?:NaN|-?Infinity);/.test(first);
  if (exp.length && !stage && !exp.some((e) => msg.toLowerCase().includes(e.toLowerCase())))
    return { outcome: "exit2-other", note: first.slice(0, 300) };
  return { outcome: "exit2-named", note: first.slice(0, 300) };
}

// ------------------------------------------------------------------ main

async function mainBench(): Promise<void> {
  const t0 = Date.now();
  const loadBefore = os.loadavg();
  await setup();
  outs();
  numbers(36);
  types(30);
  keys(30);
  encodings();
  npys();
  models();
  manifests();
  dataRoots();
  flags();
  huge();
  wells();
  envs();
  // the issue's own examples are always run
  for (const c of cases)
    if (
      /80,,240|errors 1e-300|pulses 100000|coordinates 1e300|transposed|one-sample|x 1e36|flipped bit|yStats|manifest truncated|NaN weights|UTF-8 BOM \(valid\)|--out under \/proc|--out the input/.test(
        c.what,
      )
    )
      c.keep = true;
  // a seeded sample of each category (the whole list would take too long on 2 cores)
  const QUOTA: Record<string, number> = {
    out: 36,
    numbers: 24,
    types: 20,
    keys: 20,
    encoding: 30,
    npy: 28,
    model: 16,
    manifest: 10,
    data: 12,
    flags: 46,
    huge: 24,
    well: 8,
    env: 5,
  };
  const sampled: Case[] = [];
  for (const cat of Object.keys(QUOTA)) {
    const all = cases.filter((c) => c.category === cat);
    const keys = all.map((c) => ({ c, k: c.keep ? -1 : rand() }));
    keys.sort((a, b) => a.k - b.k);
    const keep = new Set(keys.slice(0, QUOTA[cat]).map((x) => x.c));
    sampled.push(...all.filter((c) => keep.has(c)));
  }
  // interleaved by category (round robin), so that a run cut short by the budget still covers every category
  const queues = Object.keys(QUOTA).map((cat) => sampled.filter((c) => c.category === cat));
  sampled.length = 0;
  for (let k = 0; queues.some((q) => k < q.length); k++) for (const q of queues) if (k < q.length) sampled.push(q[k]);
  const todo = sampled.filter((c) => !ONLY || c.category === ONLY);
  if (process.argv.includes("--list")) {
    const n: Record<string, number> = {};
    for (const c of todo) n[c.category] = (n[c.category] ?? 0) + 1;
    process.stdout.write(JSON.stringify({ total: todo.length, ...n }) + "\n");
    fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }
  process.stderr.write(`bad-inputs: ${todo.length} cases (seed ${SEED}), timeout ${TIMEOUT_S} s each, in ${tmp}\n`);
  const rows: Record<string, unknown>[] = [];
  const counts: Record<string, number> = {};
  const byCat: Record<string, Record<string, number>> = {};
  let notRun = 0;
  todo.forEach((c, i) => {
    if ((Date.now() - t0) / 60000 > BUDGET_MIN) {
      notRun++;
      rows.push({ i, category: c.category, what: c.what.split(tmp).join("$TMP"), outcome: "not-run" });
      return;
    }
    const r = run(c.args, c.env, c.timeoutS);
    const { outcome, note } = classify(c, r);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    (byCat[c.category] ??= {})[outcome] = (byCat[c.category][outcome] ?? 0) + 1;
    const shown = (s: string) => s.split(tmp).join("$TMP");
    rows.push({
      i,
      category: c.category,
      what: shown(c.what),
      args: c.args.map((a) => shown(a.length > 200 ? a.slice(0, 60) + `...(${a.length} chars)` : a)),
      env: c.env && Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, shown(v)])),
      exit: r.code,
      signal: r.signal,
      seconds: Number(r.seconds.toFixed(2)),
      outcome,
      message: shown(note),
    });
    const bad = !["exit2-named", "exit0-ok"].includes(outcome);
    process.stderr.write(
      `${String(i + 1).padStart(4)}/${todo.length} ${outcome.padEnd(15)} ${r.seconds.toFixed(1).padStart(5)} s  ${shown(c.what).slice(0, 90)}${bad ? `\n        ${shown(note).slice(0, 300)}` : ""}\n`,
    );
  });
  const seconds = (Date.now() - t0) / 1000;
  const summary = {
    cases: todo.length,
    run: todo.length - notRun,
    not_run: notRun,
    budget_min: BUDGET_MIN,
    counts,
    by_category: byCat,
    seconds: Number(seconds.toFixed(1)),
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify(
      {
        command: `npm run bench -- bad-inputs${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`,
        seed: SEED,
        timeout_s: TIMEOUT_S,
        load_before: loadBefore,
        load_after: os.loadavg(),
        cpus: os.cpus().length,
        node: process.version,
        date: new Date().toISOString(),
        summary,
        cases: rows,
      },
      null,
      1,
    ) + "\n",
  );
  process.stderr.write(`\n${JSON.stringify(summary, null, 1)}\nwrote ${OUT}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

mainBench().catch((e) => {
  process.stderr.write(`bad-inputs: ${e instanceof Error ? e.stack : e}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
