/**
 * Issue 14's search target on the ten-layer example (examples/tem_l10_ip2.json: NP 120, at most
 * 400 generations, target RMS 0.3, 2 workers): over seeds 1..N, how many reach RMS 0.3 (after
 * the DE and its LM polish, both inversion defaults, restarts on) and the wall time of each; and
 * how many succeed by the truth check (the best objective at or below the true model's, at the
 * final lambda: issue 14's definition of success on synthetic problems). `--target R` replaces the
 * config's target RMS (0: none, the DE runs all its generations).
 *
 *   npx tsx bench/ten-layer-seeds.ts [--seeds 10] [--workers 2] [--polish-every N] [--p P]
 *     [--target R] [--restart JSON] [--np N] [--out bench/results/ten-layer-seeds.json]
 *
 * `--np N` replaces the config's population size (a diagnostic: does a larger population find the
 * truth's basin? Not a way to choose a default, since this is a reported problem).
 */
import * as fs from "fs";
import * as path from "path";
import { invert, inversionPool, parseInvertConfig, truthCheck, withSyntheticData } from "../src/inversion";
import type { RestartOptions } from "../src/optim";
import { arg, hasFlag, loadAverages, machine } from "./support";

const seeds = Number(arg("--seeds", "10"));
const workers = Number(arg("--workers", "2"));
const out = arg("--out", path.join(__dirname, "results", "ten-layer-seeds.json"));
/** LM polish of the best every this many generations (0: only after the DE; not given: DEFAULT_POLISH_EVERY). */
const polishEvery = hasFlag("--polish-every") ? Number(arg("--polish-every", "")) : undefined;
/** JADE's p (not given: the config's, else the inversion's DEFAULT_P). */
const pBest = hasFlag("--p") ? Number(arg("--p", "")) : undefined;
/** Restart settings over the inversion's defaults, as JSON (e.g. '{"generations":100,"local":0}'). */
const restart = hasFlag("--restart") ? (JSON.parse(arg("--restart", "{}")) as RestartOptions) : undefined;
/** Target RMS that stops the DE (not given: the config's 0.3; 0: none). */
const targetRms = hasFlag("--target") ? Number(arg("--target", "")) : undefined;
const np = hasFlag("--np") ? Number(arg("--np", "")) : undefined;

async function main() {
  const cfg = parseInvertConfig(
    JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tem_l10_ip2.json"), "utf8")),
  );
  const problem = withSyntheticData(cfg);
  const pool = inversionPool(problem, workers);
  const loadStart = loadAverages();
  const rows: Record<string, unknown>[] = [];
  try {
    for (let seed = 1; seed <= seeds; seed++) {
      const t0 = Date.now();
      const r = await invert(problem, {
        ...cfg.optimizer,
        seed,
        pool,
        polish: polishEvery !== undefined ? { every: polishEvery } : cfg.optimizer.polish,
        p: pBest ?? cfg.optimizer.p,
        ...(np !== undefined ? { np } : {}),
        targetRms: targetRms === undefined ? cfg.optimizer.targetRms : targetRms || undefined,
        ...(restart ? { restart } : {}),
      });
      const seconds = (Date.now() - t0) / 1000;
      const target = targetRms ?? cfg.optimizer.targetRms ?? 0.3;
      const truth = cfg.model ? truthCheck(problem, cfg.model, r) : null;
      rows.push({
        seed,
        reached: target > 0 ? r.misfit.rms <= target : null,
        truth_success: truth ? truth.success : null,
        truth,
        rms: r.misfit.rms,
        stop: r.stopReason,
        generations: r.generations,
        evaluations: r.evaluations,
        restarts: r.restarts.length,
        polish: r.polish,
        seconds,
      });
      console.log(
        `seed ${seed}: rms ${r.misfit.rms.toFixed(3)} ${target > 0 ? (r.misfit.rms <= target ? "reached" : "MISSED") : "(no target)"}, truth check ${truth ? (truth.success ? "success" : "FAIL") : "-"} (${r.stopReason} at generation ${r.generations}, polish ${r.polish ? `${r.polish.before.toPrecision(4)} -> ${r.polish.after.toPrecision(4)}` : "none"}), ${seconds.toFixed(1)} s [load ${loadAverages()}]`,
      );
    }
  } finally {
    await pool.close();
  }
  const secs = rows.map((r) => r.seconds as number).sort((a, b) => a - b);
  const doc = {
    command: `npx tsx bench/ten-layer-seeds.ts --seeds ${seeds} --workers ${workers}${polishEvery !== undefined ? ` --polish-every ${polishEvery}` : ""}${pBest !== undefined ? ` --p ${pBest}` : ""}${targetRms !== undefined ? ` --target ${targetRms}` : ""}${restart ? ` --restart '${JSON.stringify(restart)}'` : ""}${np !== undefined ? ` --np ${np}` : ""}`,
    machine: machine(),
    load_start: loadStart,
    load_end: loadAverages(),
    date: new Date().toISOString(),
    reached: rows.filter((r) => r.reached === true).length,
    truth_success: rows.filter((r) => r.truth_success === true).length,
    seeds,
    median_seconds:
      secs.length % 2 ? secs[secs.length >> 1] : 0.5 * (secs[secs.length / 2 - 1] + secs[secs.length / 2]),
    runs: rows,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  console.log(
    `reached ${doc.reached}/${seeds}, truth check ${doc.truth_success}/${seeds}, median ${doc.median_seconds.toFixed(1)} s`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
