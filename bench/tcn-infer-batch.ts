/**
 * Single-thread TCN inference against the batch size (issue 16 part 8): predictRows over 450 traces
 * x 500 samples with batches of 10, 25, 50, 150 and 450, interleaved in one process, fastest of 4.
 *
 *   node --import tsx bench/tcn-infer-batch.ts
 */
import { initBackend, buildTcn, predictRows } from "../src/tcn";
import { mulberry32, gaussian } from "../src/config";
(async () => {
  await initBackend({ prefer: "wasm", quiet: true });
  const g = gaussian(mulberry32(1));
  const x = Array.from({ length: 450 }, () => Float32Array.from({ length: 500 }, g));
  const m = buildTcn({ seed: 0 });
  const sizes = [10, 25, 50, 150, 450];
  const best = new Map<number, number>();
  for (const b of sizes) predictRows(m, x, b);
  for (let r = 0; r < 4; r++)
    for (const b of sizes) {
      const t = performance.now();
      predictRows(m, x, b);
      const dt = performance.now() - t;
      best.set(b, Math.min(best.get(b) ?? Infinity, dt));
    }
  console.log([...best].map(([b, t]) => `batch ${b}: ${((450 / t) * 1000).toFixed(0)} traces/s`).join("; "));
})();
