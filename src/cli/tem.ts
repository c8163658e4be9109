/**
 * `geoinv tem ...` verbs. `tem forward` is the EM forward engine on a case file in the reference
 * format (docs/METHODS.md, "Conventions and error metric of the TEM cases"); the inversion verbs join this file later.
 */
import { checkKeys, resultJson, stripBom, ValidationError } from "../core";
import { compileSurvey, forward, ForwardOptions, parseEarthModel, Response } from "../em";
import { checkModel, checkSurvey, FORWARD_CASE_KEYS } from "../inversion";
import { readJsonFile } from "./io";
import { parseArgs, UsageError, Verb } from "./registry";

/** The JSON printed by `tem forward`: the reference's `outputs` object. */
export function responseToOutputs(r: Response): {
  outputs: { time_off?: number[]; time_on?: number[]; impulse?: number[]; freq?: { re: number[]; im: number[] } };
} {
  const outputs: {
    time_off?: number[];
    time_on?: number[];
    impulse?: number[];
    freq?: { re: number[]; im: number[] };
  } = {};
  if (r.time_off) outputs.time_off = Array.from(r.time_off);
  if (r.time_on) outputs.time_on = Array.from(r.time_on);
  if (r.impulse) outputs.impulse = Array.from(r.impulse);
  if (r.freq) outputs.freq = { re: Array.from(r.freq.re), im: Array.from(r.freq.im) };
  return { outputs };
}

export const temForwardVerbs: Verb[] = [
  {
    path: ["tem", "forward"],
    summary: '1-D TEM forward model of a case file (reference format): prints {"outputs": ...} as JSON',
    usage: [
      "geoinv tem forward CASE.json [--options JSON]",
      "",
      "CASE.json holds `model` {thickness, rho0, m, tau, c} and the survey (source, receiver,",
      "times and/or frequencies, waveform, gates) in the format of docs/METHODS.md (TEM case conventions);",
      "its `outputs` and `precision` are ignored. Use - to read the case from stdin.",
      'Prints {"outputs": {"time_off": [...], "freq": {"re": [...], "im": [...]}}} (keys as the case',
      "asks) in V/m or T/s per the source current, z up. --options takes ForwardOptions as JSON,",
      'e.g. \'{"hankel": "wer_201_2018", "lambdaPerDecade": 40}\'; \'{"signals": ["off", "on", "impulse"]}\'',
      "adds time_on and impulse. Bad input: message on stderr, exit 2.",
    ].join("\n"),
    run: async (args, io) => {
      const { positional, flags } = parseArgs(args, { known: ["options"] });
      if (positional.length !== 1)
        throw new UsageError(
          positional.length === 0
            ? "expected one case file: geoinv tem forward CASE.json"
            : `${positional[1]}: unexpected argument; expected one case file: geoinv tem forward CASE.json`,
        );
      const c = readJsonFile(positional[0], "the case file");
      if (typeof c !== "object" || c === null || Array.isArray(c))
        throw new UsageError(
          `${positional[0]}: the case file must hold a JSON object ({"model": ..., "source": ..., ...}), got ${Array.isArray(c) ? "an array" : c === null ? "null" : typeof c}`,
        );
      // strict keys: a typo ("tims") must not silently change the run
      checkKeys(c as Record<string, unknown>, "", FORWARD_CASE_KEYS);
      checkModel((c as Record<string, unknown>).model, "model", true);
      checkSurvey(c as Record<string, unknown>, "");
      let opts: ForwardOptions | undefined;
      if (typeof flags.options === "string") {
        try {
          opts = JSON.parse(stripBom(flags.options)) as ForwardOptions;
        } catch (e) {
          throw new UsageError(`--options is not valid JSON: ${(e as Error).message}`);
        }
      }
      const model = parseEarthModel((c as Record<string, unknown>).model);
      let plan: ReturnType<typeof compileSurvey>;
      try {
        plan = compileSurvey(c, opts);
      } catch (e) {
        // the engine names its options "options.KEY"; here they are the --options flag's JSON
        if (e instanceof ValidationError && e.field.startsWith("options"))
          throw new ValidationError("--options", `${e.field.replace(/^options\.?/, "") || "the object"}: ${e.detail}`);
        throw e;
      }
      const outputs = responseToOutputs(forward(plan, model));
      io.stdout(
        resultJson(
          outputs,
          "tem forward outputs",
          "the response overflowed or is undefined; check the coordinates (huge distances), the times and the layer values",
          0,
        ),
      );
      return 0;
    },
  },
];
