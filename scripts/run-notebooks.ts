/**
 * `npm run notebooks [-- --quick|--full] [--only NAME[,NAME]] [--out DIR] [--timeout S] [--max-mb MB]`
 *
 * Executes every notebook in notebooks/ (sorted by name) on the real tslab kernel (geoinv's
 * kernelspec in kernel/, found through JUPYTER_PATH), writes the executed .ipynb and an .html per
 * notebook into the output folder (default out/notebooks), and prints one line per notebook with
 * its time. A failing cell stops that notebook; the runner prints the cell's own error text and
 * goes on with the next notebook, exiting 1 at the end.
 *
 * Size: each executed .ipynb must stay under `--max-mb` (default 1 MB; a notebook saved after Run
 * All in JupyterLab is this plus one PNG per figure that Lab's plotly renderer adds). Figures are
 * stored once as plotly JSON; the exported HTML gets plotly.js inlined once (run_notebook.py).
 *
 * Results (issue 15): notebooks record their key numbers into `--results DIR` (default out/results,
 * GEOINV_RESULTS_DIR in the kernel); a notebook's old record is removed before it runs. After a
 * quick run the records of the notebooks that ran are checked against the committed
 * docs/results/results-quick.json within each number's band (`--no-check` skips this; `npm run
 * results` uses it while it regenerates the record); a number outside its band fails the run.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkReport, CollectedResults, compareResults, NotebookResults, readResultsDir } from "../src/results";

const root = path.resolve(__dirname, "..");

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A Python that can import nbclient and nbconvert. */
export function findJupyterPython(): string | undefined {
  const candidates = [process.env.GEOINV_PYTHON, "/usr/bin/python3", "python3"].filter((x): x is string => !!x);
  // the interpreter behind `jupyter` itself
  const which = spawnSync("bash", ["-c", "command -v jupyter"], { encoding: "utf8" });
  if (which.status === 0) {
    const first = fs.readFileSync(which.stdout.trim(), "utf8").split("\n")[0];
    if (first.startsWith("#!")) candidates.splice(1, 0, first.slice(2).trim().split(/\s+/).pop()!);
  }
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import nbclient, nbconvert, nbformat"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return undefined;
}

export const DEFAULT_MAX_BYTES = 1_000_000;

/** What makes an executed notebook big: total bytes, and the bytes of each output MIME type. */
export function notebookSize(file: string): { bytes: number; byMime: Record<string, number>; figures: number } {
  const text = fs.readFileSync(file, "utf8");
  const nb = JSON.parse(text) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  const byMime: Record<string, number> = {};
  let figures = 0;
  for (const c of nb.cells)
    for (const o of c.outputs ?? [])
      for (const [k, v] of Object.entries(o.data ?? {})) {
        byMime[k] = (byMime[k] ?? 0) + JSON.stringify(v).length;
        if (k === "application/vnd.plotly.v1+json") figures++;
      }
  return { bytes: Buffer.byteLength(text), byMime, figures };
}

/** An error line when the executed notebook is over `maxBytes`, naming the largest output types; else undefined. */
export function sizeProblem(file: string, maxBytes = DEFAULT_MAX_BYTES): string | undefined {
  const s = notebookSize(file);
  if (s.bytes <= maxBytes) return undefined;
  const top = Object.entries(s.byMime)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)} MB`)
    .join(", ");
  return `${path.basename(file)} is ${(s.bytes / 1e6).toFixed(2)} MB, over the ${(maxBytes / 1e6).toFixed(2)} MB limit (largest outputs: ${top}); store figures once with display.plot and keep tables short`;
}

function main(): number {
  const size = process.argv.includes("--full") ? "full" : "quick";
  const only = arg("only")
    ?.split(",")
    .map((s) => s.replace(/\.ipynb$/, ""));
  const outDir = path.resolve(arg("out") ?? path.join(root, "out", "notebooks"));
  const timeout = arg("timeout") ?? (size === "quick" ? "1800" : "0");
  const maxBytes = arg("max-mb") !== undefined ? Number(arg("max-mb")) * 1e6 : DEFAULT_MAX_BYTES;
  const resultsDir = path.resolve(arg("results") ?? path.join(root, "out", "results"));
  const nbDir = path.join(root, "notebooks");
  const names = fs
    .readdirSync(nbDir)
    .filter((f) => f.endsWith(".ipynb"))
    .map((f) => f.replace(/\.ipynb$/, ""))
    .filter((n) => !only || only.includes(n))
    .sort();
  if (only && names.length !== only.length) {
    console.error(`unknown notebook(s): ${only.filter((n) => !names.includes(n)).join(", ")}`);
    return 2;
  }
  const py = findJupyterPython();
  if (!py) {
    console.error(
      "No Python with nbclient/nbconvert found. Install Debian's jupyter-nbconvert jupyter-client python3-ipykernel (see environment.md), or set GEOINV_PYTHON.",
    );
    return 2;
  }
  const env = {
    ...process.env,
    GEOINV_SIZE: size,
    GEOINV_RESULTS_DIR: resultsDir,
    JUPYTER_PATH: [path.join(root, "kernel"), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
  };
  console.log(
    `running ${names.length} notebook(s), size ${size}, output ${path.relative(process.cwd(), outDir) || "."}`,
  );
  let failed = 0;
  const t0 = Date.now();
  for (const n of names) {
    const t = Date.now();
    const before = clearRecord(resultsDir, n);
    const r = spawnSync(
      py,
      [
        path.join(root, "scripts", "run_notebook.py"),
        path.join(nbDir, `${n}.ipynb`),
        outDir,
        "--timeout",
        timeout,
        "--plotly-js",
        require.resolve("plotly.js-dist-min"),
      ],
      {
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    stampRecord(resultsDir, n, before, Number(secs), r.status === 0);
    const executed = path.join(outDir, `${n}.ipynb`);
    const big = r.status === 0 && fs.existsSync(executed) ? sizeProblem(executed, maxBytes) : undefined;
    const mb = fs.existsSync(executed) ? ` ${(fs.statSync(executed).size / 1e6).toFixed(2)} MB` : "";
    if (!report(n, r.status === 0, r.stderr || "", `${secs} s`, mb, big)) failed++;
  }
  console.log(`notebooks run in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`notebooks: ${names.length - failed} passed, ${failed} failed`);
  if (size === "quick" && !process.argv.includes("--no-check") && !checkResults(resultsDir, names)) return 1;
  return failed > 0 ? 1 : 0;
}

/**
 * One notebook's line: "ok" with the runner's notes (stderr lines "geoinv-note: ...", e.g. a kernel
 * that had to be started twice), or "FAIL" with why. Returns whether it passed.
 */
function report(n: string, ran: boolean, stderr: string, secs: string, mb: string, big: string | undefined): boolean {
  if (ran && !big) {
    console.log(`ok    ${n}  ${secs}${mb}`);
    for (const l of stderr.split("\n").filter((x) => x.startsWith("geoinv-note: ")))
      console.log(`      ${l.slice("geoinv-note: ".length)}`);
    return true;
  }
  if (big) {
    console.log(`FAIL  ${n}  ${secs}${mb}`);
    console.log(`      ${big}`);
    return false;
  }
  console.log(`FAIL  ${n}  ${secs}`);
  process.stdout.write(
    stderr
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n") + "\n",
  );
  return false;
}

const loadavg = () => os.loadavg().map((x) => Number(x.toFixed(2)));

interface RunStart {
  load: number[];
  commit: string;
  dirty: boolean;
}

/** Remove a notebook's old record (and figures) before it runs; note the load and the commit. */
function clearRecord(resultsDir: string, n: string): RunStart {
  fs.rmSync(path.join(resultsDir, `${n}.json`), { force: true });
  fs.rmSync(path.join(resultsDir, n), { recursive: true, force: true });
  const git = (args: string[]) => (spawnSync("git", args, { cwd: root, encoding: "utf8" }).stdout ?? "").trim();
  // the record's own outputs (docs/results: the collected JSON, the figures) do not make a run dirty:
  // `npm run results --only A,B` renders A's figures before B runs
  const dirty = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs/results"]) !== "";
  return { load: loadavg(), commit: git(["rev-parse", "HEAD"]), dirty };
}

/** Add the notebook's wall time, the load around it and the commit it ran at to its record. */
function stampRecord(resultsDir: string, n: string, start: RunStart, wall: number, ok: boolean): void {
  const file = path.join(resultsDir, `${n}.json`);
  if (!fs.existsSync(file)) return;
  const record = JSON.parse(fs.readFileSync(file, "utf8")) as NotebookResults;
  const { load, commit, dirty } = start;
  record.run = { wall_s: wall, load_before: load, load_after: loadavg(), ok, commit, dirty };
  fs.writeFileSync(file, JSON.stringify(record, null, 1) + "\n");
}

/** Check the records of the notebooks that ran against docs/results/results-quick.json; false on a moved result. */
function checkResults(resultsDir: string, names: string[]): boolean {
  const committed = path.join(root, "docs", "results", "results-quick.json");
  if (!fs.existsSync(committed)) return true;
  const mine = Object.fromEntries(Object.entries(readResultsDir(resultsDir)).filter(([nb]) => names.includes(nb)));
  const checks = compareResults(JSON.parse(fs.readFileSync(committed, "utf8")) as CollectedResults, mine);
  console.log(checkReport(checks));
  if (!checks.some((c) => c.status === "fail")) return true;
  console.log(
    "      a recorded result moved outside its band: fix the change, or if the new number is right, " +
      "re-record it with `npm run results -- --quick --only NOTEBOOK` and say why in the commit",
  );
  return false;
}

if (require.main === module) process.exitCode = main();
