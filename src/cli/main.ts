import { FileError, isSystemError, systemErrorText, ValidationError } from "../core";
import { CliIO, UsageError, Verb } from "./registry";
import { dataVerbs } from "./data";
import { temForwardVerbs } from "./tem";
import { tcnVerbs } from "./tcn";
import { temInvertVerbs } from "./tem-invert";
import { surveyVerbs } from "./survey";

/**
 * Verbs of every domain. Each domain's verbs live in their own file of src/cli/ and are added here.
 */
export function allVerbs(): Verb[] {
  return [...dataVerbs, ...temForwardVerbs, ...temInvertVerbs, ...tcnVerbs, ...surveyVerbs];
}

const stdio: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

function helpText(verbs: Verb[]): string {
  const w = Math.max(...verbs.map((v) => v.path.join(" ").length));
  return (
    [
      "geoinv: geophysical inversion (TCN seismic impedance, TEM with IP by differential evolution)",
      "",
      "usage: geoinv <verb> [options]     geoinv <verb> --help",
      "",
      "verbs:",
      ...verbs.map((v) => `  ${v.path.join(" ").padEnd(w)}  ${v.summary}`),
      "",
      "Errors go to stderr with a non-zero exit code; results to stdout or --out.",
    ].join("\n") + "\n"
  );
}

/** Run the CLI with the given arguments; returns the exit code. */
export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  const verbs = allVerbs();
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(helpText(verbs));
    return 0;
  }
  // longest matching verb path
  let best: Verb | undefined;
  for (const v of verbs) {
    if (v.path.length <= argv.length && v.path.every((w, i) => argv[i] === w)) {
      if (!best || v.path.length > best.path.length) best = v;
    }
  }
  if (!best) {
    const group = verbs.filter((v) => v.path[0] === argv[0]);
    if (group.length > 0 && (argv.length === 1 || argv[1] === "--help")) {
      io.stdout(helpText(group));
      return argv.length === 1 ? 2 : 0;
    }
    io.stderr(`geoinv: unknown verb '${argv.join(" ")}'. Run 'geoinv --help' for the list.\n`);
    return 2;
  }
  const rest = argv.slice(best.path.length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`${best.usage.trim()}\n`);
    return 0;
  }
  try {
    return await best.run(rest, io);
  } catch (e) {
    return reportError(e, `geoinv ${best.path.join(" ")}`, io);
  }
}

/**
 * Exit code and one message for an error that ended a verb: bad input (UsageError,
 * ValidationError, a non-finite result) and file problems (FileError, DataFileError, an fs error)
 * exit 2 with the message alone; anything else is a bug: exit 1 with one line and a hint to
 * report it (the stack only with GEOINV_DEBUG=1).
 */
export function reportError(e: unknown, prefix: string, io: CliIO): number {
  const debug = process.env.GEOINV_DEBUG === "1";
  if (e instanceof UsageError || e instanceof ValidationError || e instanceof FileError) {
    io.stderr(`${prefix}: ${e.message}\n`);
    return 2;
  }
  if (isSystemError(e)) {
    const where = e.path ? ` (${e.path})` : "";
    io.stderr(`${prefix}: file system error${where}: ${systemErrorText(e)}\n`);
    return 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const first = (err.message || String(e)).split("\n")[0];
  io.stderr(
    `${prefix}: internal error (${err.name}): ${first}\n  This is a bug in geoinv; please report it with the command line${debug ? "" : " (set GEOINV_DEBUG=1 for the stack trace)"}.\n`,
  );
  if (debug && err.stack) io.stderr(err.stack + "\n");
  return 1;
}
