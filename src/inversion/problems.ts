import { mulberry32 } from "../config";
import { CONVERGED_OPTIONS } from "../em";
import { emForward } from "./forward";
import type { EarthModel, Point2, Source, Survey } from "../em";
import { DataSet, InversionProblem } from "./objective";
import { compileParameterisation, ParameterisationSpec, toVector } from "./parameterisation";
import { addDataNoise } from "./synthetic";

/**
 * A seeded generator of synthetic TEM inversion problems for the trustworthy-inversion
 * benchmark (bench/posterior.ts, notebook 24). Each problem:
 * - cycles through the survey kinds the engine supports (straight, oblique and bent wires with Ex
 *   and Ey, MN dipoles, far inline receivers, central and offset loops, ramps, bipolar repetition);
 * - has 2-10 layers and the true model drawn UNIFORMLY from the inversion's own prior box (search
 *   space), so that the 90 % posterior interval covers the truth 90 % of the time on average:
 *   the calibration the benchmark measures;
 * - has IP (m free in [0, 0.8]) in 1-2 random layers; m is fixed at its true value 0 elsewhere,
 *   and tau and c are free in some problems and fixed at their true values in the others (said
 *   in `fixedAtTruth`); one tau for every layer when fixed;
 * - has data from the engine's CONVERGED_OPTIONS (a finer discretisation than the inversion's
 *   FAST_OPTIONS: no inverse crime) plus Gaussian noise of 3 % of |d| plus a floor of 1e-3 x the
 *   survey's median |d|, seeded.
 */
export interface SyntheticProblem {
  name: string;
  /** The survey kind in words, e.g. "bent 2-segment wire, Ey". */
  kind: string;
  problem: InversionProblem;
  truth: EarthModel;
  /** The truth's search-space vector (the free parameters, in order). */
  truthVector: number[];
  /** Free parameter names, e.g. "log10 rho0[1]". */
  parameters: string[];
  /** Parameters fixed at their true values, in words. */
  fixedAtTruth: string[];
  noise: { relative: number; floorOfMedian: number; seed: number };
}

export const SURVEY_KINDS = [
  "straight wire, Ex broadside",
  "oblique wire, Ey",
  "bent 2-segment wire, Ey",
  "straight wire, MN dipole",
  "central loop, dBz/dt",
  "offset loop (receiver outside), dBz/dt",
  "loop, 20 us ramp, bipolar 75 Hz",
  "wire, ramp, Ex far inline",
  "oblique wire, oblique MN dipole",
  "loop, bipolar 30 Hz repetition",
] as const;

function logspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.pow(10, a + ((b - a) * i) / (n - 1)));
}

function rotate([x, y]: Point2, th: number): Point2 {
  return [x * Math.cos(th) - y * Math.sin(th), x * Math.sin(th) + y * Math.cos(th)];
}

/** The survey of kind k (index into SURVEY_KINDS), geometry jittered by rnd. */
export function benchmarkSurvey(k: number, rnd: () => number): Survey {
  const wireT = logspace(-5, -2, 20);
  const loopT = logspace(-5, -3, 18);
  const half = 400 + 200 * rnd();
  const th = (rnd() - 0.5) * Math.PI;
  const wire = (pts: Point2[]): Source => ({ type: "wire", points: pts, current: 10 });
  const loop = (a: number): Source => ({
    type: "loop",
    points: [
      [-a, -a],
      [a, -a],
      [a, a],
      [-a, a],
    ],
    current: 3,
  });
  switch (k % SURVEY_KINDS.length) {
    case 0:
      return {
        source: wire([
          [-half, 0],
          [half, 0],
        ]),
        receiver: { type: "point", position: [0, 300 + 300 * rnd()], component: "Ex" },
        times: wireT,
      };
    case 1:
      return {
        source: wire([rotate([-half, 0], th), rotate([half, 0], th)]),
        receiver: { type: "point", position: rotate([200, 400 + 200 * rnd()], th), component: "Ey" },
        times: wireT,
      };
    case 2:
      return {
        source: wire([
          [-half, 0],
          [0, 80 + 150 * rnd()],
          [half, 0],
        ]),
        receiver: { type: "point", position: [150, 500 + 200 * rnd()], component: "Ey" },
        times: wireT,
      };
    case 3:
      return {
        source: wire([
          [-half, 0],
          [half, 0],
        ]),
        receiver: {
          type: "dipole",
          points: [
            [-50, 500],
            [50, 500],
          ],
          component: "E",
        },
        times: wireT,
      };
    case 4:
      return { source: loop(50), receiver: { type: "point", position: [0, 0], component: "dBz/dt" }, times: loopT };
    case 5:
      return {
        source: loop(50),
        receiver: { type: "point", position: [80 + 60 * rnd(), 20], component: "dBz/dt" },
        times: loopT,
      };
    case 6:
      return {
        source: loop(40 + 20 * rnd()),
        receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
        times: logspace(-4.7, -2.6, 16),
        waveform: {
          type: "linear_ramp_off",
          ramp: 2e-5,
          repetition: { type: "bipolar_half_duty", base_frequency: 75, pulses: 20 },
        },
      };
    case 7:
      return {
        source: wire([
          [-half, 0],
          [half, 0],
        ]),
        receiver: { type: "point", position: [half + 800 + 400 * rnd(), 0], component: "Ex" },
        times: wireT,
        waveform: { type: "linear_ramp_off", ramp: 1e-4 },
      };
    case 8: {
      const c = rotate([100, 500], th);
      const n = rotate([180, 560], th);
      return {
        source: wire([rotate([-half, 0], th), rotate([half, 0], th)]),
        receiver: { type: "dipole", points: [c, n], component: "E" },
        times: wireT,
      };
    }
    default:
      return {
        source: loop(50),
        receiver: { type: "point", position: [0, 0], component: "dBz/dt" },
        times: logspace(-4.7, -2.2, 16),
        waveform: {
          type: "linear_ramp_off",
          ramp: 5e-6,
          repetition: { type: "bipolar_half_duty", base_frequency: 30, pulses: 10 },
        },
      };
  }
}

const LAYER_COUNTS = [2, 3, 3, 4, 4, 5, 6, 8, 10];

/** Problem i of the benchmark for a seed: deterministic in (seed, i). */
export function syntheticProblem(seed: number, i: number): SyntheticProblem {
  const rnd = mulberry32((seed * 7919 + i * 104729) >>> 0);
  const kindIndex = i % SURVEY_KINDS.length;
  const survey = benchmarkSurvey(kindIndex, rnd);
  const isLoop = survey.source.type === "loop";
  const layers = LAYER_COUNTS[Math.floor(rnd() * LAYER_COUNTS.length)];
  const ipLayers = new Set<number>();
  const nIp = rnd() < 0.6 ? 1 : 2;
  while (ipLayers.size < Math.min(nIp, layers)) ipLayers.add(Math.floor(rnd() * layers));
  const tauMode = rnd(); // < 0.35: tau free; else fixed at truth
  const cFree = rnd() < 0.3;
  const tauFree = tauMode < 0.35;
  const hMax = isLoop ? 80 : 250;
  const hMin = isLoop ? 5 : 20;
  const spec: ParameterisationSpec = {
    layers,
    rho0: { min: 1, max: 1000 },
    thickness: layers > 1 ? { min: hMin, max: hMax } : undefined,
    m: { fixed: Array.from({ length: layers }, () => 0) },
    tau: { fixed: 0 },
    c: { fixed: 0 },
  };
  const u = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const lu = (lo: number, hi: number) => Math.pow(10, u(Math.log10(lo), Math.log10(hi)));
  const tauTrue = lu(1e-4, 1e-2);
  const cTrue = u(0.3, 0.7);
  const truth: EarthModel = {
    rho0: Array.from({ length: layers }, () => lu(1, 1000)),
    thickness: Array.from({ length: layers - 1 }, () => lu(hMin, hMax)),
    m: Array.from({ length: layers }, (_, j) => (ipLayers.has(j) ? u(0, 0.8) : 0)),
    tau: Array.from({ length: layers }, () => tauTrue),
    c: Array.from({ length: layers }, () => cTrue),
  };
  const mFixed: (number | null)[] = truth.m.map((_v, j) => (ipLayers.has(j) ? null : 0));
  spec.m = { fixed: mFixed, min: 0, max: 0.8 };
  const fixedAtTruth = [
    `m = 0 in layers ${
      [...Array(layers).keys()]
        .filter((j) => !ipLayers.has(j))
        .map((j) => j + 1)
        .join(", ") || "(none)"
    }`,
  ];
  if (tauFree) {
    const tf: (number | null)[] = truth.tau.map((v, j) => (ipLayers.has(j) ? null : v));
    spec.tau = { fixed: tf, min: 1e-4, max: 1e-2 };
    fixedAtTruth.push("tau of the non-IP layers (no effect with m = 0)");
  } else {
    spec.tau = { fixed: tauTrue };
    fixedAtTruth.push(`tau = ${tauTrue.toPrecision(3)} s (every layer)`);
  }
  if (cFree) {
    const cf: (number | null)[] = truth.c.map((v, j) => (ipLayers.has(j) ? null : v));
    spec.c = { fixed: cf, min: 0.3, max: 0.7 };
    fixedAtTruth.push("c of the non-IP layers (no effect with m = 0)");
  } else {
    spec.c = { fixed: cTrue };
    fixedAtTruth.push(`c = ${cTrue.toPrecision(3)} (every layer)`);
  }
  // a free c or tau must have the same range as the truth was drawn from
  const noiseSeed = (seed * 31 + i) >>> 0;
  const clean = emForward([survey], CONVERGED_OPTIONS)([truth])[0];
  const abs = Array.from(clean, Math.abs).sort((a, b) => a - b);
  const median = abs[abs.length >> 1];
  const noise = addDataNoise(clean, { relative: 0.03, floor: 1e-3 * median, seed: noiseSeed });
  const data: DataSet = { survey, observed: noise.observed, error: noise.error, label: SURVEY_KINDS[kindIndex] };
  const problem: InversionProblem = { datasets: [data], parameterisation: spec };
  const p = compileParameterisation(spec);
  return {
    name: `p${String(i).padStart(2, "0")} ${layers}L ${SURVEY_KINDS[kindIndex]}`,
    kind: SURVEY_KINDS[kindIndex],
    problem,
    truth,
    truthVector: Array.from(toVector(p, truth)),
    parameters: p.free.map((f) => f.name),
    fixedAtTruth,
    noise: { relative: 0.03, floorOfMedian: 1e-3, seed: noiseSeed },
  };
}

/** The first n problems of the benchmark for a seed. */
export function syntheticProblems(seed: number, n: number): SyntheticProblem[] {
  return Array.from({ length: n }, (_, i) => syntheticProblem(seed, i));
}
