import { atomicWriteFile, resultJson } from "../core";
import { parseInvertConfig, runInvertConfig } from "../inversion";
import { outFile, readJsonFile } from "./io";
import { parseArgs, UsageError, Verb } from "./registry";

/** Why an inversion result can hold NaN or Infinity: what to check in the config. */
const NON_FINITE_HINT = "check the data errors (too small an error overflows the misfit), the data values and the parameter bounds";

/** `geoinv tem invert CONFIG.json [--out RESULT.json]`: DE (JADE + OBL) inversion of TEM data. */
export const temInvertVerbs: Verb[] = [
  {
    path: ["tem", "invert"],
    summary: "invert TEM data (config JSON) by adaptive differential evolution, optionally two-step and with Occam",
    usage: `geoinv tem invert CONFIG.json [--out RESULT.json] [--quiet]

CONFIG.json: a forward case (source, receiver, times, waveform, model) plus
  data            {time_off: [...], error: [...]}  (error: absolute 1-sd per time, data units)
                  or synthetic {relative, floor, seed} to invert noisy data made from model
  surveys         [{source, receiver, times, waveform, label, data}]  instead of one survey
  parameterisation {layers, rho0: {min, max}, thickness: {min, max}, m, tau, c: {min, max} or {fixed}}
  misfit          "weighted" (default) | "raw" (the paper's sum of squares) | "relative"
  regularisation  {lambda0: 0.5, adaptive: true}
  optimizer       {strategy: "jade" | "DE/rand/1" | ..., np (or NP), generations, seed, workers, init,
                   target_rms, max_evaluations, p, c, F, CR, stagnation_generations}
  workflow        "single" | "two-step"      occam  {layers, first_thickness, max_depth, ...}
Examples: examples/*.json. The result (model, misfit, history, population statistics,
predicted.time_off) goes to --out or stdout; progress to stderr.`,
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, { known: ["out"], booleans: ["quiet"] });
      if (positional.length !== 1) throw new UsageError("give exactly one CONFIG.json (see geoinv tem invert --help)");
      // --out is checked before any work: the run's result must have somewhere to go
      const out = outFile(flags.out, [positional[0]]);
      const json = readJsonFile(positional[0], "the inversion config");
      const cfg = parseInvertConfig(json);
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      const result = await runInvertConfig(cfg, log);
      const text = resultJson(result, "tem invert result", NON_FINITE_HINT, 1);
      if (out !== undefined) {
        atomicWriteFile(out, text);
        log(`wrote ${flags.out}`);
      } else io.stdout(text);
      return 0;
    },
  },
];
