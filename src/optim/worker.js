// Worker-thread entry of WorkerPool (src/optim/pool.ts). Plain JavaScript so that a worker can
// start from any host (node + tsx, the tslab kernel, a bare node process): it installs tsx's
// CommonJS hook, then loads the objective's TypeScript module and builds the objective once.
"use strict";
require("tsx/cjs");
const { parentPort, workerData } = require("worker_threads");

let objective;
function build(spec) {
  try {
    const mod = require(spec.module);
    const factory = mod[spec.factory];
    if (typeof factory !== "function") {
      throw new Error(`${spec.module} has no exported function '${spec.factory}'`);
    }
    objective = factory(spec.args);
    parentPort.postMessage({ type: "ready" });
  } catch (e) {
    objective = undefined;
    parentPort.postMessage({ type: "error", id: -1, error: String((e && e.stack) || e) });
  }
}
build(workerData);

parentPort.on("message", (msg) => {
  if (msg.type === "configure") return build(msg.spec);
  try {
    const values = objective(msg.xs);
    parentPort.postMessage({ type: "result", id: msg.id, values });
  } catch (e) {
    parentPort.postMessage({ type: "error", id: msg.id, error: String((e && e.stack) || e) });
  }
});
