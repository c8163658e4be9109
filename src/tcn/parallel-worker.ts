import * as tf from "@tensorflow/tfjs";
import { parentPort, workerData } from "worker_threads";
import { BackendName, initBackend } from "./backend";
import "./layers"; // registers the custom layer classes before the load
import { isTrainWorker, trainWorker } from "./parallel-train";
import { TcnKernel } from "./kernel";
import { predictRows } from "./train";

/**
 * Worker of TcnPredictPool (parallel.ts): initialises the backend it is given, loads the model
 * once, then answers each { batch } message with predictRows(model, batch, batch length), so a
 * batch is computed exactly as the calling thread would compute it. A geoinv TCN's wasm kernel is
 * made once (its weights read once: ~0.5 ms, a sixth of a 50-trace batch) and runs every batch,
 * as predictRows would; the pool checked the batch on the calling thread. Started by
 * runPretrainMany or runFitsMany (parallel-train.ts), it runs the training jobs it is sent instead.
 */

interface Init {
  backend: BackendName;
  topology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

interface Batch {
  type: "batch";
  run: number;
  id: number;
  lengths: number[];
  packed: Float32Array;
}

const port = parentPort!;

async function start(): Promise<void> {
  const init = workerData as Init;
  await initBackend({ prefer: init.backend, quiet: true });
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: init.topology, weightSpecs: init.weightSpecs, weightData: init.weightData }),
  );
  const kernel = TcnKernel.fromModel(model);
  port.on("message", (m: Batch) => {
    try {
      const rows: Float32Array[] = [];
      let o = 0;
      for (const n of m.lengths) {
        rows.push(m.packed.subarray(o, o + n));
        o += n;
      }
      const out = kernel ? kernel.predict(rows) : predictRows(model, rows, rows.length);
      port.postMessage(
        { type: "result", run: m.run, id: m.id, rows: out },
        out.map((r) => r.buffer as ArrayBuffer),
      );
    } catch (e) {
      port.postMessage({ type: "error", run: m.run, id: m.id, message: (e as Error).message });
    }
  });
  port.postMessage({ type: "ready" });
}

if (isTrainWorker(workerData)) void trainWorker(workerData, port, (m, transfer) => port.postMessage(m, transfer ?? []));
else start().catch((e) => port.postMessage({ type: "error", message: String((e as Error)?.stack ?? e) }));
