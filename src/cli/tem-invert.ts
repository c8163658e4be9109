import * as fs from "fs";
import { parseInvertConfig, runInvertConfig } from "../inversion";
import { parseArgs, UsageError, Verb } from "./registry";

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
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(positional[0], "utf8"));
      } catch (e) {
        throw new UsageError(`cannot read ${positional[0]} as JSON: ${(e as Error).message}`);
      }
      const cfg = parseInvertConfig(json);
      const log = flags.quiet ? () => undefined : (s: string) => io.stderr(s + "\n");
      const result = await runInvertConfig(cfg, log);
      const text = JSON.stringify(result, null, 1) + "\n";
      if (typeof flags.out === "string") {
        fs.writeFileSync(flags.out, text);
        log(`wrote ${flags.out}`);
      } else io.stdout(text);
      return 0;
    },
  },
];
