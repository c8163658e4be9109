/**
 * The posterior benchmark's run of one problem (bench/posterior.ts, bench/posterior-chains.ts): DE
 * at the inversion's defaults, then DREAM(ZS) started from the DE's best and final population,
 * both seeded by `seed`, on the inversion's own forward through the pool.
 */
import {
  compileParameterisation,
  invert,
  InversionProblem,
  InvertConfig,
  InversionResult,
  OBJECTIVE_MODULE,
  poolPredictor,
  PosteriorRun,
  samplePosterior,
  toModel,
  toVector,
} from "../../src/inversion";
import type { WorkerPool } from "../../src/optim";

type PosteriorPredict = Awaited<ReturnType<typeof poolPredictor>>;

/**
 * The DE at the inversion's defaults, seeded by `seed`, and what a sampler starts from: the DE's
 * final population as search vectors and a predictor on the pool (shared by the posterior benches).
 */
export async function deForPosterior(
  problem: InversionProblem,
  pool: WorkerPool,
  o: { seed: number; generations: number },
): Promise<{ de: InversionResult; population: Float64Array[]; predict: PosteriorPredict }> {
  const de = await invert(problem, { pool, seed: o.seed, maxGenerations: o.generations });
  const p = compileParameterisation(problem.parameterisation);
  const population = de.population.models.map((m) => toVector(p, m));
  return { de, population, predict: await poolPredictor(problem, pool, OBJECTIVE_MODULE) };
}

export async function deThenPosterior(
  problem: InversionProblem,
  pool: WorkerPool,
  o: { seed: number; generations: number; budget: number },
): Promise<{ de: InversionResult; post: PosteriorRun }> {
  const { de, population, predict } = await deForPosterior(problem, pool, o);
  const post = await samplePosterior(problem, de.x, population, predict, { seed: o.seed, maxEvaluations: o.budget });
  return { de, post };
}

/**
 * The true model of an example config (`--config` of the posterior experiments) as a search vector
 * of `problem`'s parameterisation. Refuses a config without the single workflow and a model, and
 * one whose model differs from the parameterisation's fixed values (the truth would not be
 * representable).
 */
export function configTruth(cfg: InvertConfig, problem: InversionProblem, configPath: string): number[] {
  if (cfg.workflow !== "single" || !cfg.model) throw new Error(`${configPath}: needs the single workflow and a model`);
  const p = compileParameterisation(problem.parameterisation);
  const truth = Array.from(toVector(p, cfg.model));
  const tm = toModel(p, truth);
  for (const k of ["rho0", "thickness", "m", "tau", "c"] as const)
    if (tm[k].some((v, j) => Math.abs(v - cfg.model![k][j]) > 1e-9 * Math.abs(v)))
      throw new Error(`${configPath}: the truth's ${k} differs from the parameterisation's fixed values`);
  return truth;
}
