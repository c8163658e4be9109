import { centralLoopSurvey } from "../em";
import { addDataNoise, EarthModel, emForward, toyForward } from "../inversion";
import type { ForwardKind } from "./format";

/**
 * A synthetic straight survey line for tests and benchmarks: `n` soundings `spacing` m apart
 * along x over a smooth 3-layer earth (a conductive middle layer whose resistivity and depth vary
 * along the line), data from the "toy" forward (the inversion's analytic stand-in: microseconds per
 * model) or the EM engine (a 40 m x 40 m central loop, step-off dBz/dt; the toy reads only the
 * times), with seeded noise.
 * Returns survey JSON (see parseSurveySpec) and the true models.
 */
export interface SyntheticLineOptions {
  n: number;
  spacing?: number;
  forward?: ForwardKind;
  gates?: number;
  /** Relative noise (default 0.02). */
  noise?: number;
  seed?: number;
  np?: number;
  generations?: number;
  name?: string;
  lci?: Record<string, unknown> | false;
}

export function syntheticTruth(i: number, n: number): EarthModel {
  const s = n > 1 ? i / (n - 1) : 0;
  return {
    thickness: [20 + 15 * Math.sin(Math.PI * s), 40],
    rho0: [150, 10 * Math.pow(3, Math.cos(2 * Math.PI * s)), 300],
    m: [0, 0, 0],
    tau: [1e-3, 1e-3, 1e-3],
    c: [0.5, 0.5, 0.5],
  };
}

export function syntheticLine(o: SyntheticLineOptions): { survey: Record<string, unknown>; truth: EarthModel[] } {
  const kind = o.forward ?? "toy";
  const ng = o.gates ?? 16;
  const times = Array.from({ length: ng }, (_, k) => 1e-5 * Math.pow(10, (3 * k) / (ng - 1)));
  // the toy forward reads only the times; the loop keeps the surveys valid for the EM engine too
  const survey = centralLoopSurvey(40, times);
  const fwd = kind === "toy" ? toyForward([survey]) : emForward([survey]);
  const truth = Array.from({ length: o.n }, (_, i) => syntheticTruth(i, o.n));
  const clean = fwd(truth);
  const rel = o.noise ?? 0.02;
  const soundings = truth.map((_, i) => {
    const noisy = addDataNoise(Array.from(clean[i]), {
      relative: rel,
      floor: kind === "toy" ? 0.01 : 0,
      seed: (o.seed ?? 1) * 100003 + i,
      add: true,
    });
    return {
      id: `s${String(i).padStart(3, "0")}`,
      x: i * (o.spacing ?? 100),
      y: 0,
      surveys: [{ label: kind, ...survey, data: { time_off: noisy.observed, error: noisy.error } }],
    };
  });
  return {
    truth,
    survey: {
      name: o.name ?? `synthetic_line_${o.n}`,
      description: `SYNTHETIC: ${o.n} soundings ${o.spacing ?? 100} m apart over a smooth 3-layer earth, ${kind} forward, ${rel * 100} % noise (syntheticLine of src/survey)`,
      forward: kind,
      parameterisation: { layers: 3, rho0: { min: 1, max: 1000 }, thickness: { min: 5, max: 100 } },
      optimizer: { np: o.np ?? 20, generations: o.generations ?? 30, seed: o.seed ?? 1 },
      lci:
        o.lci === undefined
          ? { layers: 12, first_thickness: 5, max_depth: 150, max_iterations: 6, rho_min: 1, rho_max: 1000 }
          : o.lci,
      soundings,
    },
  };
}
