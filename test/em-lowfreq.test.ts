/**
 * Low base frequencies and long pulse histories (issue "Reliability", item 9): bipolar half-duty
 * repetitions at 1-1000 Hz with 200 pulses, on permafrost-like earths (resistive top and basement,
 * conductive polarisable layers between, and one 2e4 ohm-m top layer), dBz/dt at a 100 m loop's
 * centre, from 10 us to 0.2 T. The defaults and FAST_OPTIONS are held to CONVERGED_OPTIONS, and
 * CONVERGED_OPTIONS to a finer setting (twice its frequency lattice density, 12-point time and
 * wavenumber interpolation, 100x its highest lattice frequency, a 10x lower frequency floor, more
 * ramp and source quadrature points; measured agreement 5e-8 or better), so the
 * yardstick is itself checked. The lattice's former fixed high-frequency cut (1e8 rad/s; now
 * omegaMaxOffset = 0 restores it) misses, which shows the comparison can fail. Then the pulse sum
 * itself: the sampled history of up to 100000 pulses (the documented maximum) against the
 * README's sum done here term by term on a closed-form S(t), in bounded memory.
 * docs/EM_ACCURACY.md has the numbers behind the tolerances.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import {
  compileSurvey,
  CONVERGED_OPTIONS,
  DEFAULT_OPTIONS,
  FAST_OPTIONS,
  forward,
  ForwardOptions,
  parseEarthModel,
  parseSurvey,
  referenceError,
} from "../src/em";
import { waveformSamples } from "../src/em/internal";

const SHARED = path.join(__dirname, "..", "..", "shared", "reference", "tem");

const MODELS = {
  // permafrost4_loop_3hz's earth: two polarisable layers (c 0.6 and 0.4) between resistive ones
  perm4: {
    thickness: [8, 40, 100],
    rho0: [3000, 60, 20, 5000],
    m: [0, 0.1, 0.3, 0],
    tau: [1e-3, 5e-4, 2e-3, 1e-3],
    c: [0.5, 0.6, 0.4, 0.5],
  },
  // permafrost_loop_3hz_ip's earth: a broad IP spectrum (c 0.35) over very resistive ground
  permip: {
    thickness: [10, 50, 120],
    rho0: [2500, 80, 25, 6000],
    m: [0, 0.15, 0.35, 0],
    tau: [1e-3, 1e-3, 3e-3, 1e-3],
    c: [0.5, 0.5, 0.35, 0.5],
  },
  // a 2e4 ohm-m top layer (ice-rich permafrost) over a polarisable conductor
  res: { thickness: [15, 60], rho0: [20000, 300, 10000], m: [0, 0.2, 0], tau: [1e-3, 3e-3, 1e-3], c: [0.5, 0.5, 0.5] },
};
const FREQS = [1, 3, 10, 30, 100, 300, 1000];
const square = [
  [-50, -50],
  [50, -50],
  [50, 50],
  [-50, 50],
];

function survey(f: number, pulses = 200) {
  const tmax = 0.2 / f;
  return {
    source: { type: "loop", points: square, current: 1 },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times: Array.from({ length: 16 }, (_, i) => 1e-5 * Math.pow(tmax / 1e-5, i / 15)),
    waveform: {
      type: "linear_ramp_off",
      ramp: 5e-6,
      repetition: { type: "bipolar_half_duty", base_frequency: f, pulses },
    },
  };
}

/** Finer than CONVERGED_OPTIONS in every numerical setting of the time transform. */
const FINER: ForwardOptions = {
  ...CONVERGED_OPTIONS,
  quadPoints: 91,
  lambdaOrder: 12,
  lagSubdivision: 8,
  timeOrder: 12,
  omegaMaxOffset: 1e15,
  omegaMaxAbs: 1e10,
  omegaMinDamping: 0.01,
  rampPoints: 64,
};
/** The lattice as it was before the fix: cut at max(300 / t_min, 1e8 rad/s) whatever the geometry. */
const OLD_CUT: ForwardOptions = { omegaMaxOffset: 0 };

const run = (f: number, model: keyof typeof MODELS, o?: ForwardOptions) =>
  forward(compileSurvey(survey(f), o), parseEarthModel(MODELS[model])).time_off!;
const err = (a: ArrayLike<number>, b: ArrayLike<number>) => referenceError(a, b).err;

// converged responses, computed once for all tests
const conv = new Map<string, Float64Array>();
const converged = (f: number, model: keyof typeof MODELS) => {
  const k = `${model}@${f}`;
  if (!conv.has(k)) conv.set(k, run(f, model, CONVERGED_OPTIONS));
  return conv.get(k)!;
};

for (const model of Object.keys(MODELS) as (keyof typeof MODELS)[]) {
  test(`${model}: defaults and FAST_OPTIONS within 1e-3 of CONVERGED_OPTIONS at 1-1000 Hz, 200 pulses`, () => {
    const worst = { def: 0, fast: 0 };
    for (const f of FREQS) {
      const c = converged(f, model);
      const ed = err(run(f, model), c);
      const ef = err(run(f, model, FAST_OPTIONS), c);
      assert.ok(ed < 1e-3, `${model} ${f} Hz: defaults ${ed.toExponential(2)} from CONVERGED_OPTIONS`);
      assert.ok(ef < 1e-3, `${model} ${f} Hz: FAST_OPTIONS ${ef.toExponential(2)} from CONVERGED_OPTIONS`);
      worst.def = Math.max(worst.def, ed);
      worst.fast = Math.max(worst.fast, ef);
    }
    // the defaults are meant to be far better than the 1e-3 allowance (measured: under 1e-6)
    assert.ok(worst.def < 1e-4, `${model}: defaults up to ${worst.def.toExponential(2)}`);
  });
}

test("the yardstick converges: CONVERGED_OPTIONS within 1e-4 of a finer setting (lattice, interpolation, frequency range, quadrature)", () => {
  for (const model of Object.keys(MODELS) as (keyof typeof MODELS)[]) {
    for (const f of [1, 30, 1000]) {
      const e = err(converged(f, model), run(f, model, FINER));
      assert.ok(e < 1e-4, `${model} ${f} Hz: CONVERGED_OPTIONS ${e.toExponential(2)} from the finer setting`);
    }
  }
});

test("the comparison can fail: the former fixed 1e8 rad/s lattice cut misses by more than 1e-3 on the resistive top layer", () => {
  let misses = 0;
  for (const f of FREQS) if (err(run(f, "res", OLD_CUT), converged(f, "res")) > 1e-3) misses++;
  assert.ok(misses >= 5, `the old cut missed at only ${misses} of ${FREQS.length} base frequencies`);
  // and the cut is what differs: restoring it on CONVERGED_OPTIONS misses as well
  assert.ok(err(run(3, "res", { ...CONVERGED_OPTIONS, ...OLD_CUT }), converged(3, "res")) > 1e-3);
});

test("the 3 Hz reference cases: defaults, FAST_OPTIONS and CONVERGED_OPTIONS within 1e-3 (skipped without ../shared)", (t) => {
  const names = ["permafrost4_loop_3hz", "permafrost_loop_3hz", "permafrost_loop_3hz_ip"];
  if (!names.every((n) => fs.existsSync(path.join(SHARED, `${n}.json`)))) {
    t.skip("../shared/reference/tem not present");
    return;
  }
  for (const n of names) {
    const c = JSON.parse(fs.readFileSync(path.join(SHARED, `${n}.json`), "utf8"));
    const m = parseEarthModel(c.model);
    for (const [name, o, tol] of [
      ["defaults", undefined, 1e-4],
      ["FAST_OPTIONS", FAST_OPTIONS, 1e-3],
      ["CONVERGED_OPTIONS", CONVERGED_OPTIONS, 1e-4],
    ] as const) {
      const e = err(forward(compileSurvey(c, o), m).time_off!, c.outputs.time_off);
      assert.ok(e < tol, `${n} with ${name}: ${e.toExponential(2)} > ${tol}`);
    }
    // the case that exposed the cut: the former lattice misses it
    if (n === "permafrost4_loop_3hz")
      assert.ok(err(forward(compileSurvey(c, OLD_CUT), m).time_off!, c.outputs.time_off) > 1e-3);
  }
});

/**
 * The README's value at time t, summed term by term: sum_n (-1)^n [R(t + nT/2) - S(t + nT/2 + T/4)],
 * R(a) = (1/r) int_a^{a+r} S = (P(a + r) - P(a)) / r with P an antiderivative of S (closed form).
 */
function directSum(
  S: (t: number) => number,
  P: (t: number) => number,
  t: number,
  f: number,
  N: number,
  ramp: number,
): number {
  const T = 1 / f;
  let v = 0;
  for (let n = 0; n < N; n++) {
    const a = t + (n * T) / 2;
    v += (n % 2 === 0 ? 1 : -1) * ((P(a + ramp) - P(a)) / ramp - S(a + T / 4));
  }
  return v;
}

test("the pulse sum: up to 100000 pulses agree with the term-by-term sum on closed-form responses", () => {
  // step-off responses S(t) = t^-a (a power-law IP tail decays like t^-(1+c)), a sign-reversing
  // one, with antiderivatives
  const pw = (a: number, k = 1) =>
    [(t: number) => k * Math.pow(t, -a), (t: number) => (k * Math.pow(t, 1 - a)) / (1 - a)] as const;
  const shapes: [string, (t: number) => number, (t: number) => number][] = [
    ["t^-1.2", ...pw(1.2)],
    ["t^-2.5", ...pw(2.5)],
    ["sign reversal", (t) => pw(2.5)[0](t) + pw(1.3, -30)[0](t), (t) => pw(2.5)[1](t) + pw(1.3, -30)[1](t)],
  ];
  const o = { ...DEFAULT_OPTIONS };
  for (const f of [3, 1000]) {
    for (const N of [7, 513, 100000]) {
      const s = parseSurvey(survey(f, N));
      const samples = waveformSamples(s, o);
      for (const [name, S, P] of shapes) {
        const got = new Float64Array(s.times!.length);
        for (const x of samples) got[x.row] += x.weight * S(x.tau);
        const want = s.times!.map((t) => directSum(S, P, t, f, N, 5e-6));
        const e = err(got, want);
        assert.ok(e < 1e-8, `${name} at ${f} Hz, ${N} pulses: ${e.toExponential(2)}`);
      }
    }
  }
  // the tail matters at this tolerance: stopping the sum at 512 pulses of 100000 is 1.9e-7 off
  const [, S, P] = shapes[0];
  const late = 0.2 / 1000;
  const cut =
    (directSum(S, P, late, 1000, 512, 5e-6) - directSum(S, P, late, 1000, 100000, 5e-6)) /
    directSum(S, P, late, 1000, 100000, 5e-6);
  assert.ok(Math.abs(cut) > 1e-7, `truncation ${cut}`);
});

test(
  "the pulse history costs O(1) memory: 100000 pulses (the documented maximum) sample like 1000 and run",
  { timeout: 120_000 },
  () => {
    const o = { ...DEFAULT_OPTIONS };
    const n1 = waveformSamples(parseSurvey(survey(3, 1000)), o).length;
    const n2 = waveformSamples(parseSurvey(survey(3, 100000)), o).length;
    assert.equal(n2, n1);
    // with box-car gates and the converged setting's 48 x 48 ramp and gate points (the case that
    // exhausted a 5 GB heap before): the heap grows by far less than a gigabyte
    const s = {
      ...survey(1, 100000),
      times: undefined,
      gates: [
        [1e-4, 2e-4],
        [1e-2, 2e-2],
        [0.1, 0.15],
      ],
    };
    const before = process.memoryUsage().heapUsed;
    const plan = compileSurvey(s, CONVERGED_OPTIONS);
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 300e6, `heap grew by ${(grown / 1e6).toFixed(0)} MB`);
    const r = forward(plan, parseEarthModel(MODELS.perm4)).time_off!;
    assert.ok(r.every((v) => Number.isFinite(v)));
    // the history beyond 200 pulses (67 s at 3 Hz) changes the late gate little: within 1e-3
    const r200 = forward(
      compileSurvey({ ...s, waveform: survey(1, 200).waveform }, CONVERGED_OPTIONS),
      parseEarthModel(MODELS.perm4),
    ).time_off!;
    assert.ok(err(r, r200) < 1e-3);
  },
);

test("pulses beyond the documented maximum are refused with the field named", () => {
  assert.throws(
    () => parseSurvey(survey(3, 100001)),
    (e: Error) =>
      e.name === "ValidationError" && /waveform\.repetition\.pulses/.test(e.message) && /1\.\.100000/.test(e.message),
  );
});
