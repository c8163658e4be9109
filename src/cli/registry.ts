/**
 * The CLI's verb registry. Each domain contributes its verbs in its own file of src/cli/
 * (tem.ts, tcn.ts, ...) listed in main.ts; a verb is a path of words ("tem forward") with a
 * one-line summary, a usage text and a run function.
 */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface Verb {
  /** e.g. ["tem", "forward"] */
  path: string[];
  summary: string;
  usage: string;
  /** Returns the exit code. Throw UsageError for bad arguments (exit 2). */
  run: (args: string[], io: CliIO) => Promise<number>;
}

/** A user error: bad arguments or input. Reported on stderr as one message, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | boolean>;
}

/**
 * Minimal flag parser: `--name value`, `--name=value`, and boolean `--flag` for names in `booleans`.
 * Unknown flags are rejected when `known` is given; positional arguments beyond `positional` (when
 * given) are rejected naming the first extra one (a stray word is not silently ignored).
 */
export function parseArgs(
  args: string[],
  opts: { booleans?: string[]; known?: string[]; positional?: number } = {},
): ParsedArgs {
  const booleans = new Set(opts.booleans ?? []);
  const known = opts.known ? new Set([...opts.known, ...booleans]) : undefined;
  const positional: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (known && !known.has(name))
        throw new UsageError(
          known.size === 0
            ? `unknown option --${name}; this verb takes no options`
            : `unknown option --${name}; known: ${[...known].map((k) => "--" + k).join(", ")}`,
        );
      if (eq >= 0) flags[name] = a.slice(eq + 1);
      else if (booleans.has(name)) flags[name] = true;
      else {
        if (i + 1 >= args.length) throw new UsageError(`option --${name} needs a value`);
        flags[name] = args[++i];
      }
    } else positional.push(a);
  }
  if (opts.positional !== undefined && positional.length > opts.positional) {
    const extra = positional[opts.positional];
    throw new UsageError(
      `${extra}: unexpected argument; ${opts.positional === 0 ? "this verb takes only --options" : `this verb takes ${opts.positional} argument${opts.positional > 1 ? "s" : ""}`} (a boolean flag takes no value)`,
    );
  }
  return { positional, flags };
}
