import { InvertConfig } from "./config";
import { EarthModel } from "./model";
import { DataSet, InversionProblem, makeForward } from "./objective";
import { invert, InversionRecord, InversionResult } from "./invert";
import { occam, OccamResult } from "./occam";
import { addNoise } from "./synthetic";
import { twoStepInversion } from "./twostep";
import { truncateAtSignReversal } from "./field";

/** The problem with its synthetic data filled in (from config.model, with the config's noise). */
export function withSyntheticData(cfg: InvertConfig): InversionProblem {
  if (!cfg.synthetic || !cfg.model) return cfg.problem;
  const clean = makeForward(cfg.problem)([cfg.model])[0];
  let k = 0;
  const datasets: DataSet[] = cfg.problem.datasets.map((d, i) => {
    const n = d.observed.length;
    const part = Array.from({ length: n }, (_, j) => clean[k + j]);
    k += n;
    const noisy = addNoise(part, { ...cfg.synthetic!, seed: (cfg.synthetic!.seed ?? 1) + 7919 * i });
    return { ...d, observed: noisy.observed, error: noisy.error };
  });
  return { ...cfg.problem, datasets };
}

/** Percentage error of each layer value against a true model (absolute difference where the truth is 0). */
export function modelErrors(model: EarthModel, truth: EarthModel): Record<string, (number | null)[]> {
  const out: Record<string, (number | null)[]> = {};
  for (const k of ["rho0", "thickness", "m", "tau", "c"] as const) {
    if (model[k].length !== truth[k].length) continue;
    out[k] = model[k].map((v, j) => (truth[k][j] === 0 ? null : (100 * (v - truth[k][j])) / truth[k][j]));
  }
  return out;
}

function summary(r: InversionResult) {
  return {
    model: r.model,
    parameters: r.parameters,
    misfit: r.misfit,
    evaluations: r.evaluations,
    generations: r.generations,
    evaluations_to_target: r.evaluationsToTarget,
    stop_reason: r.stopReason,
    seconds: r.seconds,
  };
}

function predictedJson(problem: InversionProblem, pred: number[][]) {
  const flat = ([] as number[]).concat(...pred);
  if (problem.datasets.length === 1) return { time_off: flat };
  return { time_off: flat, surveys: problem.datasets.map((d, i) => ({ label: d.label ?? `survey ${i + 1}`, time_off: pred[i] })) };
}

/**
 * Run a config: synthetic data if asked, the single or two-step DE inversion, Occam if asked.
 * Returns the result as plain JSON; `log` receives progress lines.
 */
export async function runInvertConfig(cfg: InvertConfig, log: (line: string) => void = () => undefined): Promise<Record<string, unknown>> {
  const problem = withSyntheticData(cfg);
  const every = 10;
  const onGeneration = (rec: InversionRecord) => {
    if (rec.generation % every === 0) {
      log(`gen ${rec.generation}  evals ${rec.evaluations}  rms ${rec.rms.toPrecision(4)}  lambda ${rec.lambda.toPrecision(3)}  muF ${rec.muF.toFixed(2)}  muCR ${rec.muCR.toFixed(2)}`);
    }
  };
  const opts = { ...cfg.optimizer, onGeneration };
  let main: InversionResult;
  let step1: InversionResult | null = null;
  if (cfg.workflow === "two-step") {
    const step1Datasets = cfg.step1Data === "all" ? problem.datasets : truncateAtSignReversal(problem.datasets);
    const r = await twoStepInversion(problem, { ...opts, step1Datasets, onStep: (s) => log(`step ${s}: ${s === 1 ? "resistivity and thickness, m = 0" : "chargeability with rho0 and thickness fixed"}`) });
    main = r.step2;
    step1 = r.step1;
  } else {
    main = await invert(problem, opts);
  }
  log(`DE: ${main.stopReason} after ${main.generations} generations, ${main.evaluations} evaluations, rms ${main.misfit.rms.toPrecision(4)}, ${main.seconds.toFixed(1)} s`);
  let oc: OccamResult | null = null;
  // Occam has no IP: in the two-step workflow it sees step 1's data
  const ocProblem = cfg.workflow === "two-step" && cfg.step1Data !== "all" ? { ...problem, datasets: truncateAtSignReversal(problem.datasets) } : problem;
  if (cfg.occam) {
    log("Occam inversion");
    oc = await occam(ocProblem, { ...cfg.occam, workers: cfg.optimizer.workers, onIteration: (it) => log(`occam it ${it.iteration}  rms ${it.rms.toPrecision(4)}  mu ${it.mu.toExponential(2)}  phase ${it.phase}`) });
  }
  const out: Record<string, unknown> = {
    name: cfg.name,
    workflow: cfg.workflow,
    model: main.model,
    misfit: main.misfit,
    parameters: main.parameters,
    predicted: predictedJson(problem, main.predicted),
    observed: { time_off: ([] as number[]).concat(...problem.datasets.map((d) => d.observed)), error: ([] as number[]).concat(...problem.datasets.map((d) => d.error)) },
    history: main.history,
    population: { stats: main.population.stats, rms: main.population.rms },
    evaluations: main.evaluations,
    generations: main.generations,
    evaluations_to_target: main.evaluationsToTarget,
    stop_reason: main.stopReason,
    seconds: main.seconds,
    optimizer: { ...cfg.optimizer, strategy: main.strategy, seed: main.seed },
  };
  if (step1) out.step1 = summary(step1);
  if (cfg.model) {
    out.true_model = cfg.model;
    out.errors_percent = modelErrors(main.model, cfg.model);
  }
  if (oc) out.occam = { model: oc.model, rms: oc.rms, roughness: oc.roughness, mu: oc.mu, iterations: oc.iterations.length, stop_reason: oc.stopReason, evaluations: oc.evaluations, seconds: oc.seconds, predicted: predictedJson(ocProblem, oc.predicted) };
  return out;
}
