import * as path from "path";
import { loadNpy2D } from "../data";
import { ValidationError, checkPair, checkSection } from "./errors";
import { addNoise } from "./noise";
import { ricker, syntheticSection } from "./synthetic";
import { resampleLinear, rotatePhase } from "./wavelet";

/**
 * A labelled seismic section: trace-major seismic and impedance on one sample grid. This is the
 * plain-data shape every workflow of src/tcn takes (pre-training, fine-tuning, evaluation), whatever
 * the survey: Marmousi-2, Overthrust, or real data with impedance at well traces.
 */
export interface SeismicDataset {
  name: string;
  seismic: Float32Array[];
  impedance: Float32Array[];
  /** Position of each row in the original file (after any trace subsampling). */
  traceIndex: number[];
  /** Trace and sample spacing in metres (depth-domain models) for plot axes. */
  dx: number;
  dz: number;
  /** How the seismic was made, for notebooks and metrics.json. */
  description: string;
}

export interface SyntheticDatasetOptions {
  /** Ricker frequency in Hz (default 30). */
  freqHz?: number;
  /** Time interval assigned to one depth sample, s (default 0.002). */
  dt?: number;
  /** Noise as a fraction of the clean RMS (0.2 = "20 % noise"; default 0). */
  noise?: number;
  /** Seed of the noise (default 0). */
  noiseSeed?: number;
  /** Keep every k-th trace (default 1 = all). */
  traceStep?: number;
  /** Constant phase rotation of the Ricker in degrees (default 0, zero phase; see rotatePhase). */
  phaseDeg?: number;
  /**
   * Depth resampling of the impedance before the synthetic is made: one output sample every `zStep`
   * model samples, by linear interpolation (default 1; 0.75 gives 4/3 as many, finer samples).
   */
  zStep?: number;
}

function subsample<T>(rows: T[], step: number): { rows: T[]; index: number[] } {
  if (!Number.isInteger(step) || step < 1) throw new ValidationError(`traceStep = ${step}; must be an integer >= 1`);
  const index: number[] = [];
  for (let i = 0; i < rows.length; i += step) index.push(i);
  return { rows: index.map((i) => rows[i]), index };
}

function synthesise(name: string, file: string, dx: number, dz: number, o: SyntheticDatasetOptions): SeismicDataset {
  const { rows } = loadNpy2D(file);
  const { rows: imp0, index } = subsample(rows, o.traceStep ?? 1);
  const freqHz = o.freqHz ?? 30;
  const dt = o.dt ?? 0.002;
  const zStep = o.zStep ?? 1;
  if (!(zStep > 0) || !Number.isFinite(zStep))
    throw new ValidationError("data.zStep", `${zStep}; need a positive number of model samples per output sample`);
  const imp = zStep === 1 ? imp0 : resampleLinear(imp0, zStep);
  const phaseDeg = o.phaseDeg ?? 0;
  const wavelet = phaseDeg === 0 ? ricker(freqHz, dt) : rotatePhase(ricker(freqHz, dt), phaseDeg);
  const clean = syntheticSection(imp, { wavelet, sameLength: true });
  const noise = o.noise ?? 0;
  const seismic = noise > 0 ? addNoise(clean, noise, o.noiseSeed ?? 0) : clean;
  return {
    name,
    seismic,
    impedance: imp,
    traceIndex: index,
    dx: dx * (o.traceStep ?? 1),
    dz: dz * zStep,
    description:
      `${name}: ${imp.length} traces x ${imp[0].length} samples${zStep === 1 ? "" : ` (model resampled in depth every ${zStep} samples, ${dz * zStep} m)`}; seismic = reflectivity of Ip convolved with a ` +
      `${freqHz} Hz ${phaseDeg === 0 ? "zero-phase Ricker" : `Ricker rotated by ${phaseDeg} degrees`}, one depth sample taken as ${dt * 1000} ms` +
      (noise > 0
        ? `, plus Gaussian noise at ${(noise * 100).toFixed(0)} % of the clean RMS (seed ${o.noiseSeed ?? 0})`
        : ", noise-free"),
  };
}

/**
 * Marmousi-2 on the bundled 10 m grid: 1701 traces x 351 depth samples, impedance in (m/s)(g/cm3)
 * (data/marmousi2/SOURCE.md), with a convolutional synthetic of the same length.
 */
export function marmousi2(o: SyntheticDatasetOptions = {}): SeismicDataset {
  return synthesise("Marmousi-2", "marmousi2/ip.npy", 10, 10, o);
}

/**
 * One 801-trace inline of the SEG/EAGE Overthrust model, 187 depth samples at 25 m
 * (data/overthrust/SOURCE.md), with a convolutional synthetic of the same length. With
 * `seismic: 'reskan'` the bundled ResKAN 30 Hz synthetic (186 samples) is used instead and the
 * impedance is cropped to its first 186 samples to share its grid.
 */
export function overthrust(o: SyntheticDatasetOptions & { seismic?: "synthetic" | "reskan" } = {}): SeismicDataset {
  if ((o.seismic ?? "synthetic") === "synthetic") return synthesise("Overthrust", "overthrust/ip.npy", 25, 25, o);
  const ip = loadNpy2D("overthrust/ip.npy").rows;
  const sx = loadNpy2D("overthrust/seismic_ricker30_reskan.npy").rows;
  const step = o.traceStep ?? 1;
  const a = subsample(ip, step);
  const b = subsample(sx, step);
  const imp = a.rows.map((r) => r.slice(0, sx[0].length));
  const noise = o.noise ?? 0;
  const seismic = noise > 0 ? addNoise(b.rows, noise, o.noiseSeed ?? 0) : b.rows;
  return {
    name: "Overthrust",
    seismic,
    impedance: imp,
    traceIndex: a.index,
    dx: 25 * step,
    dz: 25,
    description: `Overthrust: ${imp.length} traces x ${imp[0].length} samples; the bundled ResKAN 30 Hz Ricker synthetic`,
  };
}

/**
 * The mismatched Overthrust target of issue 15 (a real domain gap): the same impedance, but a 20 Hz
 * Ricker (source: 30 Hz) rotated by 90 degrees (source: zero phase), on a depth grid resampled to
 * 0.75 of the model's 25 m sample (18.75 m, 249 samples instead of 187; source: 10 m Marmousi-2
 * samples). Load it with loadDataset(OVERTHRUST_MISMATCHED) or put it in a config's target.data.
 */
export const OVERTHRUST_MISMATCHED: Readonly<DatasetSpec> = Object.freeze({
  name: "overthrust",
  freqHz: 20,
  dt: 0.002,
  phaseDeg: 90,
  zStep: 0.75,
});

/** Wrap arrays of any survey as a dataset after checking shapes and values. */
export function makeDataset(
  name: string,
  seismic: ArrayLike<number>[],
  impedance: ArrayLike<number>[],
  o: { dx?: number; dz?: number; description?: string; traceIndex?: number[] } = {},
): SeismicDataset {
  checkPair(seismic, impedance);
  const s = seismic.map((r) => Float32Array.from(r));
  const z = impedance.map((r) => Float32Array.from(r));
  return {
    name,
    seismic: s,
    impedance: z,
    traceIndex: o.traceIndex ?? s.map((_, i) => i),
    dx: o.dx ?? 1,
    dz: o.dz ?? 1,
    description: o.description ?? `${name}: ${s.length} traces x ${s[0].length} samples`,
  };
}

/** Check a dataset (used by the tcn workflows before training). */
export function checkDataset(d: SeismicDataset): [number, number] {
  checkSection(d.seismic, `${d.name} seismic`);
  return checkPair(d.seismic, d.impedance);
}

/**
 * A dataset named in a JSON config (the CLI's `data` field):
 * - { "name": "marmousi2" | "overthrust", freqHz?, dt?, phaseDeg?, zStep?, noise?, noiseSeed?,
 * traceStep?, seismic?: "synthetic" | "reskan" }
 *   for the bundled models with a convolutional synthetic;
 * - { "name": "npy", "seismic": "path.npy", "impedance": "path.npy", dx?, dz?, traceStep?, noise?, noiseSeed? }
 *   for any survey stored as two trace-major 2-D .npy arrays (paths absolute or relative to the
 *   current directory).
 */
export interface DatasetSpec {
  name: string;
  seismic?: string;
  impedance?: string;
  freqHz?: number;
  dt?: number;
  noise?: number;
  noiseSeed?: number;
  traceStep?: number;
  dx?: number;
  dz?: number;
  phaseDeg?: number;
  zStep?: number;
}

const SPEC_KEYS = [
  "name",
  "seismic",
  "impedance",
  "freqHz",
  "dt",
  "noise",
  "noiseSeed",
  "traceStep",
  "dx",
  "dz",
  "phaseDeg",
  "zStep",
];

/** Load the dataset a spec names; unknown fields and names are errors that list what is allowed. */
export function loadDataset(spec: DatasetSpec): SeismicDataset {
  if (!spec || typeof spec.name !== "string")
    throw new ValidationError(
      `data: expected an object with a "name" (marmousi2, overthrust or npy), got ${JSON.stringify(spec)}`,
    );
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(k)) throw new ValidationError(`data.${k}: unknown field; allowed: ${SPEC_KEYS.join(", ")}`);
  }
  const num = (k: keyof DatasetSpec, lo: number, hi: number) => {
    const v = spec[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !(v >= lo && v <= hi))
      throw new ValidationError(`data.${k} = ${JSON.stringify(v)}; need a number in [${lo}, ${hi}]`);
    return v;
  };
  const o: SyntheticDatasetOptions = {
    freqHz: num("freqHz", 1, 500),
    dt: num("dt", 1e-5, 1),
    noise: num("noise", 0, 10),
    noiseSeed: num("noiseSeed", -(2 ** 31), 2 ** 32),
    traceStep: num("traceStep", 1, 1e6),
    phaseDeg: num("phaseDeg", -360, 360),
    zStep: num("zStep", 0.1, 10),
  };
  const name = spec.name.toLowerCase();
  if (name === "marmousi2") {
    if (spec.seismic !== undefined)
      throw new ValidationError(`data.seismic: Marmousi-2 seismic is always synthesised; remove the field`);
    return marmousi2(o);
  }
  if (name === "overthrust") {
    const s = spec.seismic ?? "synthetic";
    if (s !== "synthetic" && s !== "reskan")
      throw new ValidationError(`data.seismic = ${JSON.stringify(s)}; for overthrust use "synthetic" or "reskan"`);
    if (s === "reskan" && (o.phaseDeg !== undefined || o.zStep !== undefined))
      throw new ValidationError(
        "data.phaseDeg",
        `phaseDeg and zStep make a new synthetic; remove them or use seismic: "synthetic"`,
      );
    return overthrust({ ...o, seismic: s });
  }
  if (name === "npy") {
    if (o.phaseDeg !== undefined || o.zStep !== undefined)
      throw new ValidationError(
        "data.phaseDeg",
        `phaseDeg and zStep apply to the bundled synthetics (marmousi2, overthrust), not to "npy" files`,
      );
    if (!spec.seismic || !spec.impedance)
      throw new ValidationError(`data: "npy" needs "seismic" and "impedance" paths to trace-major 2-D .npy files`);
    const sp = path.resolve(spec.seismic);
    const ip = path.resolve(spec.impedance);
    const s = subsample(loadNpy2D(sp).rows, o.traceStep ?? 1);
    const z = subsample(loadNpy2D(ip).rows, o.traceStep ?? 1);
    const seismic = o.noise ? addNoise(s.rows, o.noise, o.noiseSeed ?? 0) : s.rows;
    return makeDataset(path.basename(sp, ".npy"), seismic, z.rows, {
      dx: (spec.dx ?? 1) * (o.traceStep ?? 1),
      dz: spec.dz ?? 1,
      traceIndex: s.index,
      description: `${sp} (seismic) and ${ip} (impedance)${o.noise ? ` plus ${(o.noise * 100).toFixed(0)} % noise` : ""}`,
    });
  }
  throw new ValidationError(`data.name = ${JSON.stringify(spec.name)}; use marmousi2, overthrust or npy`);
}
