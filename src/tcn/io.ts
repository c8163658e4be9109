import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { Standardizer, ValidationError } from "../seismic";
import { configOf, TcnConfig, tcnConfig } from "./model";
import "./layers"; // registers the custom layer classes before any load

/**
 * Save and load TCN models to a directory without tfjs-node: a tf.io.IOHandler that writes the
 * standard tfjs layers format (model.json with the topology and weights manifest, weights.bin with
 * the float32 weights), plus geoinv-tcn.json with the architecture, the normalisation statistics
 * and free-form metadata (data description, training history summary).
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

/** A tf.io.IOHandler reading and writing model.json + weights.bin in `dir` with Node's fs. */
export function fileHandler(dir: string): tf.io.IOHandler {
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
        throw new ValidationError(`${mj}: not a tfjs layers model.json (no modelTopology or weightsManifest); re-save the model with geoinv`);
      }
      const specs = json.weightsManifest.flatMap((g) => g.weights);
      const files = json.weightsManifest.flatMap((g) => g.paths);
      const bufs = files.map((p) => {
        const f = path.join(dir, p);
        if (!fs.existsSync(f)) throw new ValidationError(`${f}: weights file missing (listed in ${MODEL_JSON}); the model directory is incomplete — copy it again or re-train`);
        return new Uint8Array(fs.readFileSync(f));
      });
      const total = bufs.reduce((s, b) => s + b.length, 0);
      const need = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      if (total !== need) {
        throw new ValidationError(`${dir}: weights are ${total} bytes but ${MODEL_JSON} lists ${need} bytes of float32 weights; the directory is corrupt — re-train or restore it`);
      }
      const all = new Uint8Array(total);
      let o = 0;
      for (const b of bufs) {
        all.set(b, o);
        o += b.length;
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
    throw new ValidationError(`${file}: ${why} (${what}); give a directory written by 'geoinv tcn pretrain --out DIR' or saveTcn()`);
  }
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ValidationError(`${file}: corrupt JSON (${(e as Error).message}); re-save the model`);
  }
}

/** Save a bundle to `dir` (created if needed): model.json, weights.bin, geoinv-tcn.json. */
export async function saveTcn(bundle: TcnBundle, dir: string): Promise<void> {
  await bundle.model.save(fileHandler(dir));
  const info = { format: BUNDLE_FORMAT, config: bundle.config, xStats: bundle.xStats, yStats: bundle.yStats, meta: bundle.meta };
  fs.writeFileSync(path.join(dir, BUNDLE_JSON), JSON.stringify(info, null, 2));
}

function checkStats(s: unknown, name: string, file: string): Standardizer {
  const o = s as Standardizer | undefined;
  if (!o || !Number.isFinite(o.mean) || !(o.std > 0)) throw new ValidationError(`${file}: ${name} must be {mean, std} with std > 0, got ${JSON.stringify(s)}`);
  return { mean: o.mean, std: o.std };
}

/** Load a bundle saved by saveTcn; errors name the file and the fix when the directory is missing or corrupt. */
export async function loadTcn(dir: string): Promise<TcnBundle> {
  const bj = path.join(dir, BUNDLE_JSON);
  const info = readJson(bj, "geoinv's model description") as Record<string, unknown>;
  if (info.format !== BUNDLE_FORMAT) throw new ValidationError(`${bj}: format is ${JSON.stringify(info.format)}, expected "${BUNDLE_FORMAT}"`);
  const config = tcnConfig(info.config as Partial<TcnConfig>);
  const xStats = checkStats(info.xStats, "xStats", bj);
  const yStats = checkStats(info.yStats, "yStats", bj);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileHandler(dir));
  } catch (e) {
    if ((e as Error).name === "ValidationError") throw e;
    throw new ValidationError(`${dir}: the model could not be rebuilt (${(e as Error).message}); the directory is corrupt or from another program`);
  }
  const got = configOf(model);
  if (JSON.stringify(got.channels) !== JSON.stringify(config.channels) || got.kernelSize !== config.kernelSize || got.inputChannels !== config.inputChannels) {
    model.dispose();
    throw new ValidationError(`${dir}: ${MODEL_JSON} (channels ${JSON.stringify(got.channels)}, kernel ${got.kernelSize}) does not match ${BUNDLE_JSON} (channels ${JSON.stringify(config.channels)}, kernel ${config.kernelSize}); the directory mixes two models`);
  }
  return { model, config, xStats, yStats, meta: (info.meta as Record<string, unknown>) ?? {} };
}

/** An independent copy of a model (same topology and weights), e.g. before fine-tuning. */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}
