/**
 * The posterior benchmark's run of one problem (bench/posterior.ts, bench/posterior-chains.ts): DE
 * at the inversion's defaults, then DREAM(ZS) started from the DE's best and final population,
 * both seeded by `seed`, on the inversion's own forward through the pool.
 */
import {
  compileParameterisation,
  invert,
  InversionProblem,
  InversionResult,
  OBJECTIVE_MODULE,
  poolPredictor,
  PosteriorRun,
  samplePosterior,
  toVector,
} from "../../src/inversion";
import type { WorkerPool } from "../../src/optim";

export async function deThenPosterior(
  problem: InversionProblem,
  pool: WorkerPool,
  o: { seed: number; generations: number; budget: number },
): Promise<{ de: InversionResult; post: PosteriorRun }> {
  const de = await invert(problem, { pool, seed: o.seed, maxGenerations: o.generations });
  const p = compileParameterisation(problem.parameterisation);
  const population = de.population.models.map((m) => toVector(p, m));
  const post = await samplePosterior(problem, de.x, population, await poolPredictor(problem, pool, OBJECTIVE_MODULE), {
    seed: o.seed,
    maxEvaluations: o.budget,
  });
  return { de, post };
}
