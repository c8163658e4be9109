/**
 * TEM inversion benchmark (issue 4): wall time and forward evaluations per second of the
 * three-layer (NP 36) and ten-layer (NP 120) inversions of examples/, serial and with worker
 * threads; and the time to reach the target misfit.
 *
 *   npx tsx bench/inversion.ts [--workers 2] [--quick] [--out bench/results/inversion.json]
 *
 * Targets (issue 4): three-layer under 5 s, ten-layer under 60 s on 2 cores.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { invert, inversionPool, InvertOptions, parseInvertConfig, withSyntheticData } from "../src/inversion";
import { arg, hasFlag } from "./support";

const workers = Number(arg("--workers", "2"));
const quick = hasFlag("--quick");
const out = arg("--out", "");
const root = path.resolve(__dirname, "..");

interface Row {
  case: string;
  mode: string;
  workers: number;
  generations: number;
  evaluations: number;
  seconds: number;
  evalsPerSecond: number;
  rms: number;
  stop: string;
}

async function bench(name: string, file: string, fixedGenerations: number, seeds: number[]): Promise<Row[]> {
  const cfg = parseInvertConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8")));
  const problem = withSyntheticData(cfg);
  const rows: Row[] = [];
  const pool = inversionPool(problem, workers);
  await pool.whenReady(); // thread start-up and module loading are not timed
  const go = async (mode: string, o: InvertOptions, w: number) => {
    const t0 = performance.now();
    const r = await invert(problem, { ...cfg.optimizer, ...o, ...(w > 1 ? { pool } : { workers: 1 }) });
    const s = (performance.now() - t0) / 1000;
    const row = {
      case: name,
      mode,
      workers: w,
      generations: r.generations,
      evaluations: r.evaluations,
      seconds: s,
      evalsPerSecond: r.evaluations / s,
      rms: r.misfit.rms,
      stop: r.stopReason,
    };
    console.log(
      `${name.padEnd(12)} ${mode.padEnd(22)} workers ${w}  gens ${String(r.generations).padStart(4)}  evals ${String(r.evaluations).padStart(6)}  ${s.toFixed(2).padStart(7)} s  ${row.evalsPerSecond.toFixed(0).padStart(5)} evals/s  rms ${r.misfit.rms.toPrecision(3)} (${r.stopReason})`,
    );
    rows.push(row);
  };
  for (const w of [1, workers])
    await go(`${fixedGenerations} generations`, { maxGenerations: fixedGenerations, targetRms: undefined, seed: 1 }, w);
  for (const seed of seeds) await go(`to target, seed ${seed}`, { seed }, workers);
  await pool.close();
  return rows;
}

async function main() {
  const load0 = os.loadavg()[0];
  const rows = [
    ...(await bench("three-layer", "tem_h3_ip_middle.json", 50, quick ? [1] : [1, 2, 3])),
    ...(await bench("ten-layer", "tem_l10_ip2.json", quick ? 10 : 30, quick ? [] : [1, 2, 3])),
  ];
  const result = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      loadavg_start: load0,
      loadavg_end: os.loadavg()[0],
    },
    workers,
    rows,
  };
  console.log(
    `load average (1 min) at start ${load0.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`,
  );
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(result, null, 1));
  }
}
main();
