import * as tf from "@tensorflow/tfjs";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { atomicWriteDir } from "../core";
import { Standardizer, ValidationError } from "../seismic";
import { configOf, TcnConfig, tcnConfig } from "./model";
import "./layers"; // registers the custom layer classes before any load

/**
 * Save and load TCN models to a directory without tfjs-node: a tf.io.IOHandler that writes the
 * standard tfjs layers format (model.json with the topology and weights manifest, weights.bin with
 * the float32 weights), plus geoinv-tcn.json with the architecture, the normalisation statistics
 * and free-form metadata (data description, training history summary).
 *
 * Integrity: geoinv-tcn.json carries `integrity` {model_sha256, weights_sha256, weights_bytes,
 * description_sha256} (the last over format, config, xStats, yStats and meta), checked on load, so
 * a flipped bit in weights.bin or an edited yStats is refused instead of changing predictions.
 * A bundle is written into a temporary directory renamed into place: a failed save leaves the
 * previous bundle intact.
 */

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";
export const BUNDLE_JSON = "geoinv-tcn.json";
export const BUNDLE_FORMAT = "geoinv-tcn/1";

/** A trained TCN with what is needed to apply it: normalisation of its input and output. */
export interface TcnBundle {
  model: tf.LayersModel;
  config: TcnConfig;
  /** Standardisation of the seismic input (training traces only). */
  xStats: Standardizer;
  /** Standardisation of the impedance target (training traces only). */
  yStats: Standardizer;
  meta: Record<string, unknown>;
}

/** What the training traces looked like (kept in meta.training; checked by `tcn predict`). */
export interface TrainingShape {
  /** Samples per training trace. */
  samples: number;
  /** Smallest and largest training seismic amplitude. */
  min: number;
  max: number;
}

/** Integrity record of a saved bundle. */
export interface BundleIntegrity {
  model_sha256: string;
  weights_sha256: string;
  weights_bytes: number;
  description_sha256: string;
}

function sha256(b: Uint8Array | string): string {
  return crypto.createHash("sha256").update(b).digest("hex");
}

/** sha256 of a bundle's description (format, config, stats and meta), in a fixed key order. */
export function descriptionDigest(info: {
  format?: unknown;
  config?: unknown;
  xStats?: unknown;
  yStats?: unknown;
  meta?: unknown;
}): string {
  return sha256(JSON.stringify([info.format, info.config, info.xStats, info.yStats, info.meta ?? {}]));
}

/** A tf.io.IOHandler reading and writing model.json + weights.bin in `dir` with Node's fs. */
export function fileHandler(dir: string, expect?: BundleIntegrity): tf.io.IOHandler {
  return {
    save: async (a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      fs.mkdirSync(dir, { recursive: true });
      const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: a.modelTopology as object,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: a.weightSpecs ?? [] }],
      };
      if (a.userDefinedMetadata) json.userDefinedMetadata = a.userDefinedMetadata;
      fs.writeFileSync(path.join(dir, WEIGHTS_BIN), Buffer.from(data));
      fs.writeFileSync(path.join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    },
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const mj = path.join(dir, MODEL_JSON);
      const json = readJson(mj, "the tfjs model topology") as tf.io.ModelJSON;
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new ValidationError(
          `${mj}: not a tfjs layers model.json (no modelTopology or weightsManifest); re-save the model with geoinv`,
        );
      }
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      const files = json.weightsManifest.flatMap((g) => g.paths);
      const bufs = files.map((p) => {
        const f = path.join(dir, p);
        if (!fs.existsSync(f))
          throw new ValidationError(
            `${f}: weights file missing (listed in ${MODEL_JSON}); the model directory is incomplete — copy it again or re-train`,
          );
        return new Uint8Array(fs.readFileSync(f));
      });
      const total = bufs.reduce((s, b) => s + b.length, 0);
      const need = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      if (total !== need) {
        throw new ValidationError(
          `${dir}: weights are ${total} bytes but ${MODEL_JSON} lists ${need} bytes of float32 weights; the directory is corrupt — re-train or restore it`,
        );
      }
      const all = new Uint8Array(total);
      let o = 0;
      for (const b of bufs) {
        all.set(b, o);
        o += b.length;
      }
      if (expect) {
        const mjText = fs.readFileSync(mj);
        if (sha256(mjText) !== expect.model_sha256) {
          throw new ValidationError(
            `${mj}: sha256 differs from the checksum in ${BUNDLE_JSON}; the model topology was changed or corrupted — restore the directory or re-train`,
          );
        }
        if (total !== expect.weights_bytes || sha256(all) !== expect.weights_sha256) {
          throw new ValidationError(
            `${path.join(dir, WEIGHTS_BIN)}: sha256 differs from the checksum in ${BUNDLE_JSON} (corrupted weights, e.g. a flipped bit); restore the directory or re-train`,
          );
        }
      }
      const w = new Float32Array(all.buffer, 0, total >> 2);
      for (let i = 0; i < w.length; i++) {
        if (!Number.isFinite(w[i])) {
          throw new ValidationError(
            `${path.join(dir, WEIGHTS_BIN)}: weight ${i} is ${w[i]}; the model is unusable (training diverged: lower the learning rate and re-train)`,
          );
        }
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: all.buffer,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) {
    const dir = path.dirname(file);
    const why = fs.existsSync(dir) ? `${path.basename(file)} is missing` : "the directory does not exist";
    throw new ValidationError(
      `${file}: ${why} (${what}); give a directory written by 'geoinv tcn pretrain --out DIR' or saveTcn()`,
    );
  }
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ValidationError(`${file}: corrupt JSON (${(e as Error).message}); re-save the model`);
  }
}

/**
 * Save a bundle to `dir` (its parent must exist): model.json, weights.bin, geoinv-tcn.json with
 * the integrity checksums. Written into a temporary directory renamed into place.
 */
export async function saveTcn(bundle: TcnBundle, dir: string): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  if (!fs.existsSync(parent)) fs.mkdirSync(parent, { recursive: true });
  await atomicWriteDir(dir, async (tmp) => {
    await bundle.model.save(fileHandler(tmp));
    const desc = {
      format: BUNDLE_FORMAT,
      config: bundle.config,
      xStats: bundle.xStats,
      yStats: bundle.yStats,
      meta: bundle.meta,
    };
    // hash the description as it will be read back (JSON round trip)
    const back = JSON.parse(JSON.stringify(desc));
    const weights = fs.readFileSync(path.join(tmp, WEIGHTS_BIN));
    const integrity: BundleIntegrity = {
      model_sha256: sha256(fs.readFileSync(path.join(tmp, MODEL_JSON))),
      weights_sha256: sha256(weights),
      weights_bytes: weights.length,
      description_sha256: descriptionDigest(back),
    };
    fs.writeFileSync(path.join(tmp, BUNDLE_JSON), JSON.stringify({ ...desc, integrity }, null, 2));
  });
}

function checkIntegrity(x: unknown, file: string): BundleIntegrity {
  const o = x as Partial<BundleIntegrity> | undefined;
  const hex = (v: unknown) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
  if (!o || typeof o !== "object") {
    throw new ValidationError(
      `${file}: no integrity checksums (saved by an older geoinv or edited); re-save the model with this version (e.g. re-run 'geoinv tcn pretrain')`,
    );
  }
  if (
    !hex(o.model_sha256) ||
    !hex(o.weights_sha256) ||
    !hex(o.description_sha256) ||
    !Number.isInteger(o.weights_bytes)
  ) {
    throw new ValidationError(
      `${file}: the integrity record is malformed; the file was edited or corrupted — restore the directory or re-train`,
    );
  }
  return o as BundleIntegrity;
}

function checkStats(s: unknown, name: string, file: string): Standardizer {
  const o = s as Standardizer | undefined;
  if (!o || !Number.isFinite(o.mean) || !(o.std > 0))
    throw new ValidationError(`${file}: ${name} must be {mean, std} with std > 0, got ${JSON.stringify(s)}`);
  return { mean: o.mean, std: o.std };
}

/** Load a bundle saved by saveTcn; errors name the file and the fix when the directory is missing or corrupt. */
export async function loadTcn(dir: string): Promise<TcnBundle> {
  const bj = path.join(dir, BUNDLE_JSON);
  const info = readJson(bj, "geoinv's model description") as Record<string, unknown>;
  if (info.format !== BUNDLE_FORMAT)
    throw new ValidationError(`${bj}: format is ${JSON.stringify(info.format)}, expected "${BUNDLE_FORMAT}"`);
  const integrity = checkIntegrity(info.integrity, bj);
  if (descriptionDigest(info) !== integrity.description_sha256) {
    throw new ValidationError(
      `${bj}: the description (config, xStats, yStats or meta) differs from its checksum; the file was edited or corrupted — restore the directory or re-train`,
    );
  }
  const config = tcnConfig(info.config as Partial<TcnConfig>);
  const xStats = checkStats(info.xStats, "xStats", bj);
  const yStats = checkStats(info.yStats, "yStats", bj);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileHandler(dir, integrity));
  } catch (e) {
    if ((e as Error).name === "ValidationError") throw e;
    throw new ValidationError(
      `${dir}: the model could not be rebuilt (${(e as Error).message}); the directory is corrupt or from another program`,
    );
  }
  const got = configOf(model);
  if (
    JSON.stringify(got.channels) !== JSON.stringify(config.channels) ||
    got.kernelSize !== config.kernelSize ||
    got.inputChannels !== config.inputChannels
  ) {
    model.dispose();
    throw new ValidationError(
      `${dir}: ${MODEL_JSON} (channels ${JSON.stringify(got.channels)}, kernel ${got.kernelSize}) does not match ${BUNDLE_JSON} (channels ${JSON.stringify(config.channels)}, kernel ${config.kernelSize}); the directory mixes two models`,
    );
  }
  return { model, config, xStats, yStats, meta: (info.meta as Record<string, unknown>) ?? {} };
}

/** The training shape recorded in a bundle's meta (undefined for bundles without one). */
export function trainingShape(bundle: TcnBundle): TrainingShape | undefined {
  const t = bundle.meta.training as Partial<TrainingShape> | undefined;
  if (!t || !Number.isInteger(t.samples) || !Number.isFinite(t.min) || !Number.isFinite(t.max)) return undefined;
  return { samples: t.samples!, min: t.min!, max: t.max! };
}

/** Record the training traces' shape and amplitude range in a bundle's meta (before saving). */
export function recordTraining(bundle: TcnBundle, seismic: ArrayLike<number>[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const r of seismic)
    for (let j = 0; j < r.length; j++) {
      if (r[j] < min) min = r[j];
      if (r[j] > max) max = r[j];
    }
  if (seismic.length > 0 && Number.isFinite(min) && Number.isFinite(max))
    bundle.meta = { ...bundle.meta, training: { samples: seismic[0].length, min, max } };
}

/**
 * Check seismic traces against a bundle before prediction: enough samples for a trace, the trace
 * length close to the training traces' (a transposed array is caught), amplitudes within a broad
 * band around the training range (a unit mix-up of 1e3 or more is caught). Throws a ValidationError
 * naming `field`; `force` skips the length and amplitude checks.
 */
export function checkPredictInput(bundle: TcnBundle, rows: ArrayLike<number>[], field: string, force = false): void {
  const nt = rows.length;
  const ns = nt > 0 ? rows[0].length : 0;
  if (nt === 0 || ns < 2)
    throw new ValidationError(
      field,
      `has ${nt} traces of ${ns} samples; need (traces, samples) with at least 2 samples per trace`,
    );
  if (force) return;
  const t = trainingShape(bundle);
  const forceHint = "check the file, or pass --force to predict anyway";
  if (t) {
    if (ns * 4 < t.samples || ns > 4 * t.samples) {
      const transposed =
        nt === t.samples || Math.abs(nt - t.samples) < Math.abs(ns - t.samples)
          ? `; it looks transposed (the training traces had ${t.samples} samples): give a (traces, samples) array`
          : "";
      throw new ValidationError(
        field,
        `traces have ${ns} samples, far from the ${t.samples} samples of the training traces${transposed}; ${forceHint}`,
      );
    }
  } else if (ns < 8) {
    throw new ValidationError(field, `traces have only ${ns} samples; the model needs whole traces (${forceHint})`);
  }
  const { mean, std } = bundle.xStats;
  const lo = t ? t.min : mean - 10 * std;
  const hi = t ? t.max : mean + 10 * std;
  const width = Math.max(hi - lo, 10 * std);
  for (let i = 0; i < nt; i++) {
    const r = rows[i];
    for (let j = 0; j < r.length; j++) {
      const v = r[j];
      if (!Number.isFinite(v))
        throw new ValidationError(
          `${field}`,
          `trace ${i} sample ${j} is ${v}; remove or interpolate non-finite values`,
        );
      if (v < lo - 100 * width || v > hi + 100 * width) {
        throw new ValidationError(
          field,
          `trace ${i} sample ${j} is ${v}, far outside the training amplitudes [${lo.toPrecision(4)}, ${hi.toPrecision(4)}] (a unit or scaling mix-up?); ${forceHint}`,
        );
      }
    }
  }
}

/** An independent copy of a model (same topology and weights), e.g. before fine-tuning. */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}
