import { ValidationError } from "./errors";
import { invert, InversionResult, InvertOptions } from "./invert";
import { InversionProblem } from "./objective";
import type { EarthModel } from "../em";

/**
 * The paper's two-step field workflow (seed sect. 3.1): step 1 inverts resistivity and thickness
 * with m = 0; step 2 fixes them at step 1's result and inverts the chargeability (and tau, c
 * where the parameterisation leaves them free).
 */
export interface TwoStepOptions extends InvertOptions {
  /** Overrides of the optimiser settings for one step (e.g. fewer generations in step 2). */
  step1?: Partial<InvertOptions>;
  step2?: Partial<InvertOptions>;
  /** Data used by step 1 (e.g. only the gates a non-polarisable earth can fit); default all. */
  step1Datasets?: InversionProblem["datasets"];
  onStep?: (step: 1 | 2) => void;
}

export interface TwoStepResult {
  step1: InversionResult;
  step2: InversionResult;
  model: EarthModel;
}

/** Step 1's problem: the same resistivity and thickness bounds, IP switched off. */
export function stepOneProblem(problem: InversionProblem, datasets?: InversionProblem["datasets"]): InversionProblem {
  const ps = problem.parameterisation;
  return {
    ...problem,
    datasets: datasets ?? problem.datasets,
    parameterisation: {
      layers: ps.layers,
      rho0: ps.rho0,
      thickness: ps.thickness,
      m: { fixed: 0 },
      roughness: { rho0: ps.roughness?.rho0 ?? 1 },
    },
  };
}

/** Step 2's problem: rho0 and thickness fixed at `step1`, m (tau, c) as in the original spec. */
export function stepTwoProblem(problem: InversionProblem, step1: EarthModel): InversionProblem {
  const ps = problem.parameterisation;
  if (!ps.m || (ps.m.min === undefined && ps.m.max === undefined)) {
    throw new ValidationError(
      "parameterisation.m",
      "the two-step workflow inverts chargeability in step 2; give m as {min, max}",
    );
  }
  return {
    ...problem,
    parameterisation: {
      layers: ps.layers,
      rho0: { fixed: step1.rho0 },
      thickness: ps.layers > 1 ? { fixed: step1.thickness } : undefined,
      m: ps.m,
      tau: ps.tau,
      c: ps.c,
      roughness: { m: ps.roughness?.m ?? 1 },
    },
  };
}

export async function twoStepInversion(problem: InversionProblem, o: TwoStepOptions = {}): Promise<TwoStepResult> {
  const { step1: o1, step2: o2, step1Datasets, onStep, ...base } = o;
  onStep?.(1);
  const step1 = await invert(stepOneProblem(problem, step1Datasets), { ...base, ...o1 });
  onStep?.(2);
  const step2 = await invert(stepTwoProblem(problem, step1.model), { ...base, ...o2 });
  return { step1, step2, model: step2.model };
}
