// Worker-thread entry of WorkerPool (src/optim/pool.ts). Plain JavaScript so that a worker can
// start from any host (node + tsx, the tslab kernel, a bare node process): it installs tsx's
// CommonJS hook, then loads the objective's TypeScript module and builds the objective once.
"use strict";
require("tsx/cjs");
const { parentPort, workerData } = require("worker_threads");

let objective;
try {
  const mod = require(workerData.module);
  const factory = mod[workerData.factory];
  if (typeof factory !== "function") {
    throw new Error(`${workerData.module} has no exported function '${workerData.factory}'`);
  }
  objective = factory(workerData.args);
  parentPort.postMessage({ type: "ready" });
} catch (e) {
  parentPort.postMessage({ type: "error", id: -1, error: String((e && e.stack) || e) });
}

parentPort.on("message", (msg) => {
  try {
    const values = objective(msg.xs);
    parentPort.postMessage({ type: "result", id: msg.id, values });
  } catch (e) {
    parentPort.postMessage({ type: "error", id: msg.id, error: String((e && e.stack) || e) });
  }
});
