/**
 * TCN speed: training time per epoch and inference traces/s for each TensorFlow.js backend that
 * loads here, against PyTorch (CPU, one thread) running the same network (bench/tcn_torch.py,
 * skipped when /usr/bin/python3 has no torch).
 *
 *   node --import tsx bench/tcn.ts [--traces 450] [--samples 500] [--epochs 3] [--repeat 2] [--backends node,wasm,cpu]
 *
 * Network: Mustafa et al.'s TCN (channels [3,5,5,5,6,6,6,6], kernel 5, dropout 0.2, symmetric
 * padding), Adam lr 1e-3 with weight decay 1e-4, batch 10, MSE; random standardised data (the
 * timing does not depend on the values). Each configuration runs in its own process; the first
 * epoch is a warm-up; the table reports the fastest epoch over all repeats, because the machine is
 * shared and slower epochs measure the neighbours.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
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
  const { initBackend, buildTcn, trainModel, predictRows } = await import("../src/tcn");
  const { mulberry32, gaussian } = await import("../src/config");
  const be = await initBackend({ prefer: arg("backend", "wasm") as "wasm", quiet: true });
  const n = Number(arg("traces", "450"));
  const L = Number(arg("samples", "500"));
  const epochs = Number(arg("epochs", "3"));
  const g = gaussian(mulberry32(1));
  const rows = () => Array.from({ length: n }, () => Float32Array.from({ length: L }, g));
  const x = rows();
  const y = rows();
  const model = buildTcn({ seed: 0 });
  const times: number[] = [];
  await trainModel(model, { x, y }, undefined, { epochs: epochs + 1, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, seed: 0, onEpoch: (l) => { if (l.epoch > 1) times.push(l.seconds); } });
  predictRows(model, x.slice(0, 50), 50);
  const reps = 3;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) predictRows(model, x, 50);
  const inferS = Number(process.hrtime.bigint() - t0) / 1e9 / reps;
  process.stdout.write(JSON.stringify({ impl: `tfjs ${tf.version.tfjs} ${be.tfName}`, epoch_s: Math.min(...times), epoch_s_all: times, infer_traces_per_s: n / inferS }) + "\n");
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
    else best.set(r.impl, { ...b, epoch_s: Math.min(b.epoch_s, r.epoch_s), infer_traces_per_s: Math.max(b.infer_traces_per_s, r.infer_traces_per_s) });
  };
  const py = "/usr/bin/python3";
  const torchScript = path.join(__dirname, "tcn_torch.py");
  for (let rep = 0; rep < repeat; rep++) {
    for (const be of backends) {
      // the cpu backend is an order of magnitude slower: one epoch after the warm-up is enough
      const ep = be === "cpu" ? "1" : epochs;
      try {
        const out = execFileSync(process.execPath, ["--import", "tsx", __filename, "--child", "--backend", be, "--traces", traces, "--samples", samples, "--epochs", ep], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const r = JSON.parse(out.trim().split("\n").pop()!) as Row;
        keep(r);
        process.stderr.write(`  ${r.impl}: epoch ${r.epoch_s.toFixed(3)} s, inference ${r.infer_traces_per_s.toFixed(0)} traces/s\n`);
      } catch (e) {
        const msg = String((e as { stderr?: string }).stderr ?? (e as Error).message).split("\n").find((l) => l.includes("failed to load")) ?? "did not load";
        if (rep === 0) process.stderr.write(`  tfjs ${be}: skipped (${msg.trim()})\n`);
      }
    }
    if (fs.existsSync(py)) {
      try {
        const out = execFileSync(py, [torchScript, "--traces", traces, "--samples", samples, "--epochs", epochs, "--threads", "1"], { encoding: "utf8" });
        const r = JSON.parse(out.trim().split("\n").pop()!);
        if (r.skipped) {
          if (rep === 0) process.stderr.write(`  pytorch: skipped (${r.skipped})\n`);
        } else {
          keep({ impl: `pytorch ${r.version} cpu 1 thread`, epoch_s: r.epoch_s, infer_traces_per_s: r.infer_traces_per_s });
          process.stderr.write(`  pytorch: epoch ${r.epoch_s.toFixed(3)} s, inference ${r.infer_traces_per_s.toFixed(0)} traces/s\n`);
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
    ...[...best.values()].map((r) =>
      `| ${r.impl} | ${r.epoch_s.toFixed(3)} | ${torch ? (r.epoch_s / torch.epoch_s).toFixed(2) : "-"} | ${r.infer_traces_per_s.toFixed(0)} | ${torch ? (r.infer_traces_per_s / torch.infer_traces_per_s).toFixed(2) : "-"} |`,
    ),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

if (process.argv.includes("--child")) {
  child().catch((e) => {
    process.stderr.write(String(e?.stack ?? e) + "\n");
    process.exit(1);
  });
} else parent();
