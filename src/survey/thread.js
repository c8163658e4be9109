// Worker-thread entry of SurveyThreads (src/survey/threads.ts). Plain JavaScript so a thread can start
// from any host (node + tsx, the tslab kernel, a bare node process): it installs tsx's CommonJS hook,
// then loads the survey's task runner and answers {id, task} messages one at a time.
"use strict";
require("tsx/cjs");
const { parentPort } = require("worker_threads");
const { runTask } = require("./tasks.ts");

parentPort.on("message", async (msg) => {
  try {
    const value = await runTask(msg.task);
    parentPort.postMessage({ id: msg.id, value });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String((e && e.stack) || e), name: e && e.name, field: e && e.field });
  }
});
parentPort.postMessage({ ready: true });
