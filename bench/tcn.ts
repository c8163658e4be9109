/**
 * TCN speed: training time per epoch and inference traces/s for each TensorFlow.js backend that
 * loads here, against PyTorch (CPU, one thread) running the same network (bench/tcn_torch.py,
 * skipped when /usr/bin/python3 has no torch).
 *
 *   node --import tsx bench/tcn.ts [--traces 450] [--samples 500] [--epochs 3] [--repeat 2] [--backends node,wasm,cpu]
 *   node --import tsx bench/tcn.ts --infer-only [--threads 1,2] [--repeat 3] [--reps 5] [--infer-batch 50]
 *     [--engine tfjs]
 *
 * The second form times inference only, ours (predictRows on the geoinv wasm kernel; more than one
 * thread: predictParallel's worker pool; --engine tfjs: tfjs's own convolutions, one thread)
 * against PyTorch at the same thread count, interleaved (see inferParent).
 *
 * Network: Mustafa et al.'s TCN (channels [3,5,5,5,6,6,6,6], kernel 5, dropout 0.2, symmetric
 * padding), Adam lr 1e-3 with weight decay 1e-4, batch 10, MSE; random standardised data (the
 * timing does not depend on the values). Each configuration runs in its own process; the first
 * epoch is a warm-up; the table reports the fastest epoch over all repeats, because the machine is
 * shared and slower epochs measure the neighbours.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface Row {
  impl: string;
  epoch_s: number;
  infer_traces_per_s: number;
  note?: string;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

async function child(): Promise<void> {
  const tf = await import("@tensorflow/tfjs");
  const { initBackend, buildTcn, trainModel, predictRows, TcnPredictPool } = await import("../src/tcn");
  const { predictRowsTfjs } = await import("../src/tcn/internal");
  // --engine tfjs: tfjs's own convolutions (the engine before the wasm kernel), one thread only
  const engine = arg("engine", "kernel");
  if (engine !== "kernel" && engine !== "tfjs") throw new Error(`--engine ${engine}: need kernel or tfjs`);
  const { mulberry32, gaussian } = await import("../src/config");
  const be = await initBackend({ prefer: arg("backend", "wasm") as "wasm", quiet: true });
  const n = Number(arg("traces", "450"));
  const L = Number(arg("samples", "500"));
  const epochs = Number(arg("epochs", "3"));
  const threads = Number(arg("threads", "1"));
  if (engine === "tfjs" && threads > 1) throw new Error("--engine tfjs runs on one thread (the pool runs the kernel)");
  const batch = Number(arg("infer-batch", "50"));
  const reps = Number(arg("reps", "3"));
  const g = gaussian(mulberry32(1));
  const rows = () => Array.from({ length: n }, () => Float32Array.from({ length: L }, g));
  const x = rows();
  const y = rows();
  const model = buildTcn({ seed: 0 });
  const times: number[] = [];
  if (!process.argv.includes("--infer-only")) {
    await trainModel(model, { x, y }, undefined, {
      epochs: epochs + 1,
      batchSize: 10,
      lr: 1e-3,
      weightDecay: 1e-4,
      seed: 0,
      onEpoch: (l) => {
        if (l.epoch > 1) times.push(l.seconds);
      },
    });
  }
  // threads 1: predictRows on this thread; more: a TcnPredictPool (its start is timed apart)
  const t0 = process.hrtime.bigint();
  const pool = threads > 1 ? await TcnPredictPool.create(model, { threads }) : undefined;
  const poolStart = Number(process.hrtime.bigint() - t0) / 1e9;
  const one = engine === "tfjs" ? predictRowsTfjs : predictRows;
  const predict = async () => (pool ? pool.predict(x, batch) : one(model, x, batch));
  await predict(); // warm-up pass
  const rates: number[] = [];
  const cpuRates: number[] = []; // traces per CPU-second of the whole process (all its threads)
  for (let r = 0; r < reps; r++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await predict();
    rates.push(n / (Number(process.hrtime.bigint() - t) / 1e9));
    const dc = process.cpuUsage(c);
    cpuRates.push(n / ((dc.user + dc.system) / 1e6));
  }
  await pool?.close();
  const what = `tfjs ${tf.version.tfjs} ${be.tfName}${engine === "kernel" ? " (inference: geoinv wasm kernel)" : ""}`;
  const impl = `${what}${threads > 1 ? ` ${threads} workers` : ""}`;
  process.stdout.write(
    JSON.stringify({
      impl,
      threads,
      epoch_s: times.length ? Math.min(...times) : null,
      epoch_s_all: times,
      infer_traces_per_s: Math.max(...rates),
      infer_traces_per_s_all: rates,
      infer_traces_per_cpu_s: Math.max(...cpuRates),
      pool_start_s: pool ? poolStart : 0,
    }) + "\n",
  );
}

/** The JSON object a child prints on its last line of stdout. */
const lastJson = <T>(out: string): T => JSON.parse(out.trim().split("\n").pop()!) as T;

/** What bench/tcn_torch.py prints: its row, or why it skipped. */
type TorchRow = Row & InferRun & { skipped?: string; version: string };

/** Run this script as a child with `args` after --child; its stdout. */
function runChild(args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", __filename, "--child", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function parent(): void {
  const traces = arg("traces", "450");
  const samples = arg("samples", "500");
  const epochs = arg("epochs", "3");
  const repeat = Number(arg("repeat", "2"));
  const backends = arg("backends", "node,wasm,cpu").split(",");
  const best = new Map<string, Row>();
  const keep = (r: Row) => {
    const b = best.get(r.impl);
    if (!b) best.set(r.impl, r);
    else
      best.set(r.impl, {
        ...b,
        epoch_s: Math.min(b.epoch_s, r.epoch_s),
        infer_traces_per_s: Math.max(b.infer_traces_per_s, r.infer_traces_per_s),
      });
  };
  const py = "/usr/bin/python3";
  const torchScript = path.join(__dirname, "tcn_torch.py");
  for (let rep = 0; rep < repeat; rep++) {
    for (const be of backends) {
      // the cpu backend is an order of magnitude slower: one epoch after the warm-up is enough
      const ep = be === "cpu" ? "1" : epochs;
      try {
        const out = runChild(["--backend", be, "--traces", traces, "--samples", samples, "--epochs", ep]);
        const r = lastJson<Row>(out);
        keep(r);
        process.stderr.write(
          `  ${r.impl}: epoch ${r.epoch_s.toFixed(3)} s, inference ${r.infer_traces_per_s.toFixed(0)} traces/s\n`,
        );
      } catch (e) {
        const msg =
          String((e as { stderr?: string }).stderr ?? (e as Error).message)
            .split("\n")
            .find((l) => l.includes("failed to load")) ?? "did not load";
        if (rep === 0) process.stderr.write(`  tfjs ${be}: skipped (${msg.trim()})\n`);
      }
    }
    if (fs.existsSync(py)) {
      try {
        const out = execFileSync(
          py,
          [torchScript, "--traces", traces, "--samples", samples, "--epochs", epochs, "--threads", "1"],
          { encoding: "utf8" },
        );
        const r = lastJson<TorchRow>(out);
        if (r.skipped) {
          if (rep === 0) process.stderr.write(`  pytorch: skipped (${r.skipped})\n`);
        } else {
          keep({
            impl: `pytorch ${r.version} cpu 1 thread`,
            epoch_s: r.epoch_s,
            infer_traces_per_s: r.infer_traces_per_s,
          });
          process.stderr.write(
            `  pytorch: epoch ${r.epoch_s.toFixed(3)} s, inference ${r.infer_traces_per_s.toFixed(0)} traces/s\n`,
          );
        }
      } catch (e) {
        process.stderr.write(`  pytorch: failed (${(e as Error).message.split("\n")[0]})\n`);
      }
    }
  }
  const torch = [...best.values()].find((r) => r.impl.startsWith("pytorch"));
  const lines = [
    `TCN speed, ${traces} traces x ${samples} samples, batch 10 (fastest of ${repeat} runs, first epoch excluded)`,
    "",
    "| implementation | training s/epoch | x PyTorch | inference traces/s | x PyTorch |",
    "|---|---|---|---|---|",
    ...[...best.values()].map(
      (r) =>
        `| ${r.impl} | ${r.epoch_s.toFixed(3)} | ${torch ? (r.epoch_s / torch.epoch_s).toFixed(2) : "-"} | ${r.infer_traces_per_s.toFixed(0)} | ${torch ? (r.infer_traces_per_s / torch.infer_traces_per_s).toFixed(2) : "-"} |`,
    ),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

interface InferRun {
  impl: string;
  infer_traces_per_s: number;
  infer_traces_per_s_all: number[];
  infer_traces_per_cpu_s: number;
  pool_start_s?: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One inference child of ours at `t` threads (see inferParent). */
function tfjsInferRun(common: string[], engine: string, t: number): InferRun {
  const out = runChild(["--infer-only", "--backend", "wasm", "--engine", engine, ...common, String(t)]);
  return lastJson<InferRun>(out);
}

/** One PyTorch inference child at `t` threads, or undefined without torch. */
function torchInferRun(common: string[], t: number): InferRun | undefined {
  const py = "/usr/bin/python3";
  if (!fs.existsSync(py)) return undefined;
  // glibc returns PyTorch's ~600 kB activations to the kernel at every free (mmap threshold), so
  // each op page-faults its output in again: 27k faults and 8x the time per pass here. Keep them
  // on the heap, as tfjs keeps its tensors in the wasm heap.
  const env = { MALLOC_MMAP_THRESHOLD_: "1000000000", MALLOC_TRIM_THRESHOLD_: "1000000000", ...process.env };
  const out = execFileSync(py, [path.join(__dirname, "tcn_torch.py"), "--infer-only", ...common, String(t)], {
    encoding: "utf8",
    env,
  });
  const r = lastJson<TorchRow>(out);
  if (r.skipped) {
    process.stderr.write(`  pytorch: skipped (${r.skipped})\n`);
    return undefined;
  }
  return { ...r, impl: `pytorch ${r.version} cpu` };
}

/**
 * Inference only, tfjs against PyTorch at equal thread counts: for each round and each thread
 * count, one tfjs child (threads 1: predictRows; more: a TcnPredictPool of that many workers) and
 * one PyTorch child (torch.set_num_threads), back to back, their order alternating between rounds.
 * The ratio is formed within a round (the two runs saw nearly the same load) from each child's
 * fastest pass; the table gives the median over rounds and the range. Also per CPU-second (the
 * process's user + system time over all its threads, fastest pass): on a loaded machine that
 * leaves out the time a process waits for a core, so at 1 thread it is the steadier comparison
 * of the two implementations' work; at 2 threads it measures work, not the parallel speed-up.
 * On a loaded machine set OMP_WAIT_POLICY=PASSIVE (inherited by the PyTorch child): with OpenMP's
 * active waiting PyTorch's 2-thread runs were slower than its 1-thread runs at load 15-25.
 */
function inferParent(): void {
  const traces = arg("traces", "450");
  const samples = arg("samples", "500");
  const rounds = Number(arg("repeat", "3"));
  const reps = arg("reps", "5");
  const batch = arg("infer-batch", "50");
  const threadList = arg("threads", "1,2").split(",").map(Number);
  const load0 = os.loadavg();
  const engine = arg("engine", "kernel");
  const common = ["--traces", traces, "--samples", samples, "--infer-batch", batch, "--reps", reps, "--threads"];
  const tfjs = (t: number) => tfjsInferRun(common, engine, t);
  const torch = (t: number) => torchInferRun(common, t);
  const got = new Map<
    number,
    {
      tfjs: number[];
      torch: number[];
      ratio: number[];
      cpuRatio: number[];
      start: number[];
      tfjsImpl: string;
      torchImpl: string;
    }
  >();
  for (let round = 0; round < rounds; round++) {
    for (const t of threadList) {
      const order = round % 2 === 0 ? ["tfjs", "torch"] : ["torch", "tfjs"];
      let a: InferRun | undefined;
      let b: InferRun | undefined;
      for (const which of order) {
        if (which === "tfjs") a = tfjs(t);
        else b = torch(t);
      }
      const g = got.get(t) ?? {
        tfjs: [],
        torch: [],
        ratio: [],
        cpuRatio: [],
        start: [],
        tfjsImpl: a!.impl,
        torchImpl: b ? b.impl : "-",
      };
      g.tfjs.push(a!.infer_traces_per_s);
      g.start.push(a!.pool_start_s ?? 0);
      if (b) {
        g.torch.push(b.infer_traces_per_s);
        g.ratio.push(a!.infer_traces_per_s / b.infer_traces_per_s);
        g.cpuRatio.push(a!.infer_traces_per_cpu_s / b.infer_traces_per_cpu_s);
      }
      got.set(t, g);
      const r = b ? (a!.infer_traces_per_s / b.infer_traces_per_s).toFixed(2) : "-";
      process.stderr.write(
        `  round ${round + 1}, ${t} thread(s): tfjs ${a!.infer_traces_per_s.toFixed(0)}, pytorch ${b ? b.infer_traces_per_s.toFixed(0) : "-"} traces/s, ratio ${r}; per CPU-second ${b ? (a!.infer_traces_per_cpu_s / b.infer_traces_per_cpu_s).toFixed(2) : "-"}\n`,
      );
    }
  }
  const load1 = os.loadavg();
  const f = (v: number[]) => (v.length ? median(v).toFixed(0) : "-");
  const lines = [
    `TCN inference, ${traces} traces x ${samples} samples, batches of ${batch}; ${rounds} rounds, fastest of ${reps} passes per run; load average ${load0[0].toFixed(1)} at the start, ${load1[0].toFixed(1)} at the end (${os.cpus().length} cores)`,
    "",
    "| threads | tfjs traces/s | pytorch traces/s | tfjs / pytorch (median) | range over rounds | per CPU-second: tfjs / pytorch (median, range) | tfjs worker start s |",
    "|---|---|---|---|---|---|---|",
    ...[...got.entries()].map(
      ([t, g]) =>
        `| ${t} | ${f(g.tfjs)} | ${f(g.torch)} | ${g.ratio.length ? median(g.ratio).toFixed(2) : "-"} | ${g.ratio.length ? `${Math.min(...g.ratio).toFixed(2)}-${Math.max(...g.ratio).toFixed(2)}` : "-"} | ${g.cpuRatio.length ? `${median(g.cpuRatio).toFixed(2)} (${Math.min(...g.cpuRatio).toFixed(2)}-${Math.max(...g.cpuRatio).toFixed(2)})` : "-"} | ${t > 1 ? median(g.start).toFixed(1) : "-"} |`,
    ),
    "",
    `tfjs: ${[...got.values()].map((g) => g.tfjsImpl).join(", ")}; pytorch: ${[...got.values()][0]?.torchImpl ?? "-"}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

if (process.argv.includes("--child")) {
  child().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + "\n");
    process.exit(1);
  });
} else if (process.argv.includes("--infer-only")) inferParent();
else parent();
