/**
 * The EM forward engine against the independent reference cases (empymod 2.6.0; format and
 * error metric in ../shared/reference/tem/README.md), through the library and the CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  broadsideWireSurvey,
  centralLoopSurvey,
  compileSurvey,
  forward,
  forwardMany,
  parseEarthModel,
  parseSurvey,
  EarthModel,
  referenceError,
  squareLoopPoints,
} from "../src/em";
import { main } from "../src/cli/main";

const FIXTURES = path.join(__dirname, "fixtures", "tem-reference");
const SHARED = path.join(__dirname, "..", "..", "shared", "reference", "tem");

interface RefCase {
  name: string;
  model: unknown;
  times?: number[];
  frequencies?: number[];
  outputs: { time_off?: number[]; freq?: { re: number[]; im: number[] } };
  precision?: { estimated_max_err?: Record<string, number>; fourier_filter_spread?: Record<string, number> };
}

/** The README's allowance: 1e-3, or 3x estimated_max_err, or 1.2x fourier_filter_spread, at most 3e-3. */
function allowance(c: RefCase, key: string): number {
  const est = c.precision?.estimated_max_err?.[key] ?? 0;
  const spread = c.precision?.fourier_filter_spread?.[key] ?? 0;
  return Math.min(3e-3, Math.max(1e-3, 3 * est, 1.2 * spread));
}

function loadCases(): Map<string, { file: string; c: RefCase }> {
  const cases = new Map<string, { file: string; c: RefCase }>();
  for (const dir of [FIXTURES, SHARED]) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith(".json"))
      .sort()) {
      const file = path.join(dir, f);
      cases.set(f, { file, c: JSON.parse(fs.readFileSync(file, "utf8")) as RefCase });
    }
  }
  return cases;
}

const cases = loadCases();

test("the reference fixtures are present (and equal the shared copies when ../shared exists)", () => {
  const fixtures = fs.readdirSync(FIXTURES).filter((x) => x.endsWith(".json"));
  assert.ok(fixtures.length >= 12, `only ${fixtures.length} fixture cases`);
  if (fs.existsSync(SHARED)) {
    for (const f of fixtures) {
      const s = path.join(SHARED, f);
      if (fs.existsSync(s))
        assert.equal(
          fs.readFileSync(path.join(FIXTURES, f), "utf8"),
          fs.readFileSync(s, "utf8"),
          `${f} differs from ${s}`,
        );
    }
  }
});

for (const [name, { c }] of cases) {
  test(`reference case ${name}: every value within the README's allowance`, () => {
    const plan = compileSurvey(c);
    const r = forward(plan, parseEarthModel(c.model));
    let checked = 0;
    if (c.outputs.time_off) {
      assert.ok(r.time_off, "time_off missing");
      assert.equal(r.time_off.length, c.outputs.time_off.length);
      const { err, at } = referenceError(r.time_off, c.outputs.time_off);
      const tol = allowance(c, "time_off");
      assert.ok(
        err <= tol,
        `${name} time_off: error ${err.toExponential(2)} at index ${at} (t = ${c.times?.[at]}) > ${tol}`,
      );
      checked++;
    }
    if (c.outputs.freq) {
      assert.ok(r.freq, "freq missing");
      const tol = allowance(c, "freq");
      for (const part of ["re", "im"] as const) {
        const { err, at } = referenceError(r.freq[part], c.outputs.freq[part]);
        assert.ok(
          err <= tol,
          `${name} freq.${part}: error ${err.toExponential(2)} at index ${at} (f = ${c.frequencies?.[at]}) > ${tol}`,
        );
      }
      checked++;
    }
    assert.ok(checked > 0, "case has no outputs to check");
  });
}

test("referenceError: neighbours and the 1e-6 floor set the denominator; lengths must match", () => {
  // near a sign change the neighbours (|1|) set the scale, not the tiny value itself
  assert.deepEqual(referenceError([1, 0, 1], [1, -1e-3, 1]), { err: 1e-3, at: 1 });
  // far below the peak the floor 1e-6 * max|ref| does
  const r = referenceError([1e3, 1e-9, 1e-9, 2e-9], [1e3, 1e-9, 1e-9, 1e-9]);
  assert.equal(r.at, 3);
  assert.ok(Math.abs(r.err - 1e-9 / 1e-3) < 1e-15);
  assert.throws(() => referenceError([1, 2], [1]), /2 test values against 1 reference/);
});

test("the metric can fail: a 0.5 % perturbation of a reference transient is caught", () => {
  const { c } = cases.get("h3_ip_top_wire.json")!;
  const ref = c.outputs.time_off!;
  assert.ok(
    referenceError(
      ref.map((v) => v * 1.005),
      ref,
    ).err > 1e-3,
  );
  assert.equal(referenceError(ref, ref).err, 0);
});

test("geoinv tem forward prints {outputs} matching the reference and nothing else", async () => {
  const { file, c } = cases.get("h3_ip_middle_wire.json")!;
  let out = "";
  let err = "";
  const code = await main(["tem", "forward", file], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  assert.equal(code, 0, err);
  assert.equal(err, "");
  const j = JSON.parse(out) as { outputs: { time_off: number[]; freq: { re: number[]; im: number[] } } };
  assert.deepEqual(Object.keys(j), ["outputs"]);
  assert.ok(referenceError(j.outputs.time_off, c.outputs.time_off!).err < 1e-3);
  assert.ok(referenceError(j.outputs.freq.im, c.outputs.freq!.im).err < 1e-3);
});

test("geoinv tem forward: bad input gives a message on stderr and exit code 2", async () => {
  const { c } = cases.get("hs_wire_broadside.json")!;
  const bad = JSON.parse(JSON.stringify(c)) as { model: { m: number[] } };
  bad.model.m[0] = 1.2;
  const tmp = path.join(os.tmpdir(), `geoinv-em-bad-${process.pid}.json`);
  fs.writeFileSync(tmp, JSON.stringify(bad));
  try {
    let out = "";
    let err = "";
    const code = await main(["tem", "forward", tmp], { stdout: (s) => (out += s), stderr: (s) => (err += s) });
    assert.equal(code, 2);
    assert.equal(out, "");
    assert.match(err, /model\.m\[0\].*1\.2.*0 <= m < 1/);
    const code2 = await main(["tem", "forward", tmp + ".missing"], {
      stdout: () => undefined,
      stderr: () => undefined,
    });
    assert.equal(code2, 2);
  } finally {
    fs.unlinkSync(tmp);
  }
});

test("forwardMany equals forward model by model; a plan rebuilt from its survey and options gives the same numbers", () => {
  const { c } = cases.get("l10_ip2_wire.json")!;
  const plan = compileSurvey(c);
  const base = parseEarthModel(c.model);
  const models: EarthModel[] = [0.5, 1, 2].map((f) => ({ ...base, rho0: base.rho0.map((r) => r * f) }));
  const many = forwardMany(plan, models);
  const rebuilt = compileSurvey(JSON.parse(JSON.stringify(plan.survey)), JSON.parse(JSON.stringify(plan.options)));
  models.forEach((m, i) => {
    const one = forward(rebuilt, m);
    assert.deepEqual(Array.from(many[i].time_off!), Array.from(one.time_off!));
    assert.deepEqual(Array.from(many[i].freq!.re), Array.from(one.freq!.re));
  });
  // different models give different transients (the population is not aliased)
  assert.notDeepEqual(Array.from(many[0].time_off!), Array.from(many[2].time_off!));
});

test("survey layouts: the central loop and the broadside wire are the surveys written out by hand, and valid", () => {
  const times = [1e-5, 1e-4, 1e-3];
  assert.deepEqual(squareLoopPoints(40), [
    [-20, -20],
    [20, -20],
    [20, 20],
    [-20, 20],
  ]);
  const loop = centralLoopSurvey(100, times);
  assert.deepEqual(loop, {
    source: {
      type: "loop",
      points: [
        [-50, -50],
        [50, -50],
        [50, 50],
        [-50, 50],
      ],
      current: 1,
    },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times,
  });
  const wire = broadsideWireSurvey(1000, 500, times);
  assert.deepEqual(wire, {
    source: {
      type: "wire",
      points: [
        [-500, 0],
        [500, 0],
      ],
      current: 1,
    },
    receiver: { type: "point", position: [0, 500], component: "Ex" },
    times,
  });
  // the key order is the hand-written one too (a config hash or a written survey reads it)
  assert.equal(JSON.stringify(Object.keys(loop)), JSON.stringify(["source", "receiver", "times"]));
  assert.deepEqual(parseSurvey(loop).source.points, loop.source.points);
  assert.equal(parseSurvey(wire).receiver.type, "point");
});
