import { CliIO, UsageError, Verb } from "./registry";
import { dataVerbs } from "./data";
import { temForwardVerbs } from "./tem";
import { tcnVerbs } from "./tcn";
import { temInvertVerbs } from "./tem-invert";

/**
 * Verbs of every domain. Each domain's verbs live in their own file of src/cli/ and are added here.
 */
export function allVerbs(): Verb[] {
  return [...dataVerbs, ...temForwardVerbs, ...temInvertVerbs, ...tcnVerbs];
}

const stdio: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

function helpText(verbs: Verb[]): string {
  const w = Math.max(...verbs.map((v) => v.path.join(" ").length));
  return [
    "geoinv: geophysical inversion (TCN seismic impedance, TEM with IP by differential evolution)",
    "",
    "usage: geoinv <verb> [options]     geoinv <verb> --help",
    "",
    "verbs:",
    ...verbs.map((v) => `  ${v.path.join(" ").padEnd(w)}  ${v.summary}`),
    "",
    "Errors go to stderr with a non-zero exit code; results to stdout or --out.",
  ].join("\n") + "\n";
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
    const err = e as Error;
    if (err instanceof UsageError || err.name === "DataFileError" || err instanceof RangeError || err.name === "ValidationError") {
      io.stderr(`geoinv ${best.path.join(" ")}: ${err.message}\n`);
      return 2;
    }
    io.stderr(`geoinv ${best.path.join(" ")}: ${err.stack ?? err.message}\n`);
    return 1;
  }
}
