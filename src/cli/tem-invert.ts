import { atomicWriteFile, resultJson } from "../core";
import * as path from "path";
import { toNpy } from "../data";
import { parseInvertConfig, PosteriorRun, runInvertConfig } from "../inversion";
import { outFile, readJsonFile } from "./io";
import { parseArgs, UsageError, Verb } from "./registry";
import { ValidationError } from "../core";

/** Why an inversion result can hold NaN or Infinity: what to check in the config. */
const NON_FINITE_HINT = "check the data errors (too small an error overflows the misfit), the data values and the parameter bounds";

/** `geoinv tem invert CONFIG.json [--out RESULT.json]`: DE (JADE + OBL) inversion of TEM data. */
export const temInvertVerbs: Verb[] = [
  {
    path: ["tem", "invert"],
    summary: "invert TEM data (config JSON) by adaptive differential evolution, optionally two-step and with Occam",
    usage: `geoinv tem invert CONFIG.json [--out RESULT.json] [--posterior] [--quiet]

CONFIG.json: a forward case (source, receiver, times, waveform, model) plus
  data            {time_off: [...], error: [...]}  (error: absolute 1-sd per time, data units)
                  or synthetic {relative, floor, seed} to invert noisy data made from model
  surveys         [{source, receiver, times, waveform, label, data}]  instead of one survey
  parameterisation {layers, rho0: {min, max}, thickness: {min, max}, m, tau, c: {min, max} or {fixed}}
  misfit          "weighted" (default) | "raw" (the paper's sum of squares) | "relative"
  regularisation  {lambda0: 0.5, adaptive: true}
  optimizer       {strategy: "jade" | "DE/rand/1" | ..., np (or NP), generations, seed, workers, init,
                   target_rms, max_evaluations, p, c, F, CR, stagnation_generations}
                   restarts (default true), polish (default true: LM after the DE)}
  workflow        "single" | "two-step"      occam  {layers, first_thickness, max_depth, ...}
  posterior       {chains, seed, max_evaluations, rhat, ess, check_every, regularisation, ...}:
                  sample the Bayesian posterior after the DE (docs/POSTERIOR.md); --posterior
                  turns it on with the defaults (8 chains, R-hat < 1.05, ESS >= 400, 200000 evaluations)
Examples: examples/*.json. The result (model, misfit, history, posterior quantiles and bands,
the final population's search spread (not uncertainty), predicted.time_off) goes to --out or
stdout; progress to stderr. With --out, the posterior's chains go to NAME.chains.npy beside it.`,
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, { known: ["out"], booleans: ["quiet", "posterior"] });
      if (positional.length !== 1) throw new UsageError("give exactly one CONFIG.json (see geoinv tem invert --help)");
      // --out is checked before any work: the run's result must have somewhere to go
      const out = outFile(flags.out, [positional[0]]);
      const json = readJsonFile(positional[0], "the inversion config");
      const cfg = parseInvertConfig(json);
      if (flags.posterior && !cfg.posterior) cfg.posterior = {};
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      let chains: PosteriorRun | null = null;
      const result = await runInvertConfig(cfg, log, { onPosterior: (r) => (chains = r) }).catch((e) => {
        throw userField(e, cfg.synthetic !== null, json);
      });
      const post = result.posterior as Record<string, unknown> | undefined;
      let chainsFile: string | null = null;
      if (chains && post && out !== undefined) {
        chainsFile = out.replace(/\.json$/i, "") + ".chains.npy";
        post.chains_file = path.basename(chainsFile);
        post.chains_names = (chains as PosteriorRun).names;
        post.chains_shape = "[chains, draws, parameters], float32, search space (log10 for rho0, thickness, tau)";
      }
      const text = resultJson(result, "tem invert result", NON_FINITE_HINT, 1);
      if (out !== undefined) {
        if (chainsFile && chains) atomicWriteFile(chainsFile, chainsNpy(chains));
        atomicWriteFile(out, text);
        log(`wrote ${flags.out}`);
      } else io.stdout(text);
      return 0;
    },
  },
];

/** The posterior's chains as one float32 .npy array [chains, draws, parameters] (search space). */
export function chainsNpy(run: PosteriorRun): Uint8Array {
  const nc = run.draws.length;
  const nd = Math.min(...run.draws.map((c) => c.length));
  const d = run.names.length;
  const a = new Float32Array(nc * nd * d);
  for (let c = 0; c < nc; c++) for (let k = 0; k < nd; k++) a.set(run.draws[c][k], (c * nd + k) * d);
  return toNpy(a, [nc, nd, d]);
}

/**
 * The inversion names surveys `datasets[i]`; the config names them `surveys[i]` (or the top
 * level). Synthetic data that come out non-finite are a fault of the model or the survey geometry.
 */
function userField(e: unknown, synthetic: boolean, json: unknown): unknown {
  if (!(e instanceof ValidationError) || !/^datasets\[\d+\]/.test(e.field)) return e;
  if (/^datasets\[\d+\]\.options\./.test(e.field)) return new ValidationError(e.field.replace(/^datasets\[\d+\]\.options/, "forward_options"), e.detail);
  const multi = typeof json === "object" && json !== null && "surveys" in json;
  const field = multi ? e.field.replace(/^datasets/, "surveys") : e.field.replace(/^datasets\[\d+\]\.?/, "") || "config";
  if (synthetic && /\.data\.time_off\[\d+\]$/.test(e.field)) {
    return new ValidationError("synthetic", `the data computed from model are not finite (${field}: ${e.detail}); check the model values, the source and receiver coordinates and the times`);
  }
  return new ValidationError(field, e.detail);
}
