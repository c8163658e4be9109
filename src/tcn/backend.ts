import * as tf from "@tensorflow/tfjs";
import * as path from "path";

/**
 * TensorFlow.js backend selection for the whole library. Order of preference: tfjs-node (native
 * TensorFlow, when the optional dependency is installed and loads), then wasm (XNNPACK with SIMD;
 * one thread in Node), then the pure-JS cpu backend. The environment variable GEOINV_TF_BACKEND
 * (node | wasm | cpu) forces one. Backend setup is asynchronous, so notebooks and the CLI call
 * `await initBackend()` once before any tensor work.
 */
export type BackendName = "node" | "wasm" | "cpu";

export interface BackendInfo {
  /** geoinv's name for it. */
  name: BackendName;
  /** tfjs's backend name (tensorflow, wasm, cpu). */
  tfName: string;
  /** Why this one: forced by the environment or option, or the first that loaded. */
  reason: string;
  /** Backends tried and why they were skipped. */
  skipped: string[];
}

const TF_NAME: Record<BackendName, string> = { node: "tensorflow", wasm: "wasm", cpu: "cpu" };
let current: BackendInfo | undefined;

function loadNode(): void {
  // Optional dependency: npm skips it where its native binary cannot be installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@tensorflow/tfjs-node");
}

function loadWasm(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
  // In Node the .wasm binaries are read from disk; point the loader at the package's dist folder.
  const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
  wasm.setWasmPaths(dir + path.sep);
}

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === "node") loadNode();
    if (name === "wasm") loadWasm();
    const ok = await tf.setBackend(TF_NAME[name]);
    if (!ok) return `${name}: tf.setBackend('${TF_NAME[name]}') returned false`;
    await tf.ready();
    return undefined;
  } catch (e) {
    return `${name}: ${(e as Error).message.split("\n")[0]}`;
  }
}

/**
 * Select and initialise the backend (idempotent: later calls return the first result unless
 * `force` names another). `prefer` or GEOINV_TF_BACKEND forces one; a forced backend that fails
 * to load is an error rather than a silent fallback.
 */
export async function initBackend(opts: { prefer?: BackendName; quiet?: boolean } = {}): Promise<BackendInfo> {
  const env = (process.env.GEOINV_TF_BACKEND ?? "").trim().toLowerCase();
  const forced = (opts.prefer ?? (env === "" ? undefined : env)) as BackendName | undefined;
  if (forced !== undefined && !(forced in TF_NAME)) {
    throw new Error(`GEOINV_TF_BACKEND = '${forced}'; must be one of node, wasm, cpu (or unset for automatic choice)`);
  }
  if (current && (forced === undefined || forced === current.name)) return current;
  // Warnings such as "install tfjs-node" are noise here: the choice is reported in BackendInfo.
  tf.enableProdMode();
  const skipped: string[] = [];
  if (forced) {
    const err = await tryBackend(forced);
    if (err)
      throw new Error(`backend '${forced}' was requested (GEOINV_TF_BACKEND or prefer) but failed to load: ${err}`);
    current = {
      name: forced,
      tfName: TF_NAME[forced],
      reason: opts.prefer ? "requested by the caller" : "forced by GEOINV_TF_BACKEND",
      skipped,
    };
  } else {
    for (const name of ["node", "wasm", "cpu"] as BackendName[]) {
      const err = await tryBackend(name);
      if (!err) {
        current = {
          name,
          tfName: TF_NAME[name],
          reason: skipped.length ? "first backend that loaded" : "preferred backend",
          skipped,
        };
        break;
      }
      skipped.push(err);
    }
    if (!current) throw new Error(`no TensorFlow.js backend could be initialised: ${skipped.join("; ")}`);
  }
  if (!opts.quiet && process.env.GEOINV_QUIET !== "1") {
    process.stderr.write(`geoinv: TensorFlow.js ${tf.version.tfjs} backend '${current.tfName}' (${current.reason})\n`);
  }
  return current;
}

/** The backend chosen by initBackend, or undefined before it ran. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** Throw a clear error if initBackend has not run (tensor work would otherwise use tfjs's default). */
export function requireBackend(): BackendInfo {
  if (!current)
    throw new Error("TensorFlow.js backend not initialised: call `await initBackend()` (from src/tcn) first");
  return current;
}
