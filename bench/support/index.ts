/**
 * What the bench scripts share: their command-line flags, and the facts about the run that a
 * result file records beside its numbers (commit, machine, load). A folder rather than
 * bench/support.ts so that `npm run bench` (bench/run.ts) does not list it as a benchmark.
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The script's arguments, without node and the script. */
export const argv: readonly string[] = process.argv.slice(2);

/** Whether `--name` (given with its dashes) is on the command line. */
export function hasFlag(name: string): boolean {
  return argv.includes(name);
}

/** The word after `--name` (given with its dashes), or `dflt` when the flag is absent. */
export function arg(name: string, dflt: string): string {
  return argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt;
}

/** The 1, 5 and 15 minute load averages, two decimals each, space-separated. */
export function loadAverages(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" ");
}

/** `CORES x CPU MODEL[, MEM GiB], node VERSION`: the machine a result was measured on. */
export function machine(opts: { memory?: boolean } = {}): string {
  const mem = opts.memory ? `, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB` : "";
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}${mem}, node ${process.version}`;
}

/** The repository's short commit hash, or "unknown" outside a git checkout. */
export function gitCommit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: path.join(__dirname, "..", "..") })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}

/**
 * A results file of rows that a rerun extends: `rows` holds the rows already in `out` (a rerun
 * skips them), and `save()` writes them with the command, the given settings, the commit and the
 * machine, after every row, so an interrupted run keeps what it measured.
 */
export function rowsFile<Row>(out: string, script: string, settings: Record<string, unknown>) {
  const rows: Row[] = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")).rows as Row[]) : [];
  const save = () =>
    fs.writeFileSync(
      out,
      JSON.stringify(
        { command: `npx tsx ${script} ${argv.join(" ")}`, ...settings, commit: gitCommit(), machine: machine(), rows },
        null,
        1,
      ) + "\n",
    );
  return { rows, save };
}
