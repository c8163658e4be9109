/**
 * The EM engine against closed forms and physical properties: half-space transients (erf forms,
 * Ward & Hohmann 1988), DC and late-time limits, reciprocity, m = 0, identical layers, polygon
 * vs circular loop, loop orientation, linearity, waveform limits and gates.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  coleCole,
  coleColeSigma,
  compileSurvey,
  EarthModel,
  forward,
  modelFromSigma,
  modelToSigma,
  peltonToSigma,
  sigmaToPelton,
  Survey,
} from "../src/em";
import { gaussLegendre, MU0 } from "../src/em/internal";
import { broadsideWire, centralLoop } from "./support/fixtures";

/** erf to ~1e-15: Taylor series below 2.5, continued fraction for erfc above. */
function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = x;
  for (let n = 60; n >= 1; n--) f = x + n / 2 / f;
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.max(Math.abs(b[i - 1] ?? 0), Math.abs(b[i]), Math.abs(b[i + 1] ?? 0));
    m = Math.max(m, Math.abs(a[i] - b[i]) / d);
  }
  return m;
}

const logTimes = (t0: number, t1: number, n: number) =>
  Array.from({ length: n }, (_, i) => t0 * Math.pow(t1 / t0, i / (n - 1)));
const halfSpace = (rho: number): EarthModel => ({ thickness: [], rho0: [rho], m: [0], tau: [1e-3], c: [0.5] });
const H3: EarthModel = {
  thickness: [200, 300],
  rho0: [100, 20, 200],
  m: [0, 0.3, 0],
  tau: [1e-3, 5e-3, 1e-3],
  c: [0.5, 0.5, 0.5],
};

/**
 * Step-off of the horizontal field along c of a wire on a half-space, closed form:
 * E(t) = (rho I / 2 pi) int (t.c) [erf(thR) - (2 thR / sqrt(pi)) exp(-th^2 R^2)] / R^3 ds,
 * th = sqrt(mu0 sigma / 4t) (the TE part; the galvanic part has no transient for t > 0).
 */
function hsWireStepOff(
  points: [number, number][],
  rec: [number, number],
  c: [number, number],
  rho: number,
  t: number,
): number {
  const g = gaussLegendre(200);
  const th = Math.sqrt(MU0 / rho / (4 * t));
  let s = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]];
    const L = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const tx = (b[0] - a[0]) / L;
    const ty = (b[1] - a[1]) / L;
    for (let i = 0; i < g.x.length; i++) {
      const x = (a[0] + b[0]) / 2 + (g.x[i] * L * tx) / 2;
      const y = (a[1] + b[1]) / 2 + (g.x[i] * L * ty) / 2;
      const R = Math.hypot(rec[0] - x, rec[1] - y);
      const u = th * R;
      s +=
        (((g.w[i] * L) / 2) * (tx * c[0] + ty * c[1]) * (erf(u) - ((2 * u) / Math.sqrt(Math.PI)) * Math.exp(-u * u))) /
        (R * R * R);
    }
  }
  return (rho / (2 * Math.PI)) * s;
}

/**
 * Central circular loop on a half-space, step-off dBz/dt (Ward & Hohmann 1988): -(I/(sigma a^3)) [3
 * erf(u) - (2u/sqrt(pi))(3 + 2u^2) e^{-u^2}], u = th a.
 */
function circleCentral(a: number, rho: number, I: number, t: number): number {
  const u = Math.sqrt(MU0 / rho / (4 * t)) * a;
  return (
    -((I * rho) / (a * a * a)) * (3 * erf(u) - ((2 * u) / Math.sqrt(Math.PI)) * (3 + 2 * u * u) * Math.exp(-u * u))
  );
}

const polygon = (n: number, r: number, clockwise = false): [number, number][] =>
  Array.from({ length: n }, (_, i) => {
    const p = ((clockwise ? -1 : 1) * 2 * Math.PI * i) / n;
    return [r * Math.cos(p), r * Math.sin(p)] as [number, number];
  });

test("half-space, grounded wire broadside: Ex step-off equals the erf closed form from 1e-5 s to 1 s", () => {
  const times = logTimes(1e-5, 1, 31);
  const pts: [number, number][] = [
    [-500, 0],
    [500, 0],
  ];
  const s: Survey = {
    source: { type: "wire", points: pts, current: 1 },
    receiver: { type: "point", position: [0, 500], component: "Ex" },
    times,
  };
  const r = forward(compileSurvey(s, { electricDepth: 0 }), halfSpace(100));
  const cf = times.map((t) => hsWireStepOff(pts, [0, 500], [1, 0], 100, t));
  assert.ok(maxRel(r.time_off!, cf) < 3e-4, `max rel err ${maxRel(r.time_off!, cf)}`);
  // early time: (rho I / 2 pi) 2L / (d^2 sqrt(L^2 + d^2)) = 9.0032e-5 V/m
  assert.ok(Math.abs(cf[0] / (((100 / (2 * Math.PI)) * 1000) / (250000 * Math.hypot(500, 500))) - 1) < 1e-3);
});

test("half-space, late time: Ex follows (rho I / 2 pi) (4 / 3 sqrt(pi)) (mu0 sigma / 4t)^(3/2) times the wire length", () => {
  const times = [0.3, 1, 3];
  const s = broadsideWire(times);
  const r = forward(compileSurvey(s, { electricDepth: 0 }), halfSpace(100));
  times.forEach((t, i) => {
    const asym = (100 / (2 * Math.PI)) * (4 / (3 * Math.sqrt(Math.PI))) * Math.pow(MU0 / 100 / (4 * t), 1.5) * 1000;
    const u = Math.sqrt(MU0 / 100 / (4 * t)) * 707; // next order is (th R)^2
    assert.ok(Math.abs(r.time_off![i] / asym - 1) < 2 * u * u + 1e-3, `t=${t}: ${r.time_off![i]} vs ${asym}`);
  });
});

test("half-space, bent oblique wire with an Ey receiver and an MN dipole: closed form", () => {
  const pts: [number, number][] = [
    [-300, -100],
    [100, 50],
    [400, 350],
  ];
  const times = logTimes(3e-5, 0.3, 19);
  const ey = forward(
    compileSurvey(
      {
        source: { type: "wire", points: pts, current: 2 },
        receiver: { type: "point", position: [50, 400], component: "Ey" },
        times,
      },
      { electricDepth: 0 },
    ),
    halfSpace(50),
  );
  const cfy = times.map((t) => 2 * hsWireStepOff(pts, [50, 400], [0, 1], 50, t));
  assert.ok(maxRel(ey.time_off!, cfy) < 3e-4, `Ey: ${maxRel(ey.time_off!, cfy)}`);
  // MN dipole: the mean of E along M->N
  const M: [number, number] = [-200, 300];
  const N: [number, number] = [-120, 360];
  const mn = forward(
    compileSurvey(
      {
        source: { type: "wire", points: pts, current: 1 },
        receiver: { type: "dipole", points: [M, N], component: "E" },
        times,
      },
      { electricDepth: 0 },
    ),
    halfSpace(50),
  );
  const L = Math.hypot(N[0] - M[0], N[1] - M[1]);
  const c: [number, number] = [(N[0] - M[0]) / L, (N[1] - M[1]) / L];
  const g = gaussLegendre(16);
  const cfmn = times.map((t) => {
    let s = 0;
    for (let i = 0; i < 16; i++) {
      const f = (g.x[i] + 1) / 2;
      s += (g.w[i] / 2) * hsWireStepOff(pts, [M[0] + f * (N[0] - M[0]), M[1] + f * (N[1] - M[1])], c, 50, t);
    }
    return s;
  });
  assert.ok(maxRel(mn.time_off!, cfmn) < 3e-4, `MN: ${maxRel(mn.time_off!, cfmn)}`);
});

test("DC limit: the frequency response at 1e-5 Hz equals the point-source potentials of the grounding points", () => {
  const A: [number, number] = [-400, 100];
  const B: [number, number] = [300, -50];
  const rec: [number, number] = [100, 300];
  const r = forward(
    compileSurvey(
      {
        source: { type: "wire", points: [A, B], current: 1.5 },
        receiver: { type: "point", position: rec, component: "Ex" },
        frequencies: [1e-5],
      },
      { electricDepth: 0 },
    ),
    halfSpace(80),
  );
  // E = (rho I / 2 pi) [ (r - B)/|r - B|^3 - (r - A)/|r - A|^3 ] . x
  const term = (p: [number, number]) => (rec[0] - p[0]) / Math.pow(Math.hypot(rec[0] - p[0], rec[1] - p[1]), 3);
  const dc = ((80 * 1.5) / (2 * Math.PI)) * (term(B) - term(A));
  assert.ok(Math.abs(r.freq!.re[0] / dc - 1) < 1e-5, `${r.freq!.re[0]} vs ${dc}`);
  assert.ok(Math.abs(r.freq!.im[0]) < 1e-4 * Math.abs(dc));
});

test("a 128-sided loop equals the circular central loop of Ward & Hohmann on a half-space; clockwise flips the sign", () => {
  const times = logTimes(1e-5, 1e-2, 25);
  const a = 60;
  const mk = (cw: boolean): Survey => ({
    source: { type: "loop", points: polygon(128, a, cw), current: 3 },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times,
  });
  const r = forward(compileSurvey(mk(false)), halfSpace(100));
  const cf = times.map((t) => circleCentral(a, 100, 3, t));
  assert.ok(cf[0] < 0 && r.time_off![0] < 0, "anticlockwise step-off dBz/dt is negative (z up)");
  assert.ok(maxRel(r.time_off!, cf) < 1e-3, `max rel err ${maxRel(r.time_off!, cf)}`);
  const cw = forward(compileSurvey(mk(true)), halfSpace(100));
  assert.ok(
    maxRel(
      cw.time_off!.map((v) => -v),
      r.time_off!,
    ) < 1e-9,
  );
});

test("layered earth: a 96-sided loop equals a 192-sided one, inside and outside the loop", () => {
  const times = logTimes(1e-5, 1e-2, 16);
  for (const pos of [
    [10, -20],
    [150, 40],
  ] as [number, number][]) {
    const run = (n: number) =>
      forward(
        compileSurvey({
          source: { type: "loop", points: polygon(n, 80), current: 1 },
          receiver: { type: "point", position: pos, component: "dBz/dt" },
          times,
        }),
        H3,
      ).time_off!;
    const e = maxRel(run(96), run(192));
    assert.ok(e < 1e-3, `receiver ${pos}: ${e}`);
  }
});

test("reciprocity: wire AB into dipole MN equals wire MN into dipole AB (IP earth, time and frequency)", () => {
  const A: [number, number] = [-500, 0];
  const B: [number, number] = [500, 0];
  const M: [number, number] = [-200, 600];
  const N: [number, number] = [100, 750];
  const times = logTimes(1e-4, 0.3, 12);
  const frequencies = [0.1, 10, 1000];
  const ab = forward(
    compileSurvey({
      source: { type: "wire", points: [A, B], current: 1 },
      receiver: { type: "dipole", points: [M, N], component: "E" },
      times,
      frequencies,
    }),
    H3,
  );
  const mn = forward(
    compileSurvey({
      source: { type: "wire", points: [M, N], current: 1 },
      receiver: { type: "dipole", points: [A, B], component: "E" },
      times,
      frequencies,
    }),
    H3,
  );
  const lab = Math.hypot(B[0] - A[0], B[1] - A[1]);
  const lmn = Math.hypot(N[0] - M[0], N[1] - M[1]);
  // V_MN(I in AB) = V_AB(I in MN): |MN| E_mean(MN) = |AB| E_mean(AB)
  // (the two directions use different offsets, so they differ by the wavenumber interpolation, ~1e-5)
  assert.ok(
    maxRel(
      Array.from(ab.time_off!, (v) => v * lmn),
      Array.from(mn.time_off!, (v) => v * lab),
    ) < 2e-4,
  );
  assert.ok(
    maxRel(
      Array.from(ab.freq!.re, (v) => v * lmn),
      Array.from(mn.freq!.re, (v) => v * lab),
    ) < 1e-4,
  );
  assert.ok(
    maxRel(
      Array.from(ab.freq!.im, (v) => v * lmn),
      Array.from(mn.freq!.im, (v) => v * lab),
    ) < 1e-4,
  );
});

test("m = 0 is the non-IP model: tau and c do not matter, and a vanishing m converges to it", () => {
  const s = broadsideWire(logTimes(1e-5, 1, 16));
  const plan = compileSurvey(s);
  const noip: EarthModel = { ...H3, m: [0, 0, 0] };
  const a = forward(plan, noip).time_off!;
  const b = forward(plan, { ...noip, tau: [5, 1e-6, 0.1], c: [0.1, 1, 0.3] }).time_off!;
  assert.deepEqual(Array.from(a), Array.from(b));
  const tiny = forward(plan, { ...noip, m: [0, 1e-9, 0] }).time_off!;
  assert.ok(maxRel(tiny, a) < 1e-6);
  const ip = forward(plan, H3).time_off!;
  assert.ok(maxRel(ip, a) > 1e-2, "m = 0.3 in layer 2 changes the transient");
});

test("three identical layers are the half-space; the response is linear in the current and flips with the wire", () => {
  const s = (I: number, flip: boolean): Survey => ({
    source: {
      type: "wire",
      points: flip
        ? [
            [400, 0],
            [-400, 0],
          ]
        : [
            [-400, 0],
            [400, 0],
          ],
      current: I,
    },
    receiver: { type: "point", position: [100, 350], component: "Ex" },
    times: logTimes(1e-5, 0.1, 13),
    frequencies: [1, 100],
  });
  const hs = forward(compileSurvey(s(1, false)), halfSpace(70));
  const layered = forward(compileSurvey(s(1, false)), {
    thickness: [30, 120],
    rho0: [70, 70, 70],
    m: [0, 0, 0],
    tau: [1, 1, 1],
    c: [1, 1, 1],
  });
  assert.ok(maxRel(layered.time_off!, hs.time_off!) < 1e-6);
  assert.ok(maxRel(layered.freq!.im, hs.freq!.im) < 1e-6);
  const twice = forward(compileSurvey(s(2, false)), halfSpace(70));
  assert.ok(
    maxRel(
      twice.time_off!,
      Array.from(hs.time_off!, (v) => 2 * v),
    ) < 1e-12,
  );
  const flipped = forward(compileSurvey(s(1, true)), halfSpace(70));
  assert.ok(
    maxRel(
      flipped.time_off!,
      Array.from(hs.time_off!, (v) => -v),
    ) < 1e-9,
  );
});

test("waveforms: a 1 ns ramp is the step; a ramp is the mean of the step over [t, t+r]; gates are box-car means", () => {
  const times = logTimes(2e-5, 5e-3, 10);
  const base = centralLoop(times);
  const model: EarthModel = { thickness: [20], rho0: [300, 30], m: [0, 0], tau: [1, 1], c: [1, 1] };
  const step = forward(compileSurvey(base), model).time_off!;
  const tiny = forward(compileSurvey({ ...base, waveform: { type: "linear_ramp_off", ramp: 1e-9 } }), model).time_off!;
  assert.ok(maxRel(tiny, step) < 1e-4);
  // ramp mean from a fine step-off curve by 64-point quadrature
  const r = 1e-5;
  const ramped = forward(compileSurvey({ ...base, waveform: { type: "linear_ramp_off", ramp: r } }), model).time_off!;
  const g = gaussLegendre(64);
  const fineT: number[] = [];
  for (const t of times) for (let i = 0; i < 64; i++) fineT.push(t + (r * (g.x[i] + 1)) / 2);
  const fineS = forward(compileSurvey({ ...base, times: fineT.slice().sort((x, y) => x - y) }), model).time_off!;
  const sorted = fineT.slice().sort((x, y) => x - y);
  const at = new Map(sorted.map((t, i) => [t, fineS[i]]));
  const mean = times.map((_, j) => {
    let s = 0;
    for (let i = 0; i < 64; i++) s += (g.w[i] / 2) * (at.get(fineT[j * 64 + i]) as number);
    return s;
  });
  assert.ok(maxRel(ramped, mean) < 1e-4, `ramp: ${maxRel(ramped, mean)}`);
  // gates: mean over [a, b] of the step-off, from the closed-form half-space central loop
  const gates: [number, number][] = [
    [2e-5, 3e-5],
    [1e-4, 1.6e-4],
    [1e-3, 2e-3],
  ];
  const circle = forward(
    compileSurvey({
      source: { type: "loop", points: polygon(128, 60), current: 1 },
      receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
      gates,
    }),
    halfSpace(100),
  ).time_off!;
  const cfGate = gates.map(([a, b]) => {
    let s = 0;
    for (let i = 0; i < 64; i++) s += (g.w[i] / 2) * circleCentral(60, 100, 1, (a + b) / 2 + ((b - a) / 2) * g.x[i]);
    return s;
  });
  assert.ok(maxRel(circle, cfGate) < 1e-3, `gates: ${maxRel(circle, cfGate)}`);
});

test("bipolar repetition with one pulse and a long period reduces to the ramped step-off minus the switch-on", () => {
  const times = logTimes(1e-5, 1e-3, 8);
  const base: Survey = {
    source: { type: "loop", points: polygon(64, 50), current: 1 },
    receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
    times,
  };
  const model = halfSpace(100);
  const f = 2; // T/4 = 0.125 s: the switch-on 0.125 s earlier has decayed
  const one = forward(
    compileSurvey({
      ...base,
      waveform: {
        type: "linear_ramp_off",
        ramp: 5e-6,
        repetition: { type: "bipolar_half_duty", base_frequency: f, pulses: 1 },
      },
    }),
    model,
  ).time_off!;
  const ramp = forward(compileSurvey({ ...base, waveform: { type: "linear_ramp_off", ramp: 5e-6 } }), model).time_off!;
  const on = forward(compileSurvey({ ...base, times: times.map((t) => t + 0.125) }), model).time_off!;
  assert.ok(
    maxRel(
      one,
      Array.from(ramp, (v, i) => v - on[i]),
    ) < 1e-4,
  );
});

test("Cole-Cole: limits, the sigma form and its conversion agree at every frequency", () => {
  const [rho0, m, tau, c] = [50, 0.4, 2e-3, 0.6];
  assert.deepEqual(coleCole(rho0, m, tau, c, 0), { re: rho0, im: 0 });
  const hi = coleCole(rho0, m, tau, c, 1e12);
  assert.ok(Math.abs(hi.re / (rho0 * (1 - m)) - 1) < 1e-5);
  const mid = coleCole(rho0, m, tau, c, 1 / tau);
  assert.ok(mid.im < 0, "capacitive: Im rho < 0 for e^{+i w t}");
  const s = peltonToSigma(rho0, m, tau, c);
  for (const w of [1e-3, 1, 30, 1 / tau, 1e4, 1e7]) {
    const r = coleCole(rho0, m, tau, c, w);
    const sg = coleColeSigma(s.sigma0, s.sigmaInf, s.tauSigma, s.c, w);
    // 1/rho = sigma
    const d = r.re * r.re + r.im * r.im;
    assert.ok(Math.hypot(r.re / d - sg.re, -r.im / d - sg.im) < 1e-12 * Math.hypot(sg.re, sg.im), `w = ${w}`);
  }
  const back = sigmaToPelton(s.sigma0, s.sigmaInf, s.tauSigma, s.c);
  assert.ok(Math.abs(back.rho0 - rho0) < 1e-12 && Math.abs(back.m - m) < 1e-12 && Math.abs(back.tau / tau - 1) < 1e-12);
  const round = modelFromSigma(modelToSigma(H3));
  round.rho0.forEach((v, j) => assert.ok(Math.abs(v / H3.rho0[j] - 1) < 1e-12));
});

test("switch-on and impulse responses: on = DC - off, impulse = -d/dt of the closed-form step-off", () => {
  const times = logTimes(1e-5, 1e-2, 13);
  const loop = forward(
    compileSurvey(
      {
        source: { type: "loop", points: polygon(128, 60), current: 1 },
        receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
        times,
      },
      { signals: ["off", "on", "impulse"] },
    ),
    halfSpace(100),
  );
  const deriv = times.map(
    (t) => -(circleCentral(60, 100, 1, t * 1.0001) - circleCentral(60, 100, 1, t * 0.9999)) / (t * 0.0002),
  );
  assert.ok(maxRel(loop.impulse!, deriv) < 1e-3, `impulse: ${maxRel(loop.impulse!, deriv)}`);
  // dBz/dt has no DC value: on = -off
  assert.ok(
    maxRel(
      loop.time_on!,
      Array.from(loop.time_off!, (v) => -v),
    ) < 1e-12,
  );
  // Ex of a wire: on + off = the DC field of the grounding points
  const A: [number, number] = [-500, 0];
  const B: [number, number] = [500, 0];
  const wire = forward(
    compileSurvey(
      {
        source: { type: "wire", points: [A, B], current: 1 },
        receiver: { type: "point", position: [0, 500], component: "Ex" },
        times,
      },
      { signals: ["off", "on"] },
    ),
    halfSpace(100),
  );
  const dc = (-(100 / (2 * Math.PI)) * 2 * 500) / Math.pow(Math.hypot(500, 500), 3);
  for (let i = 0; i < times.length; i++)
    assert.ok(Math.abs(wire.time_on![i] + wire.time_off![i] - dc) < 1e-9 * Math.abs(dc));
  assert.equal(wire.impulse, undefined);
});
