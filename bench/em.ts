/**
 * EM forward engine benchmark (issue 9): ms per full transient for each reference case with a
 * reference timing, beside empymod's, with the case's error; then how the time grows with
 * layers, gates and quadrature points, and the throughput of a population of 100 models.
 *
 *   npx tsx bench/em.ts [--repeat N] [--json out.json] [--baseline '{"omegaMaxOffset": 0}']
 *
 * --baseline: options laid over each preset for a comparison setting (e.g. the lattice cut before
 * the fix of docs/EM_ACCURACY.md); each case is then also timed with it, interleaved with the
 * preset (alternating batches, so that a varying machine load hits both alike), and the table
 * gets the ratio preset / baseline and the baseline's error.
 *
 * Each case is timed with the engine's defaults and with its speed preset FAST_OPTIONS (which the
 * inversions use). Timing: the plan is compiled once (not timed, reported separately); each figure is the best of
 * `repeat` batches (default 7) of warm evaluations, after a warm-up, divided by the batch size.
 */
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import {
  broadsideWireSurvey,
  compileSurvey,
  EarthModel,
  FAST_OPTIONS,
  forward,
  forwardMany,
  ForwardOptions,
  parseEarthModel,
  referenceError,
  Survey,
} from "../src/em";

const args = process.argv.slice(2);
const repeat = Number(args[args.indexOf("--repeat") + 1] ?? 7) || 7;
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const baseline: ForwardOptions | undefined = args.includes("--baseline")
  ? JSON.parse(args[args.indexOf("--baseline") + 1])
  : undefined;

const here = __dirname;
const dirs = [
  path.join(here, "..", "test", "fixtures", "tem-reference"),
  path.join(here, "..", "..", "shared", "reference", "tem"),
];

const metric = (test: ArrayLike<number>, ref: number[]) => referenceError(test, ref).err;

/** Best-of-`repeat` ms per call of f, batches sized to take ~50 ms. */
function timeIt(f: () => void): number {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 200) {
    f();
    n++;
  }
  const batch = Math.max(1, Math.ceil((n * 50) / 200));
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const a = performance.now();
    for (let i = 0; i < batch; i++) f();
    best = Math.min(best, (performance.now() - a) / batch);
  }
  return best;
}

interface CaseFile {
  name: string;
  model: unknown;
  outputs: { time_off?: number[] };
  times?: number[];
  reference?: { timing?: { empymod_default_s: number; srcpts: number } | null };
}

const cases = new Map<string, CaseFile>();
for (const d of dirs) {
  if (!fs.existsSync(d)) continue;
  for (const f of fs
    .readdirSync(d)
    .filter((x) => x.endsWith(".json"))
    .sort())
    cases.set(f, JSON.parse(fs.readFileSync(path.join(d, f), "utf8")));
}

/**
 * Best-of-`repeat` ms per call of f and of g, their batches alternating, in this process's CPU time
 * (process.cpuUsage, user + system): on a machine shared with other jobs the wall-clock time of a
 * batch depends on the load, the CPU time far less.
 */
function timePair(f: () => void, g: () => void): [number, number] {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 200) {
    f();
    g();
    n++;
  }
  const batch = Math.max(1, Math.ceil((n * 25) / 200));
  const best = [Infinity, Infinity];
  for (let r = 0; r < repeat; r++) {
    [f, g].forEach((h, k) => {
      const a = process.cpuUsage();
      for (let i = 0; i < batch; i++) h();
      const d = process.cpuUsage(a);
      best[k] = Math.min(best[k], (d.user + d.system) / 1000 / batch);
    });
  }
  return [best[0], best[1]];
}

const rows: Record<string, unknown>[] = [];
const log = (s: string) => process.stdout.write(s + "\n");
log(
  `# EM forward benchmark: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
log("");
log(
  "Defaults (hankel auto: key_101_2009, or wer_201_2018 for a loop's E; fourier key_601_2009) and the speed preset FAST_OPTIONS (key_51_2012, key_201_2012).",
);
log("");
if (baseline) {
  log(
    `Baseline: each preset with ${JSON.stringify(baseline)} laid over it; "/ base": CPU ms with the preset over CPU ms with the baseline, timed interleaved (ms per transient: CPU time too).`,
  );
  log("");
  log(
    "| case | times | layers | plan compile (ms) | default: ms per transient | speed-up | max err | / base | base err | fast: ms per transient | speed-up | max err | / base | base err |",
  );
  log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
} else {
  log(
    "| case | times | layers | plan compile (ms) | default: ms per transient | speed-up | max err | fast: ms per transient | speed-up | max err |",
  );
  log("|---|---|---|---|---|---|---|---|---|---|");
}
for (const [f, c] of cases) {
  const timing = c.reference?.timing;
  if (!c.outputs.time_off) continue;
  const model = parseEarthModel(c.model);
  const emp = timing ? timing.empymod_default_s * 1000 : NaN;
  const row: Record<string, unknown> = {
    case: f.replace(/\.json$/, ""),
    times: c.outputs.time_off.length,
    layers: model.rho0.length,
    empymodMs: emp,
  };
  const cells: string[] = [];
  for (const [preset, o] of [
    ["default", undefined],
    ["fast", FAST_OPTIONS],
  ] as const) {
    const ta = performance.now();
    const plan = compileSurvey(c, o);
    if (preset === "default") row.compileMs = performance.now() - ta;
    const err = metric(forward(plan, model).time_off!, c.outputs.time_off);
    // the time-domain transient only (drop freq outputs from the timed plan)
    const tplan = compileSurvey({ ...c, frequencies: undefined }, o);
    if (baseline) {
      const bo = { ...(o ?? {}), ...baseline };
      const berr = metric(forward(compileSurvey(c, bo), model).time_off!, c.outputs.time_off);
      const bplan = compileSurvey({ ...c, frequencies: undefined }, bo);
      const [ms, bms] = timePair(
        () => forward(tplan, model),
        () => forward(bplan, model),
      );
      row[preset] = { ms, speedup: emp / ms, err, baselineMs: bms, baselineErr: berr, ratio: ms / bms };
      cells.push(
        `${ms.toFixed(3)} | ${timing ? Math.round(emp / ms) + "x" : "—"} | ${err.toExponential(1)} | ${(ms / bms).toFixed(2)} | ${berr.toExponential(1)}`,
      );
      continue;
    }
    const ms = timeIt(() => forward(tplan, model));
    row[preset] = { ms, speedup: emp / ms, err };
    cells.push(`${ms.toFixed(3)} | ${timing ? Math.round(emp / ms) + "x" : "—"} | ${err.toExponential(1)}`);
  }
  rows.push(row);
  log(
    `| ${row.case} | ${row.times} | ${row.layers} | ${(row.compileMs as number).toFixed(1)} | ${cells.join(" | ")} |`,
  );
}

// scaling studies on the three-layer grounded-wire geometry
const wire = broadsideWireSurvey(
  1000,
  500,
  Array.from({ length: 31 }, (_, i) => 1e-5 * Math.pow(1e5, i / 30)),
);
function layered(n: number): EarthModel {
  const rho0: number[] = [];
  for (let j = 0; j < n; j++) rho0.push(100 * Math.pow(10, Math.sin(j)));
  return {
    thickness: Array.from({ length: n - 1 }, (_, j) => 20 + 5 * j),
    rho0,
    m: rho0.map((_, j) => (j % 3 === 1 ? 0.2 : 0)),
    tau: rho0.map(() => 1e-3),
    c: rho0.map(() => 0.5),
  };
}
log("");
log("| study | setting | ms per transient |");
log("|---|---|---|");
const study = (name: string, setting: string, s: Survey, m: EarthModel, o?: ForwardOptions) => {
  const plan = compileSurvey(s, o);
  const ms = timeIt(() => forward(plan, m));
  rows.push({ study: name, setting, ms, nOmega: plan.info.nOmega, nLambda: plan.info.nLambda });
  log(`| ${name} | ${setting} | ${ms.toFixed(3)} |`);
};
for (const n of [3, 10, 20, 40]) study("layers (wire, 31 times)", `${n} layers`, wire, layered(n));
for (const g of [10, 30, 100]) {
  const gates: [number, number][] = Array.from({ length: g }, (_, i) => {
    const a = 1e-5 * Math.pow(1e5, i / g);
    return [a, a * Math.pow(1e5, 1 / g)];
  });
  study("gates (wire, 3 layers)", `${g} box-car gates`, { ...wire, times: undefined, gates }, layered(3));
}
for (const q of [5, 20, 80])
  study("quadrature points per segment (wire, 3 layers)", `${q}`, wire, layered(3), { quadPoints: q });

// population throughput
{
  const plan = compileSurvey(wire);
  const pop = Array.from({ length: 100 }, (_, i) => {
    const m = layered(3);
    m.rho0 = m.rho0.map((r, j) => r * (1 + 0.3 * Math.sin(i + j)));
    return m;
  });
  const ms = timeIt(() => forwardMany(plan, pop));
  rows.push({ study: "population", setting: "100 models, 3 layers, wire, 31 times", ms, perModel: ms / 100 });
  log(
    `| population | 100 models, 3 layers, wire, 31 times (forwardMany) | ${ms.toFixed(1)} per population = ${(ms / 100).toFixed(3)} per model, ${(100000 / ms).toFixed(0)} transients/s |`,
  );
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
