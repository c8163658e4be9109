import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { loadRankinLocations } from "../src/data";
import {
  compileParameterisation,
  geometricThicknesses,
  rankinDatasets,
  RANKIN_DEFAULT_BLOCKS,
  toModel,
} from "../src/inversion";
import {
  depthOfInvestigation,
  invertSounding,
  lci,
  LciSounding,
  parseSurveySpec,
  rankinSurvey,
  runSurvey,
  sectionFigures,
  soundingTasks,
  SurveyThreads,
  syntheticLine,
} from "../src/survey";
import {
  detectabilityDepth,
  profileOrder,
  resultText,
  runLciForward,
  runTask,
  withTopLayers,
} from "../src/survey/internal";
import { centralLoop, logSpacedTimes } from "./support/fixtures";

/** Survey domain without Redis: format, Rankin reader, seeds, LCI against a closed form, DOI, embedded runs, CLI. */

async function cli(argv: string[]) {
  let out = "",
    err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-survey-"));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const line = () =>
  syntheticLine({ n: 5, generations: 25, np: 16 }).survey as Record<string, unknown> & {
    soundings: Record<string, unknown>[];
  };

test("parseSurveySpec rejects unknown keys at every level, naming the field", () => {
  const cases: [(s: ReturnType<typeof line>) => void, RegExp][] = [
    [(s) => (s.soundigns = []), /^soundigns: unknown key/],
    [(s) => (s.soundings[1].elevation = 3), /^soundings\[1\]\.elevation: unknown key/],
    [
      (s) => ((s.soundings[0].surveys as Record<string, unknown>[])[0].lable = "x"),
      /^soundings\[0\]\.surveys\[0\]\.lable: unknown key/,
    ],
    [
      (s) => (((s.soundings[2].surveys as Record<string, unknown>[])[0].data as Record<string, unknown>).errors = []),
      /^soundings\[2\]\.surveys\[0\]\.data\.errors: unknown key/,
    ],
    [(s) => (s.lci = { sigma: 1 }), /^lci\.sigma: unknown key/],
    [(s) => ((s.optimizer as Record<string, unknown>).workers = 2), /^optimizer\.workers: /],
    [(s) => ((s.optimizer as Record<string, unknown>).np = 2), /^optimizer\.np: /],
    [(s) => (s.soundings[3].id = s.soundings[1].id), /^soundings\[3\]\.id: 's001' is used twice/],
    [(s) => (s.soundings[1].top_layers = { thickness: [2], rho0: [] }), /^soundings\[1\]\.top_layers\.rho0: /],
    [
      (s) =>
        (((s.soundings[4].surveys as Record<string, unknown>[])[0].data as Record<string, number[]>).error[2] = -1),
      /^soundings\[4\]\.surveys\[0\]\.data\.error\[2\]/,
    ],
    [(s) => (s.workflow = "two-step"), /^parameterisation\.m: /],
    [(s) => (s.name = "bad name/x"), /^name: /],
  ];
  for (const [edit, re] of cases) {
    const s = clone(line());
    edit(s);
    assert.throws(
      () => parseSurveySpec(s),
      (e: Error) => e.name === "ValidationError" && re.test(e.message),
      re.source,
    );
  }
  assert.equal(parseSurveySpec(line()).soundings.length, 5);
});

test("top layers are fixed above the free earth, which keeps its bounds", () => {
  const base = { layers: 3, rho0: { min: 1, max: 1000 }, thickness: { min: [5, 10], max: [100, 200] } };
  const p = compileParameterisation(withTopLayers(base, { thickness: [1.5, 4], rho0: [1e4, 60] }));
  assert.equal(p.layers, 5);
  assert.deepEqual(
    p.free.map((f) => f.name),
    ["log10 rho0[3]", "log10 rho0[4]", "log10 rho0[5]", "log10 thickness[3]", "log10 thickness[4]"],
  );
  assert.deepEqual(p.upper.slice(3), [2, Math.log10(200)]);
  const m = toModel(p, [0, 1, 2, 1, 2]);
  assert.deepEqual(m.thickness, [1.5, 4, 10, 100]);
  assert.deepEqual(m.rho0, [1e4, 60, 1, 10, 100]);
  assert.deepEqual(m.m, [0, 0, 0, 0, 0]);
});

test("the Rankin survey holds all 22 sites with rankinDatasets' data, ice and water at lake sites, and equals examples/survey_rankin.json", () => {
  const j = rankinSurvey() as {
    soundings: {
      id: string;
      x: number;
      y: number;
      top_layers?: { thickness: number[]; rho0: number[] };
      info: { site: number };
      surveys: { data: { time_off: number[]; error: number[] }; times: number[] }[];
    }[];
  };
  assert.equal(j.soundings.length, 22);
  assert.deepEqual(
    j.soundings.map((s) => s.info.site).sort((a, b) => a - b),
    Array.from({ length: 22 }, (_, i) => i + 1),
  );
  const locs = loadRankinLocations();
  for (const s of j.soundings) {
    const l = locs.find((x) => x.site === s.info.site)!;
    assert.equal(s.x, l.easting);
    assert.equal(s.y, l.northing);
    const ds = rankinDatasets(s.info.site, { blocks: RANKIN_DEFAULT_BLOCKS });
    assert.deepEqual(
      s.surveys.map((v) => v.data.time_off),
      ds.map((d) => d.observed),
    );
    assert.deepEqual(
      s.surveys.map((v) => v.data.error),
      ds.map((d) => d.error),
    );
    if (l.iceThickness !== null && l.waterDepth !== null) {
      assert.equal(s.top_layers!.thickness[0], l.iceThickness);
      assert.ok(Math.abs(s.top_layers!.thickness[1] - Math.max(0.1, l.waterDepth - l.iceThickness)) < 1e-9);
    } else assert.equal(s.top_layers, undefined);
  }
  // site 1: 8 mS/m water = 125 ohm-m (locations.csv)
  assert.equal(j.soundings.find((s) => s.id === "site01")!.top_layers!.rho0[1], 125);
  const spec = parseSurveySpec(j);
  assert.equal(spec.soundings.length, 22);
  assert.deepEqual(
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "survey_rankin.json"), "utf8")),
    JSON.parse(JSON.stringify(j)),
  );
});

test("profile order follows the principal axis; seeds and hashes depend on the sounding, not its position", () => {
  const pts = [
    { x: 300, y: 310 },
    { x: 0, y: 0 },
    { x: 200, y: 190 },
    { x: 100, y: 95 },
  ];
  assert.deepEqual(profileOrder(pts), [1, 3, 2, 0]);
  const a = line();
  const b = clone(a);
  b.soundings.reverse();
  const ta = soundingTasks(parseSurveySpec(a));
  const tb = soundingTasks(parseSurveySpec(b)).reverse();
  assert.deepEqual(
    ta.map((t) => [t.id, t.seed, t.hash]),
    tb.map((t) => [t.id, t.seed, t.hash]),
  );
  assert.equal(new Set(ta.map((t) => t.seed)).size, ta.length);
  const c = clone(a);
  (c.optimizer as Record<string, number>).seed = 2;
  assert.notDeepEqual(
    soundingTasks(parseSurveySpec(c)).map((t) => t.seed),
    ta.map((t) => t.seed),
  );
});

/** The toy forward is linear in log10 rho for fixed thicknesses: d_t = sum_k W_tk log10 rho_k. */
function toyOperator(times: number[], thickness: number[]): number[][] {
  const tops = [0];
  for (const h of thickness) tops.push(tops[tops.length - 1] + h);
  return times.map((t) => {
    const delta = 50 * Math.sqrt(t / 1e-5);
    return tops.map((z, k) => Math.exp(-z / delta) - (k < thickness.length ? Math.exp(-tops[k + 1] / delta) : 0));
  });
}

function gaussSolve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

test("LCI on the linear toy problem reaches the closed-form minimiser of data + vertical + distance-weighted lateral terms", async () => {
  const times = logSpacedTimes(12, 3);
  const L = 6,
    first = 5,
    maxDepth = 120,
    sv = 0.3,
    sl = 0.1,
    d0 = 200;
  const xs = [0, 80, 400];
  const thickness = geometricThicknesses(L, first, maxDepth);
  const G = toyOperator(times, thickness);
  const truth = xs.map((x, i) => Array.from({ length: L }, (_, k) => 1.5 + 0.4 * Math.sin(k + i) + x / 1000));
  const err = times.map((_, t) => 0.01 + 0.002 * t);
  const obs = truth.map((m, i) =>
    G.map((row, t) => row.reduce((a, w, k) => a + w * m[k], 0) + (((t * 7 + i * 3) % 5) - 2) * 0.004),
  );
  const soundings: LciSounding[] = xs.map((x, i) => ({
    id: `s${i}`,
    x,
    y: 0,
    top: null,
    start: new Array(L).fill(1),
    // the toy forward reads only the times; the loop makes it a whole survey
    datasets: [
      {
        survey: centralLoop(times, 20),
        observed: obs[i],
        error: err,
      },
    ],
  }));
  const o = {
    layers: L,
    firstThickness: first,
    maxDepth,
    sigmaVertical: sv,
    sigmaLateral: sl,
    d0,
    maxIterations: 40,
    tolerance: 0,
    fdStep: 0.02,
    doiFraction: 0.9,
    doiFactor: 2,
    rhoMin: 1e-3,
    rhoMax: 1e6,
  };
  const r = await lci(soundings, { kind: "toy" }, o);
  // the normal equations, assembled here independently
  const P = xs.length * L;
  const A = Array.from({ length: P }, () => new Array(P).fill(0));
  const b = new Array(P).fill(0);
  xs.forEach((_, i) =>
    G.forEach((row, t) => {
      for (let a = 0; a < L; a++) {
        b[i * L + a] += (row[a] * obs[i][t]) / err[t] ** 2;
        for (let c = 0; c < L; c++) A[i * L + a][i * L + c] += (row[a] * row[c]) / err[t] ** 2;
      }
    }),
  );
  const tie = (p: number, q: number, w: number) => {
    A[p][p] += w;
    A[q][q] += w;
    A[p][q] -= w;
    A[q][p] -= w;
  };
  xs.forEach((_, i) => {
    for (let k = 0; k + 1 < L; k++) tie(i * L + k, i * L + k + 1, 1 / sv ** 2);
  });
  for (let i = 0; i + 1 < xs.length; i++) {
    const w = 1 / (1 + (xs[i + 1] - xs[i]) / d0);
    for (let k = 0; k < L; k++) tie(i * L + k, (i + 1) * L + k, w / sl ** 2);
  }
  const exact = gaussSolve(A, b);
  const got = r.soundings.flatMap((s) => s.logRho);
  const maxDiff = Math.max(...got.map((v, p) => Math.abs(v - exact[p])));
  assert.ok(maxDiff < 1e-6, `LCI vs closed form: max |diff| ${maxDiff}`);
  assert.deepEqual(
    r.neighbours.map((n) => n.weight),
    [1 / (1 + 80 / d0), 1 / (1 + 320 / d0)],
  );
  // a far stronger lateral tie makes the soundings (nearly) one model
  const tight = await lci(soundings, { kind: "toy" }, { ...o, sigmaLateral: 1e-4, maxIterations: 20 });
  for (let k = 0; k < L; k++) {
    const v = tight.soundings.map((s) => s.logRho[k]);
    assert.ok(Math.max(...v) - Math.min(...v) < 1e-3, `layer ${k}: ${v}`);
  }
});

test("DOI: closed forms of both rules, and deeper over resistive than over conductive ground (EM engine)", () => {
  const thk = [10, 10, 10, 10];
  const tops = [0, 10, 20, 30, 40];
  assert.equal(depthOfInvestigation([1, 1, 1, 1], tops, thk, 0.9), 36);
  assert.ok(Math.abs(depthOfInvestigation([3, 1, 0, 0], tops, thk, 0.5) - 20 / 3) < 1e-12);
  // detectability: 4 equal data rows [3, 1, 0.5]; need sqrt(4) / log10(10) = 2; from the bottom D = 1, then 3
  assert.equal(
    detectabilityDepth(
      [0, 1, 2, 3].map(() => [3, 1, 0.5]),
      [0, 10, 30],
      10,
    ),
    20,
  );
  assert.equal(detectabilityDepth([[0.1, 0.1, 5]], [0, 10, 30], 10), 30);
  assert.equal(detectabilityDepth([[0.1, 0.1, 0.1]], [0, 10, 30], 10), 0);
  const times = logSpacedTimes(16, 2.5);
  const survey = centralLoop(times);
  const thickness = geometricThicknesses(16, 4, 400);
  const doiOf = (rho: number) => {
    const r = runLciForward({
      kind: "lci",
      forward: { kind: "em" },
      key: `doi-${rho}`,
      datasets: [{ survey, error: times.map(() => 1) }],
      top: null,
      thickness,
      logRho: new Array(16).fill(Math.log10(rho)),
      fdStep: 0.02,
    });
    // relative errors of 3 %: weight each datum by its own size
    const J = r.J!.map((row, d) => row.map((v) => v / (0.03 * Math.abs(r.pred[d]))));
    const t = [0];
    for (const h of thickness) t.push(t[t.length - 1] + h);
    return detectabilityDepth(J, t, 2);
  };
  const dc = doiOf(5),
    dr = doiOf(500);
  assert.ok(dr > 1.5 * dc, `DOI over 500 ohm-m ${dr} m vs 5 ohm-m ${dc} m`);
});

test("embedded run: results per sounding, threads give the in-process bytes, a rerun skips finished soundings", async () => {
  const spec = parseSurveySpec(line());
  const a = tmp(),
    b = tmp();
  const logs: string[] = [];
  const ra = await runSurvey(spec, { out: a, threads: 1, log: (s) => logs.push(s) });
  assert.ok(
    logs.some((l) => /5\/5 soundings done .*eta/.test(l)),
    logs.join("\n"),
  );
  await runSurvey(spec, { out: b, threads: 2 });
  for (const s of spec.soundings) {
    const fa = fs.readFileSync(path.join(a, "soundings", `${s.id}.json`), "utf8");
    assert.equal(fs.readFileSync(path.join(b, "soundings", `${s.id}.json`), "utf8"), fa, s.id);
    assert.equal(JSON.parse(fa).resistivity.misfit.rms, ra.soundings.find((x) => x.id === s.id)!.de.rms);
  }
  assert.deepEqual(
    fs.readdirSync(path.join(a, "soundings")).filter((f) => !f.endsWith(".json")),
    [],
  );
  const before = fs.statSync(path.join(a, "soundings", "s002.json")).mtimeMs;
  fs.unlinkSync(path.join(a, "soundings", "s003.json"));
  const again: string[] = [];
  const r2 = await runSurvey(spec, { out: a, threads: 1, log: (s) => again.push(s), lci: false });
  assert.ok(again[0].includes("4/5 soundings already finished"), again.join("\n"));
  assert.equal(r2.timing.computed, 1);
  assert.equal(fs.statSync(path.join(a, "soundings", "s002.json")).mtimeMs, before);
  assert.equal(r2.lci, null);
  // LCI section and figures
  assert.ok(ra.lci && ra.lci.rms < 2, `LCI rms ${ra.lci?.rms}`);
  const figs = sectionFigures(
    spec.soundings.map((s, i) => ({
      id: s.id,
      x: s.x,
      y: s.y,
      distance: ra.soundings[i].distance,
      de: ra.soundings[i].de.model,
      lci: ra.lciResult!.soundings[i].model,
      doi: ra.soundings[i].lci!.doi,
    })),
  );
  assert.equal((figs.section.data[0].x as number[]).length, 5);
  assert.ok(figs.section.data.some((t) => t.xaxis === "x2"));
});

test("CLI: survey invert writes the results and the section; bad input exits 2 naming the field", async () => {
  const dir = tmp();
  const f = path.join(dir, "s.json");
  const s = line();
  fs.writeFileSync(f, JSON.stringify(s));
  const out = path.join(dir, "out");
  const r = await cli(["survey", "invert", f, "--out", out, "--quiet"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.soundings, 5);
  assert.ok(fs.existsSync(path.join(out, "section.json")));
  assert.equal(fs.readdirSync(path.join(out, "soundings")).length, 5);
  const bad = clone(s);
  bad.soundings[2].depth = 1;
  fs.writeFileSync(f, JSON.stringify(bad));
  const r2 = await cli(["survey", "invert", f, "--out", out]);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /soundings\[2\]\.depth: unknown key/);
  const r3 = await cli(["survey", "invert", f]);
  assert.equal(r3.code, 2);
  assert.match(r3.err, /--out DIR is required/);
  const r4 = await cli(["worker", "--queue", "http://127.0.0.1:1"]);
  assert.equal(r4.code, 2);
  const r5 = await cli(["survey", "rankin", "--sites", "2,7"]);
  assert.equal(r5.code, 0);
  assert.equal(JSON.parse(r5.out).soundings.length, 2);
});

const withPosterior = (post: unknown, n = 3) => {
  const s = syntheticLine({ n, generations: 25, np: 16, lci: false }).survey as Record<string, unknown>;
  s.posterior = post;
  return s;
};

test("posterior block: validated as tem invert's (field named), part of each task and its hash, seeded per sounding", () => {
  for (const [post, re] of [
    [{ chians: 8 }, /^posterior\.chians: unknown key/],
    [{ chains: 2 }, /^posterior\.chains: expected an integer in \[3, 1000\], got 2/],
    [{ max_evaluations: 10 }, /^posterior\.max_evaluations: /],
    [{ rhat: 0.9 }, /^posterior\.rhat: /],
    [7, /^posterior: expected an object/],
  ] as [unknown, RegExp][]) {
    assert.throws(
      () => parseSurveySpec(withPosterior(post)),
      (e: Error) => e.name === "ValidationError" && re.test(e.message),
      re.source,
    );
  }
  const plain = soundingTasks(parseSurveySpec(withPosterior(undefined)));
  assert.equal(parseSurveySpec(withPosterior(false)).posterior, null);
  assert.ok(plain.every((t) => t.posterior === undefined));
  const a = soundingTasks(parseSurveySpec(withPosterior({ max_evaluations: 3000 })));
  // without posterior.seed each sounding samples with its DE seed; the hash covers the block
  assert.deepEqual(
    a.map((t) => t.posterior!.seed),
    a.map((t) => t.seed),
  );
  assert.ok(a.every((t, i) => t.hash !== plain[i].hash));
  const b = soundingTasks(parseSurveySpec(withPosterior({ max_evaluations: 4000 })));
  assert.ok(b.every((t, i) => t.hash !== a[i].hash));
  const c = soundingTasks(parseSurveySpec(withPosterior({ max_evaluations: 3000, seed: 5 })));
  assert.equal(new Set(c.map((t) => t.posterior!.seed)).size, c.length);
  assert.ok(c.every((t, i) => t.posterior!.seed !== a[i].posterior!.seed && t.seed === a[i].seed));
  assert.equal(parseSurveySpec(withPosterior(true)).posterior!.maxEvaluations, undefined);
});

test("a sounding with a posterior: the same bytes in this thread, via runTask on the task's JSON, and on a worker thread; no wall time in the file", async () => {
  const [t] = soundingTasks(parseSurveySpec(withPosterior({ max_evaluations: 2000, check_every: 20 })));
  const here = await invertSounding(t);
  const viaTask = (await runTask({ kind: "invert", task: JSON.parse(JSON.stringify(t)) })) as Awaited<
    ReturnType<typeof invertSounding>
  >;
  const threads = new SurveyThreads(1, { alwaysThreads: true });
  let onThread: Awaited<ReturnType<typeof invertSounding>>;
  try {
    onThread = (await threads.run({ kind: "invert", task: t })) as typeof here;
  } finally {
    await threads.close();
  }
  const p = here.result.posterior!;
  assert.ok(p, "the result carries the posterior");
  assert.ok(!("seconds" in p), "no sampler wall time in the result");
  assert.ok(
    p.evaluations >= 2000 && p.chains === 8 && p.parameters.length === 5,
    JSON.stringify({ e: p.evaluations, c: p.chains, n: p.parameters.length }),
  );
  assert.equal(resultText(viaTask.result), resultText(here.result));
  assert.equal(resultText(onThread.result), resultText(here.result));
  assert.ok(Number.isFinite(here.posteriorSeconds) && Number.isFinite(onThread.posteriorSeconds));
  // the sampler ran on the resistivity step's problem from this task's seed: another seed, another chain
  const other = await invertSounding({ ...t, posterior: { ...t.posterior, seed: t.posterior!.seed! + 1 } });
  assert.deepEqual(other.result.resistivity, here.result.resistivity);
  assert.notDeepEqual(other.result.posterior!.parameters, p.parameters);
});

test("the section summary carries each sounding's posterior width with depth, and the figure shades the DE panel by it", async () => {
  const spec = parseSurveySpec(withPosterior({ max_evaluations: 3000 }));
  const out = tmp();
  const r = await runSurvey(spec, { out, threads: 1, lci: false });
  assert.ok(r.timing.posteriorSeconds !== undefined);
  for (const s of r.soundings) {
    const file = JSON.parse(fs.readFileSync(path.join(out, "soundings", `${s.id}.json`), "utf8"));
    const sp = s.posterior!;
    const band = file.posterior.bands.rho0;
    assert.equal(sp.depth.length, band.depth.length);
    assert.equal(sp.rhatMax, file.posterior.rhat_max);
    assert.ok(sp.logRhoWidth.every((w: number) => w >= 0));
    // deepest band depth (1.5 x the 95 % deepest interface): nearly every draw is in its half-space,
    // so the width there is the half-space rho's 5-95 % interval in decades (from the pooled draws)
    const half = file.posterior.parameters.find(
      (q: { name: string; layer: number }) => q.name === "rho0" && q.layer === 2,
    );
    const expected = Math.log10(half.q95 / half.q05);
    const got = sp.logRhoWidth[sp.logRhoWidth.length - 1];
    assert.ok(
      Math.abs(got - expected) < 0.05 + 0.2 * expected,
      `${s.id}: width at ${sp.depth[sp.depth.length - 1]} m ${got} vs half-space interval ${expected}`,
    );
  }
  const cols = spec.soundings.map((s, i) => ({
    id: s.id,
    x: s.x,
    y: s.y,
    distance: r.soundings[i].distance,
    de: r.soundings[i].de.model,
    lci: null,
    doi: null,
    posterior: r.soundings[i].posterior,
  }));
  const f = sectionFigures(cols, { maxDepth: 150 }).section;
  const shade = f.data.find((t) => t.type === "heatmap" && String(t.name).includes("posterior"))!;
  assert.ok(shade, "a posterior-width heatmap over the DE panel");
  assert.match(String((f.layout!.title as { text: string }).text), /posterior 5-95 % width/);
  // the shading at depth 0 is each column's width at the surface, capped at 1 decade
  const z = shade.z as (number | null)[][];
  r.soundings.forEach((s, i) => assert.ok(Math.abs(z[0][i]! - Math.min(1, s.posterior!.logRhoWidth[0])) < 1e-3));
  // without posteriors nothing changes: no width trace
  assert.ok(
    !sectionFigures(cols.map((c) => ({ ...c, posterior: null }))).section.data.some((t) =>
      String(t.name).includes("posterior"),
    ),
  );
});
