import * as fs from "fs";
import { atomicWriteFile, checkOutputFile, resultJson } from "../core";
import * as path from "path";
import { toNpy } from "../data";
import { checkpointFiles, InversionCheckpoint, parseInvertConfig, PosteriorRun, runInvertConfig } from "../inversion";
import { outFile, readJsonFile } from "./io";
import { parseArgs, UsageError, Verb } from "./registry";
import { ValidationError } from "../core";

/** Why an inversion result can hold NaN or Infinity: what to check in the config. */
const NON_FINITE_HINT =
  "check the data errors (too small an error overflows the misfit), the data values and the parameter bounds";

/** Exit codes after a checkpoint written on a signal: 128 + the signal number, as a shell reports a killed command. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** `geoinv tem invert CONFIG.json [--out RESULT.json]`: DE (JADE + OBL) inversion of TEM data. */
export const temInvertVerbs: Verb[] = [
  {
    path: ["tem", "invert"],
    summary: "invert TEM data (config JSON) by adaptive differential evolution, optionally two-step and with Occam",
    usage: `geoinv tem invert CONFIG.json [--out RESULT.json] [--posterior] [--quiet]
                 [--checkpoint FILE [--checkpoint-every N]]

CONFIG.json: a forward case (source, receiver, times, waveform, model) plus
  data            {time_off: [...], error: [...]}  (error: absolute 1-sd per time, data units)
                  or synthetic {relative, floor, seed} to invert noisy data made from model
  surveys         [{source, receiver, times, waveform, label, data}]  instead of one survey
  parameterisation {layers, rho0: {min, max}, thickness: {min, max}, m, tau, c: {min, max} or {fixed}}
  misfit          "weighted" (default) | "raw" (the paper's sum of squares) | "relative"
  regularisation  {lambda0: 0.5, adaptive: true}
  optimizer       {strategy: "jade" | "DE/rand/1" | ..., np (or NP), generations, seed, workers, init,
                   target_rms, max_evaluations, p, c, F, CR, stagnation_generations}
                   restarts (default true), polish (default true: LM after the DE),
                   polish_every (default 25: also every 25 generations; 0: after the DE only)}
  workflow        "single" | "two-step"      occam  {layers, first_thickness, max_depth, ...}
  posterior       {chains, seed, max_evaluations, rhat, ess, check_every, independence (default 0.8),
                   snooker (default 0.1 of the rest), regularisation, ...}:
                  sample the Bayesian posterior after the DE (docs/POSTERIOR.md); --posterior
                  turns it on with the defaults (8 chains, R-hat < 1.05, ESS >= 400, 200000 evaluations)
Examples: examples/*.json. The result (model, misfit, history, posterior quantiles and bands,
the final population's search spread (not uncertainty), predicted.time_off) goes to --out or
stdout; progress to stderr. With --out, the posterior's chains go to NAME.chains.npy beside it.
  --checkpoint FILE     save the DE state to FILE (atomically) every N generations (--checkpoint-every,
                        default 10) and on SIGINT/SIGTERM, which then exit 130/143. Rerunning the same
                        command resumes from FILE and gives the same result as an uninterrupted run
                        (same model, misfit, evaluations); FILE is removed once the result is written.
                        A FILE written for another config (data, parameterisation, optimizer except
                        workers) is refused (exit 2). Two-step: one file per step, FILE.step1 and
                        FILE.step2. Signals are handled between generations (workers 1) or at once
                        (workers > 1). With a posterior, the sampler's state goes to FILE.posterior
                        at every convergence check (--checkpoint-every counts DE generations only)
                        and on SIGINT/SIGTERM (exit 130/143); the rerun resumes the DE from FILE
                        (deterministic), then the sampler, and writes the same result and chains.
                        FILE.posterior of other posterior settings is refused (exit 2). Occam is
                        not checkpointed.`,
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, {
        known: ["out", "checkpoint", "checkpoint-every"],
        booleans: ["quiet", "posterior"],
      });
      if (positional.length !== 1)
        throw new UsageError(
          positional.length === 0
            ? "give exactly one CONFIG.json (see geoinv tem invert --help)"
            : `${positional[1]}: unexpected argument; give exactly one CONFIG.json (a boolean flag takes no value; see geoinv tem invert --help)`,
        );
      // --out is checked before any work: the run's result must have somewhere to go
      const out = outFile(flags.out, [positional[0]]);
      const checkpoint = checkpointFlags(flags, [positional[0], out]);
      const json = readJsonFile(positional[0], "the inversion config");
      const cfg = parseInvertConfig(json);
      if (flags.posterior && !cfg.posterior) cfg.posterior = {};
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      if (checkpoint) {
        checkpoint.onSignal = (sig) => process.exit(SIGNAL_EXIT[sig]);
        for (const f of checkpointFiles(cfg, checkpoint.file)) checkOutputFile(f, { inputs: [positional[0], out] });
      }
      let chains: PosteriorRun | null = null;
      const result = await runInvertConfig(cfg, log, {
        onPosterior: (r) => (chains = r),
        checkpoint: checkpoint ?? undefined,
      }).catch((e) => {
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
      // the result is out: the checkpoints have served
      if (checkpoint) for (const f of checkpointFiles(cfg, checkpoint.file)) fs.rmSync(f, { force: true });
      return 0;
    },
  },
];

/** `--checkpoint FILE [--checkpoint-every N]` checked before any work (null without --checkpoint). */
function checkpointFlags(
  flags: Record<string, string | boolean>,
  inputs: (string | undefined)[],
): InversionCheckpoint | null {
  const f = flags.checkpoint;
  const e = flags["checkpoint-every"];
  if (f === undefined) {
    if (e !== undefined) throw new UsageError("--checkpoint-every needs --checkpoint FILE");
    return null;
  }
  if (typeof f !== "string" || f === "") throw new UsageError("--checkpoint needs a file name");
  let every = 10;
  if (e !== undefined) {
    every = typeof e === "string" && /^\d+$/.test(e) ? Number(e) : NaN;
    if (!Number.isSafeInteger(every) || every < 1)
      throw new UsageError(`--checkpoint-every expects a positive integer (generations), got '${e}'`);
  }
  const file = checkOutputFile(f, { inputs });
  if (inputs.some((i) => i !== undefined && path.resolve(i) === file))
    throw new UsageError(`--checkpoint ${f} is also the config or --out; choose another file`);
  return { file, every, field: "--checkpoint" };
}

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
  if (/^datasets\[\d+\]\.options\./.test(e.field))
    return new ValidationError(e.field.replace(/^datasets\[\d+\]\.options/, "forward_options"), e.detail);
  const multi = typeof json === "object" && json !== null && "surveys" in json;
  const field = multi
    ? e.field.replace(/^datasets/, "surveys")
    : e.field.replace(/^datasets\[\d+\]\.?/, "") || "config";
  if (synthetic && /\.data\.time_off\[\d+\]$/.test(e.field)) {
    return new ValidationError(
      "synthetic",
      `the data computed from model are not finite (${field}: ${e.detail}); check the model values, the source and receiver coordinates and the times`,
    );
  }
  return new ValidationError(field, e.detail);
}
