/**
 * Does tfjs-backend-wasm's threaded SIMD build work under Node (issue 16 part 8)? Three ways of
 * loading it, each in its own process, asked for 2 threads (setThreadsCount(2)):
 *
 *   node --import tsx bench/tcn-wasm-threads.ts [--reps 20]
 *
 * - stock: as src/tcn/backend.ts loads wasm. tfjs sets WASM_HAS_MULTITHREAD_SUPPORT false under
 *   Node (tfjs issue 3830), so the single-threaded SIMD binary loads.
 * - forced: the flag set true. emscripten's pthread workers are created from blob: URLs, which
 *   Node's worker_threads refuses (ERR_WORKER_PATH), and the backend fails to initialise.
 * - patched: the flag set true and URL.createObjectURL replaced, so that the pthread worker and
 *   the main script it imports are real files in a temporary directory.
 * Each prints the thread count XNNPACK reports and the fastest of --reps timings of one fused
 * conv2d of the TCN's size ([50, 1, 500, 6] input, kernel 1x5, 6 -> 6 channels, dilation 1).
 */
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const mode = process.argv[process.argv.indexOf("--mode") + 1];
const reps = Number(process.argv.includes("--reps") ? process.argv[process.argv.indexOf("--reps") + 1] : "20");

async function child(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  const pkg = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  if (mode !== "forced") tf.enableProdMode(); // in prod mode tfjs would not log why the forced load fails
  if (mode !== "stock") tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  if (mode === "patched") {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tfjs-wasm-threads-"));
    const main = path.join(tmp, "main.js");
    const factory = path.join(pkg, "wasm-out", "tfjs-backend-wasm-threaded-simd.js");
    fs.writeFileSync(main, `var WasmBackendModuleThreadedSimd = require(${JSON.stringify(factory)});\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { wasmWorkerContents } = require(path.join(pkg, "wasm-out", "tfjs-backend-wasm-threaded-simd.worker.js"));
    const worker = path.join(tmp, "worker.js");
    const prelude = `URL.createObjectURL = () => ${JSON.stringify(main)}; URL.revokeObjectURL = () => {};\n`;
    fs.writeFileSync(worker, prelude + (wasmWorkerContents as string).replace(/\n/g, "\\n"));
    URL.createObjectURL = () => worker;
  }
  wasm.setThreadsCount(2);
  wasm.setWasmPaths(path.join(pkg, "dist") + path.sep);
  const timer = setTimeout(() => {
    console.log(JSON.stringify({ mode, error: "backend did not initialise within 120 s" }));
    process.exit(0);
  }, 120000);
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') returned false");
    await tf.ready();
  } catch (e) {
    console.log(JSON.stringify({ mode, error: String((e as Error)?.message ?? e).split("\n")[0] }));
    process.exit(0);
  }
  clearTimeout(timer);
  const x = tf.randomNormal([50, 1, 500, 6]) as tf.Tensor4D;
  const w = tf.randomNormal([1, 5, 6, 6]) as tf.Tensor4D;
  const bias = tf.zeros([6]) as tf.Tensor1D;
  const conv = () =>
    tf.fused.conv2d({
      x,
      filter: w,
      strides: 1,
      pad: [
        [0, 0],
        [0, 0],
        [2, 2],
        [0, 0],
      ],
      bias,
      activation: "relu",
    });
  conv().dispose();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    conv().dispose();
    best = Math.min(best, performance.now() - t);
  }
  // the emscripten module of the threaded build has a PThread object with its worker pool
  const mod = (
    tf.backend() as unknown as { wasm: { PThread?: { unusedWorkers: unknown[]; runningWorkers: unknown[] } } }
  ).wasm;
  const pool = mod.PThread ? mod.PThread.unusedWorkers.length + mod.PThread.runningWorkers.length : 0;
  console.log(
    JSON.stringify({
      mode,
      threads: wasm.getThreadsCount(),
      conv_ms: best,
      threadedBuild: !!mod.PThread,
      pthreadWorkers: pool,
      running: mod.PThread?.runningWorkers.length ?? 0,
    }),
  );
  process.exit(0);
}

if (process.argv.includes("--mode")) {
  void child();
} else {
  process.stdout.write(`load average ${os.loadavg()[0].toFixed(1)} (${os.cpus().length} cores)\n`);
  for (const m of ["stock", "forced", "patched"]) {
    const run = spawnSync(process.execPath, ["--import", "tsx", __filename, "--mode", m, "--reps", String(reps)], {
      encoding: "utf8",
    });
    const r = JSON.parse(run.stdout.trim().split("\n").pop()!);
    // the reason tfjs only logs: the first Node error code on stderr (ERR_WORKER_PATH for 'forced')
    const code = /\b(ERR_[A-Z_]+)\b/.exec(run.stderr)?.[1];
    if (r.error && code) r.error += ` (stderr: ${code})`;
    const build = r.threadedBuild
      ? `threaded SIMD build, ${r.pthreadWorkers} pthread workers (${r.running} running)`
      : "SIMD build";
    const what = r.error
      ? `fails: ${r.error}`
      : `${build}; XNNPACK threads ${r.threads}, fused conv2d ${r.conv_ms.toFixed(3)} ms`;
    process.stdout.write(`${m}: ${what}\n`);
  }
}
