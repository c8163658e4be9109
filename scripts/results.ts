/**
 * `npm run results [-- --quick|--full] [--only NAME[,NAME]] [--collect-only] [--no-figures]`
 *
 * The results record (issue 15, part 1). Runs the notebooks that record results (RESULT_NOTEBOOKS),
 * one at a time through `npm run notebooks` (default full size; `--quick` for the quick twin), and
 * collects what each recorded in out/results/NOTEBOOK.json into docs/results/results-SIZE.json with
 * the commit, the command, the seeds, the wall time of each notebook, the machine and its load
 * before and after. A notebook that is not run this time keeps its previous entry (each notebook
 * carries its own commit). Then it renders the recorded figures to small PNGs in
 * docs/results/figures/ (headless Chromium through scripts/screenshot.ts; total kept under 5 MB) and
 * writes docs/results/README.md from the JSON files.
 *
 * `--collect-only` skips running and collects the records already in out/results (e.g. after
 * `npm run notebooks -- --quick`). The committed results-quick.json is what the notebook runner and
 * test/results.test.ts check a new quick run against, within each number's band.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { figureHtml, plotlyBundle } from "../src/display";
import {
  CollectedNotebook,
  CollectedResults,
  NotebookResults,
  readResultsDir,
  ResultEntry,
  Tolerance,
} from "../src/results";

const root = path.resolve(__dirname, "..");
const docsDir = path.join(root, "docs", "results");
const figDir = path.join(docsDir, "figures");
const resultsDir = path.join(root, "out", "results");
const MAX_FIGURE_BYTES = 5_000_000;

/** The notebooks that record results, in order. */
export const RESULT_NOTEBOOKS = [
  "10_tcn_noise_test",
  "11_tcn_pretrain_marmousi",
  "12_tcn_transfer_overthrust",
  "13_tcn_volve",
  "20_tem_forward",
  "21_tem_de_three_layer",
  "22_tem_de_ten_layer",
  "23_tem_field_inversion",
  "24_tem_equivalence_uncertainty",
  "25_tem_survey_section",
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function git(args: string[]): string {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

function machine(): CollectedResults["machine"] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

interface Extra {
  commit: string;
  dirty: boolean;
  command: string;
}

type Stored = CollectedNotebook & Partial<Extra>;

function readCollected(file: string): CollectedResults | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as CollectedResults) : undefined;
}

/** Render each recorded figure to docs/results/figures/NOTEBOOK--NAME.png. */
function renderFigures(nb: NotebookResults): string[] {
  const out: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-results-fig-"));
  const bundle = plotlyBundle();
  for (const name of nb.figures) {
    const src = path.join(resultsDir, nb.notebook, `${name}.json`);
    if (!fs.existsSync(src)) continue;
    const fig = JSON.parse(fs.readFileSync(src, "utf8")) as {
      data: Record<string, unknown>[];
      layout?: Record<string, unknown>;
    };
    const layout: Record<string, unknown> = { ...(fig.layout ?? {}), width: 900 };
    const height = Math.round((layout.height as number | undefined) ?? 450);
    const html =
      `<!doctype html><html><head><meta charset="utf-8"><script>${bundle.replace(/<\/(script)/gi, "<\\/$1")}</script>` +
      `<style>body{margin:0;background:#fff}</style></head><body>${figureHtml({ data: fig.data, layout, config: { staticPlot: true } }, "fig")}</body></html>`;
    const page = path.join(tmp, `${name}.html`);
    fs.writeFileSync(page, html);
    fs.mkdirSync(figDir, { recursive: true });
    const png = path.join(figDir, `${nb.notebook}--${name}.png`);
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(root, "scripts", "screenshot.ts"),
        page,
        png,
        "--width",
        "900",
        "--height",
        String(height),
      ],
      { cwd: root, encoding: "utf8" },
    );
    if (r.status === 0 && fs.existsSync(png)) out.push(path.relative(docsDir, png));
    else console.error(`figure ${nb.notebook}/${name}: ${(r.stderr || r.stdout).trim().split("\n").pop()}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}

function fmtNum(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

function fmtCell(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return fmtNum(v);
  return String(v).replace(/\|/g, "\\|");
}

function bandText(t?: Tolerance): string {
  if (!t) return "not checked";
  return [t.abs !== undefined ? `± ${fmtNum(t.abs)}` : "", t.rel !== undefined ? `± ${fmtNum(100 * t.rel)} %` : ""]
    .filter(Boolean)
    .join(" + ");
}

function entryMarkdown(name: string, e: ResultEntry): string[] {
  if (e.kind === "value") return [];
  const rows = e.rows ?? [];
  const cols = Array.from(new Set(rows.flatMap((r) => Object.keys(r))));
  const lines = [
    `**${name}**${e.note ? ` (${e.note})` : ""}; band: ${bandText(e.tol)}${e.tol ? ` (${e.tol.reason})` : ""}`,
    "",
  ];
  lines.push(`| ${cols.join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`);
  for (const r of rows) lines.push(`| ${cols.map((c) => fmtCell(r[c])).join(" | ")} |`);
  lines.push("");
  return lines;
}

/**
 * What a reader needs to know about each notebook's record beside its numbers: `both` for either
 * size, then the budgets of the size shown (as set in the notebook).
 */
const NOTES: Record<string, { both: string; quick: string; full: string }> = {
  "10_tcn_noise_test": {
    both: "Marmousi-2 pre-training with noise-free and noisy seismic (noise RMS as a fraction of the clean section's RMS), scored on the test traces.",
    quick:
      "Quick size: 120 training traces, 40 epochs, one seed. At quick size the noise costs little: the paper's claim is qualitative.",
    full: "Full size: the 1:1:4 split (284 training traces), the 0 and 20 % runs up to 1000 epochs with early stopping (patience 100), the sweep 300 epochs per level without early stopping; one seed. Trainings run two at a time, one per core.",
  },
  "11_tcn_pretrain_marmousi": {
    both: "The pre-trained model of the transfer workflow, the padding comparison (validation and test traces), and the random 1:1:4 split against the spatially blocked one, each scored on its own test traces.",
    quick: "Quick size: 120 training and 60 validation traces, 40 epochs, three split seeds.",
    full: "Full size: 284 training traces, the pre-trained model up to 1000 epochs with early stopping (patience 100); the padding and split comparisons 300 epochs per run without early stopping, five split seeds. Trainings run two at a time, one per core.",
  },
  "12_tcn_transfer_overthrust": {
    both: "Table 1 (pre-trained applied directly, TCN trained on five wells, transfer), scored without the labelled traces; the spread over five seeds; and the matched against the mismatched target (20 Hz, 90° rotated wavelet, 18.75 m sampling).",
    quick: "Quick size: Table 1 with 300 epochs, the sweeps 150, the domain gap over three seeds with 300 epochs.",
    full: "Full size: 1000 epochs for Table 1, the sweeps and the domain gap (five seeds); the pre-trained model is notebook 11's full-size one. Trainings run two at a time, one per core.",
  },
  "13_tcn_volve": {
    both: "TCN transfer on the Volve well: pre-training on Marmousi-2 windows, the blind test (lower third held back), leave-window-out and the in-sample scores.",
    quick: "Quick size: 3 blind-test seeds, 100 epochs, windows at stride 2, one seed per leave-out block.",
    full: "Full size: 10 blind-test seeds, 300 epochs, windows at stride 1, three seeds per leave-out block; each fold's two trainings run side by side, one per core.",
  },
  "20_tem_forward": {
    both: "The forward engine: deterministic numbers (Ex of the three-layer earths, the Rankin site-1 grid search, the error against the empymod reference cases); the ms per transient are wall times of the machine that ran it.",
    quick: "",
    full: "",
  },
  "21_tem_de_three_layer": {
    both: "Noise-free data from CONVERGED_OPTIONS with tau and c FIXED at the truth (5 ms and 0.5 in every layer) for the recovery, the method comparison and the misfit comparison; the noisy runs (2 %) free tau and c. `misfit_raw` is the paper's eq. 12, `misfit_weighted` the chi-square default.",
    quick: "Quick size: seeds 1 and 2; the misfit comparison 150 generations per misfit.",
    full: "Full size: seeds 1-10; the misfit comparison 300 generations per misfit.",
  },
  "22_tem_de_ten_layer": {
    both: "Thicknesses, tau and c are fixed at the truth except in the tau/c-free run.",
    quick:
      "Quick size stops long before convergence (main run 150 generations, comparison and the tau/c-free run 60, NP 120): the recovery here is of an unconverged search, not the paper's ten-layer result.",
    full: "Full size: the paper's budget, NP 120 and at most 400 generations for the main run and the comparison (seeds 1-10).",
  },
  "23_tem_field_inversion": {
    both: "Rankin Inlet real data and the SYNTHETIC 19-layer wire case; tau and c are free in step 2 of both.",
    quick:
      "Quick size: sites 2 and 20, NP 40, 80 generations per step; the 19-layer case NP 60, 30 generations per step against the paper's NP 400: unconverged.",
    full: "Full size: sites 2, 4, 7, 14 and 20 at NP 100, at most 300 generations per step; the 19-layer case at the paper's NP 400, at most 200 generations per step.",
  },
  "24_tem_equivalence_uncertainty": {
    both: "Posteriors (DREAM(ZS) from the DE population) of the three-layer cases with 2 % noise on data made with the converged engine options, a thin conductor's equivalence and the linearised against the sampled intervals. A posterior may stop at the budget before R-hat < 1.05 and ESS >= 400 (stop_reason says which). The benchmark coverage is copied from bench/results/posterior-search.json, not computed by the notebook.",
    quick: "Quick size: DE 150 generations and a 24000-evaluation budget per posterior.",
    full: "Full size: DE 400 generations and a 400000-evaluation budget per posterior.",
  },
  "25_tem_survey_section": {
    both: "All 22 Rankin soundings.",
    quick:
      "Quick size: DE NP 12, 6 generations per sounding, LCI 12 layers and at most 3 iterations, so the 1-D models are not converged.",
    full: "Full size: the example config's DE (NP 40, 60 generations per sounding) and LCI (20 layers, at most 8 iterations); the synthetic line of six soundings with posteriors: NP 30, 80 generations, 20000 evaluations each.",
  },
};

function notebookMarkdown(nb: Stored, size: string): string[] {
  const lines = [`### ${nb.notebook} (${size})`, ""];
  const note = NOTES[nb.notebook];
  const text = note && [note.both, size === "full" ? note.full : note.quick].filter((t) => t).join(" ");
  if (text) lines.push(text, "");
  lines.push(
    `Commit ${/^[0-9a-f]{40}$/.test(nb.commit ?? "") ? `\`${nb.commit!.slice(0, 12)}\`` : "not recorded (a run before the runner stamped commits)"}` +
      `${nb.dirty ? " (the working tree had uncommitted changes)" : ""}; command \`${nb.command ?? ""}\`; ` +
      `seeds ${nb.seeds.length ? nb.seeds.join(", ") : "–"}; wall time ${fmtNum(nb.wall_s)} s; load average (1/5/15 min) ${nb.load_before.join("/")} before, ` +
      `${nb.load_after.join("/")} after${nb.ok ? "" : "; **the notebook failed**"}.`,
    "",
  );
  const values = Object.entries(nb.entries).filter(([, e]) => e.kind === "value");
  if (values.length) {
    lines.push("| result | value | units | band (why) | note |", "|---|---|---|---|---|");
    for (const [name, e] of values)
      lines.push(
        `| ${name} | ${fmtCell(e.value)} | ${e.units ?? ""} | ${bandText(e.tol)}${e.tol ? ` (${e.tol.reason})` : ""} | ${(e.note ?? "").replace(/\|/g, "\\|")} |`,
      );
    lines.push("");
  }
  for (const [name, e] of Object.entries(nb.entries)) lines.push(...entryMarkdown(name, e));
  const figs = (nb as Stored & { pngs?: string[] }).pngs ?? [];
  for (const f of figs) lines.push(`![${f}](${f})`, "");
  return lines;
}

/** docs/results/README.md from the collected JSON files. */
export function writeReadme(): void {
  const quick = readCollected(path.join(docsDir, "results-quick.json"));
  const full = readCollected(path.join(docsDir, "results-full.json"));
  const lines = [
    "# Results on record",
    "",
    "Generated by `npm run results` (scripts/results.ts) from `results-quick.json` and `results-full.json` in this folder; do not edit by hand.",
    "Each notebook in the list records its key numbers, tables and figures with `openResults` (src/results) into `out/results/`;",
    "the script runs the notebooks one at a time, collects those records with the commit, command, seeds, wall time, machine and load,",
    "renders the figures to PNG (headless Chromium) and writes this page.",
    "",
    "**Check in CI.** `npm run notebooks -- --quick` ends by comparing every recorded quick-size number against `results-quick.json`",
    "within the band recorded with it (absolute and/or relative, with the reason); a number outside its band fails the run.",
    "`test/results.test.ts` repeats the check on the latest local run and skips, saying so, when there is none. Wall times are recorded, not checked.",
    "A result that moves for a good reason is re-recorded with `npm run results -- --quick --only NOTEBOOK` and the commit says why.",
    "",
    full
      ? `Full-size record: ${Object.keys(full.notebooks).length} notebook(s).`
      : "**No full-size record yet.** Every number below is from the QUICK size (`GEOINV_SIZE=quick`: fewer seeds, generations, epochs and sites " +
        "than the papers; the notebooks say what each quick budget cuts). A full-size run (`npm run results`) takes hours on a 2-core machine and was " +
        "not possible in the session that set this record up (2 cores shared with other jobs; each notebook's line gives the load average " +
        "around its run); no full-size number is given here, " +
        "and none of the quick numbers should be read as the paper's experiment at its size.",
    "",
  ];
  for (const [size, c] of [
    ["full", full],
    ["quick", quick],
  ] as const) {
    if (!c) continue;
    lines.push(`## ${size === "full" ? "Full size" : "Quick size"}`, "");
    lines.push(
      `Machine: ${c.machine.cpus} × ${c.machine.cpuModel}, ${c.machine.memoryGiB} GiB, Node ${c.machine.node}, ${c.machine.platform}. Last updated ${c.generated}.`,
      "",
    );
    for (const nb of Object.values(c.notebooks)) lines.push(...notebookMarkdown(nb as Stored, size));
  }
  fs.writeFileSync(path.join(docsDir, "README.md"), lines.join("\n"));
  console.log(`wrote ${path.relative(root, path.join(docsDir, "README.md"))}`);
}

function main(): number {
  const size = process.argv.includes("--quick") ? "quick" : "full";
  const only = arg("only")
    ?.split(",")
    .map((s) => s.replace(/\.ipynb$/, ""));
  const names = only ?? RESULT_NOTEBOOKS;
  const unknown = names.filter((n) => !RESULT_NOTEBOOKS.includes(n));
  if (unknown.length) {
    console.error(`not a results notebook: ${unknown.join(", ")} (known: ${RESULT_NOTEBOOKS.join(", ")})`);
    return 2;
  }
  const collectOnly = process.argv.includes("--collect-only");
  const file = path.join(docsDir, `results-${size}.json`);
  fs.mkdirSync(docsDir, { recursive: true });
  const prev = readCollected(file);
  const commit = git(["rev-parse", "HEAD"]);
  // as in run-notebooks.ts: the record's own outputs (docs/results) do not count as uncommitted changes
  const dirty = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs/results"]) !== "";
  const notebooks: Record<string, Stored> = { ...((prev?.notebooks ?? {}) as Record<string, Stored>) };
  let failed = 0;
  for (const n of names) {
    const command = collectOnly
      ? `npm run notebooks -- --${size} --only ${n}`
      : `npm run results -- --${size} --only ${n}`;
    if (!collectOnly) {
      spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(root, "scripts", "run-notebooks.ts"), `--${size}`, "--only", n, "--no-check"],
        { cwd: root, stdio: "inherit" },
      );
    }
    const rec = readResultsDir(resultsDir)[n];
    if (!rec || rec.size !== size || !rec.run) {
      console.error(
        `${n}: no ${size} record from the notebook runner in ${path.relative(root, resultsDir)}; keeping the previous entry`,
      );
      failed++;
      continue;
    }
    if (!rec.run.ok) failed++;
    const { run, ...rest } = rec;
    const stored: Stored & { pngs?: string[] } = {
      ...rest,
      wall_s: run.wall_s,
      load_before: run.load_before,
      load_after: run.load_after,
      ok: run.ok,
      // the commit the notebook ran at (the runner records it; records made before it did say so)
      commit: run.commit ?? "not recorded",
      dirty: run.dirty ?? true,
      command,
    };
    if (!process.argv.includes("--no-figures")) stored.pngs = renderFigures(rec);
    notebooks[n] = stored;
  }
  const collected: CollectedResults = {
    size,
    generated: new Date().toISOString(),
    commit,
    dirty,
    command: `npm run results -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: machine(),
    notebooks: Object.fromEntries(RESULT_NOTEBOOKS.filter((n) => notebooks[n]).map((n) => [n, notebooks[n]])),
  };
  fs.writeFileSync(file, JSON.stringify(collected, null, 1) + "\n");
  console.log(`wrote ${path.relative(root, file)}`);
  const figBytes = fs.existsSync(figDir)
    ? fs.readdirSync(figDir).reduce((s, f) => s + fs.statSync(path.join(figDir, f)).size, 0)
    : 0;
  console.log(`figures: ${(figBytes / 1e6).toFixed(2)} MB in ${path.relative(root, figDir)}`);
  if (figBytes > MAX_FIGURE_BYTES) {
    console.error(`the figures are ${(figBytes / 1e6).toFixed(2)} MB, over the 5 MB limit: record fewer figures`);
    failed++;
  }
  writeReadme();
  return failed > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
