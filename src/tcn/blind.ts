import * as path from "path";
import { bySize, mulberry32, RunSize } from "../config";
import { dataDir, loadNpy } from "../data";
import {
  amplitudeSpectrum,
  convertImpedance,
  DatasetSpec,
  IMPEDANCE_UNITS,
  ImpedanceUnit,
  loadDataset,
  makeDataset,
  metrics,
  Metrics,
  resampleAverage,
  rmsMatch,
  rowStats,
  scaleAmplitude,
  SeismicDataset,
  SplitOptions,
  splitTraces,
  ValidationError,
  wellTie,
  WellTie,
  windowStarts,
} from "../seismic";
import { initBackend } from "./backend";
import { loadTcn, TcnBundle } from "./io";
import { TcnConfig } from "./model";
import { EpochLog, stageCheckpoint, TrainCheckpoint, TrainHistory } from "./train";
import { evaluateTcn, Evaluation, FinetuneOptions, finetuneTcn, fitTcn, predictImpedance } from "./workflow";
import { mergeConfig, TrainSettings } from "./experiment";

/**
 * Transfer learning to a real target with one well (issue 8; the seed paper's "practical
 * application"): a TCN pre-trained on Marmousi-2 synthetics sampled like the real seismic is
 * fine-tuned on the seismic trace at the well -> impedance log, compared with a TCN trained on the
 * well alone and with the pre-trained model applied directly; an honest blind test holds back part
 * of the log, repeated over seeds, plus a leave-window-out curve; the final models invert the
 * target's seismic line / cube. Everything is driven by a plain JSON config whose `target` names
 * the files, so a new well with the same kind of files needs no code change.
 */

// ---------------------------------------------------------------------------------------------
// Target: files, resampling, units

/** A seismic section to invert with the final models (trace-major 2-D .npy + its time axis). */
export interface ApplySpec {
  name: string;
  /** (traces, samples) array. */
  seismic: string;
  /** (samples,) two-way time in ms. */
  time: string;
  /** [slow, fast] trace grid of a cube crop (e.g. [inlines, crosslines]); null for a line. */
  grid: [number, number] | null;
  /** Index of the trace at the well, when the files say it; null when they do not. */
  wellTrace: number | null;
}

export interface WellTargetSpec {
  kind: "well";
  name: string;
  /**
   * Folder of the files: absolute, "./..." or "../..." relative to the current directory, otherwise
   * relative to the data directory (data/ or GEOINV_DATA). Absolute file names ignore it.
   */
  dir: string;
  well: {
    /** (n,) two-way time in ms, uniform. */
    time: string;
    /** (n,) seismic trace at the well, any amplitude scale (min-max 0..1 is fine). */
    seismic: string;
    /** (n,) acoustic impedance log on the same times. */
    impedance: string;
    impedanceUnit: ImpedanceUnit;
  };
  /** Sample interval (ms) the models work at (the seismic's); the well is box-averaged to it. */
  dtMs: number;
  apply: ApplySpec[];
  /** Part of the log held back in the blind test (ms, inclusive); null ends: the lower third. */
  heldOut: { fromMs: number | null; toMs: number | null };
  /**
   * Amplitude scale reference: 'tie' = RMS of the synthetic of the log (made like the training
   * synthetics) over the labelled samples; 'rms' = RMS of the pre-trained model's training seismic.
   * Polarity: 'tie' = sign of the tie correlation, or 1 / -1 to force.
   */
  amplitude: { method: "tie" | "rms"; polarity: "tie" | 1 | -1 };
}

/** The bundled Volve files (data/volve_well_seismic/SOURCE.md): well 15/9-F-15 A, line along F-1 A, PSDM-time crop. */
export const VOLVE_TARGET: WellTargetSpec = {
  kind: "well",
  name: "Volve 15/9-F-15 A",
  dir: "volve_well_seismic",
  well: { time: "well_F15A_time_ms.npy", seismic: "well_F15A_seismic.npy", impedance: "well_F15A_ip.npy", impedanceUnit: "km/s*g/cm3" },
  dtMs: 4,
  apply: [
    { name: "line along 15/9-F-1 A", seismic: "section_F1A_seismic.npy", time: "section_F1A_time_ms.npy", grid: null, wellTrace: null },
    { name: "PSDM-time crop", seismic: "cube_crop_seismic.npy", time: "cube_crop_time_ms.npy", grid: [21, 73], wellTrace: null },
  ],
  heldOut: { fromMs: null, toMs: null },
  amplitude: { method: "tie", polarity: "tie" },
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ValidationError(`${where}.${k}: unknown field; allowed: ${keys.join(", ")}`);
}

function str(o: Record<string, unknown>, k: string, where: string, dflt?: string): string {
  const v = o[k] ?? dflt;
  if (typeof v !== "string" || v === "") throw new ValidationError(`${where}.${k} = ${JSON.stringify(o[k])}; need a non-empty string (a file name or label)`);
  return v;
}

/**
 * Check a target spec from a config file and fill defaults (dir: data directory, apply: [],
 * heldOut: lower third, amplitude: tie/tie). Errors name the field, the value and what is allowed.
 */
export function wellTargetSpec(raw: unknown, where = "target"): WellTargetSpec {
  if (!isObj(raw)) throw new ValidationError(`${where}: expected an object with kind "well", got ${JSON.stringify(raw)}`);
  onlyKeys(raw, ["kind", "name", "dir", "well", "dtMs", "apply", "heldOut", "amplitude"], where);
  if (raw.kind !== "well") throw new ValidationError(`${where}.kind = ${JSON.stringify(raw.kind)}; use "well" for a real target with a log`);
  if (!isObj(raw.well)) throw new ValidationError(`${where}.well: need {time, seismic, impedance, impedanceUnit} file names`);
  onlyKeys(raw.well, ["time", "seismic", "impedance", "impedanceUnit"], `${where}.well`);
  const unit = str(raw.well, "impedanceUnit", `${where}.well`);
  if (!IMPEDANCE_UNITS.includes(unit as ImpedanceUnit)) throw new ValidationError(`${where}.well.impedanceUnit = ${JSON.stringify(unit)}; use one of ${IMPEDANCE_UNITS.join(", ")}`);
  const dtMs = raw.dtMs;
  if (typeof dtMs !== "number" || !(dtMs > 0 && dtMs <= 100)) throw new ValidationError(`${where}.dtMs = ${JSON.stringify(dtMs)}; need the seismic sample interval in ms, in (0, 100]`);
  const applyRaw = raw.apply ?? [];
  if (!Array.isArray(applyRaw)) throw new ValidationError(`${where}.apply: need a list of {name, seismic, time, grid?, wellTrace?}`);
  const apply = applyRaw.map((a, i): ApplySpec => {
    const w = `${where}.apply[${i}]`;
    if (!isObj(a)) throw new ValidationError(`${w}: need an object {name, seismic, time, grid?, wellTrace?}`);
    onlyKeys(a, ["name", "seismic", "time", "grid", "wellTrace"], w);
    const grid = a.grid ?? null;
    if (grid !== null && !(Array.isArray(grid) && grid.length === 2 && grid.every((g) => Number.isInteger(g) && g > 0))) {
      throw new ValidationError(`${w}.grid = ${JSON.stringify(grid)}; need null or [slow, fast] positive integers (e.g. [inlines, crosslines])`);
    }
    const wt = a.wellTrace ?? null;
    if (wt !== null && !(Number.isInteger(wt) && (wt as number) >= 0)) throw new ValidationError(`${w}.wellTrace = ${JSON.stringify(wt)}; need null or a trace index`);
    return { name: str(a, "name", w), seismic: str(a, "seismic", w), time: str(a, "time", w), grid: grid as [number, number] | null, wellTrace: wt as number | null };
  });
  const ho = raw.heldOut ?? { fromMs: null, toMs: null };
  if (!isObj(ho)) throw new ValidationError(`${where}.heldOut: need {fromMs, toMs} (ms, null for the default lower third)`);
  onlyKeys(ho, ["fromMs", "toMs"], `${where}.heldOut`);
  for (const k of ["fromMs", "toMs"]) {
    const v = ho[k];
    if (v !== null && v !== undefined && typeof v !== "number") throw new ValidationError(`${where}.heldOut.${k} = ${JSON.stringify(v)}; need a time in ms or null`);
  }
  const am = raw.amplitude ?? { method: "tie", polarity: "tie" };
  if (!isObj(am)) throw new ValidationError(`${where}.amplitude: need {method: "tie"|"rms", polarity: "tie"|1|-1}`);
  onlyKeys(am, ["method", "polarity"], `${where}.amplitude`);
  const method = am.method ?? "tie";
  if (method !== "tie" && method !== "rms") throw new ValidationError(`${where}.amplitude.method = ${JSON.stringify(method)}; use "tie" or "rms"`);
  const polarity = am.polarity ?? "tie";
  if (polarity !== "tie" && polarity !== 1 && polarity !== -1) throw new ValidationError(`${where}.amplitude.polarity = ${JSON.stringify(polarity)}; use "tie", 1 or -1`);
  return {
    kind: "well",
    name: str(raw, "name", where, "well"),
    dir: typeof raw.dir === "string" ? raw.dir : "",
    well: { time: str(raw.well, "time", `${where}.well`), seismic: str(raw.well, "seismic", `${where}.well`), impedance: str(raw.well, "impedance", `${where}.well`), impedanceUnit: unit as ImpedanceUnit },
    dtMs,
    apply,
    heldOut: { fromMs: (ho.fromMs as number | null | undefined) ?? null, toMs: (ho.toMs as number | null | undefined) ?? null },
    amplitude: { method, polarity },
  };
}

/** Where a target file is read from (see WellTargetSpec.dir). */
export function targetPath(spec: Pick<WellTargetSpec, "dir">, file: string): string {
  if (path.isAbsolute(file)) return file;
  const d = spec.dir;
  if (d === "") return path.join(dataDir(), file);
  if (path.isAbsolute(d)) return path.join(d, file);
  if (d.startsWith("./") || d.startsWith("../")) return path.resolve(d, file);
  return path.join(dataDir(), d, file);
}

function vec(spec: WellTargetSpec, file: string): Float64Array {
  const a = loadNpy(targetPath(spec, file));
  if (a.shape.length !== 1) throw new ValidationError(`${file}: expected a 1-D array, got shape ${JSON.stringify(a.shape)}`);
  return Float64Array.from(a.data);
}

function uniformDt(t: ArrayLike<number>, what: string): number {
  if (t.length < 2) throw new ValidationError(`${what}: need at least 2 time samples`);
  const dt = t[1] - t[0];
  if (!(dt > 0)) throw new ValidationError(`${what}: times must increase (got ${t[0]}, ${t[1]} ms)`);
  for (let i = 2; i < t.length; i++) {
    if (Math.abs(t[i] - t[i - 1] - dt) > 1e-3 * dt) throw new ValidationError(`${what}: time axis not uniform at sample ${i} (${t[i - 1]} -> ${t[i]} ms, step ${dt} ms expected); resample it first`);
  }
  return dt;
}

export interface AppliedSection {
  name: string;
  timeMs: Float64Array;
  /** Real seismic as stored (resampled to dtMs when finer). */
  traces: Float32Array[];
  grid: [number, number] | null;
  wellTrace: number | null;
}

/** A real target loaded and resampled to the seismic interval; impedance in (m/s)(g/cm3). */
export interface WellTarget {
  spec: WellTargetSpec;
  dtMs: number;
  timeMs: Float64Array;
  /** Seismic at the well as stored (any scale), box-averaged to dtMs. */
  seismic: Float64Array;
  /** Impedance log in (m/s)(g/cm3), box-averaged to dtMs. */
  impedance: Float64Array;
  /** The log as read, before resampling (time ms, seismic, impedance in the file's unit). */
  raw: { timeMs: Float64Array; seismic: Float64Array; impedance: Float64Array; dtMs: number };
  /** Sample indices (at dtMs) of the blind test: labelled (upper part) and held back. */
  labelled: number[];
  heldOut: number[];
  apply: AppliedSection[];
}

/**
 * Read a target's files, box-average the well (seismic and impedance) to the seismic interval
 * (resampleAverage), convert the impedance to (m/s)(g/cm3) (convertImpedance), and read the
 * sections to invert (box-averaged too if finer than dtMs; coarser is an error).
 */
export function loadWellTarget(specIn: WellTargetSpec | unknown): WellTarget {
  const spec = wellTargetSpec(specIn);
  const t = vec(spec, spec.well.time);
  const s = vec(spec, spec.well.seismic);
  const z = vec(spec, spec.well.impedance);
  if (s.length !== t.length || z.length !== t.length) {
    throw new ValidationError(`well: ${t.length} times, ${s.length} seismic and ${z.length} impedance samples; the three files must have the same length`);
  }
  const dtIn = uniformDt(t, spec.well.time);
  if (dtIn > spec.dtMs * (1 + 1e-6)) throw new ValidationError(`well: sampled at ${dtIn} ms, coarser than dtMs = ${spec.dtMs}; set dtMs to at least ${dtIn}`);
  const rs = resampleAverage(s, t[0], dtIn, spec.dtMs);
  const rz = resampleAverage(convertImpedance(z, spec.well.impedanceUnit, "m/s*g/cm3"), t[0], dtIn, spec.dtMs);
  const n = rs.values.length;
  const timeMs = Float64Array.from({ length: n }, (_, k) => rs.t0 + k * spec.dtMs);
  let from = spec.heldOut.fromMs;
  let to = spec.heldOut.toMs;
  if (from === null) from = timeMs[Math.round((2 * n) / 3)];
  if (to === null) to = timeMs[n - 1];
  const heldOut: number[] = [];
  const labelled: number[] = [];
  timeMs.forEach((tm, k) => (tm >= from! - 1e-9 && tm <= to! + 1e-9 ? heldOut : labelled).push(k));
  if (heldOut.length < 3) throw new ValidationError(`target.heldOut [${from}, ${to}] ms holds ${heldOut.length} samples of the ${n} at ${spec.dtMs} ms (${timeMs[0]}-${timeMs[n - 1]} ms); hold back at least 3`);
  if (labelled.length < 8) throw new ValidationError(`target.heldOut [${from}, ${to}] ms leaves ${labelled.length} labelled samples; leave at least 8`);
  const apply = spec.apply.map((a): AppliedSection => {
    const arr = loadNpy(targetPath(spec, a.seismic));
    if (arr.shape.length !== 2) throw new ValidationError(`${a.seismic}: expected a 2-D (traces, samples) array, got ${JSON.stringify(arr.shape)}`);
    const [nt, ns] = arr.shape;
    const at = vec(spec, a.time);
    if (at.length !== ns) throw new ValidationError(`${a.seismic}: ${ns} samples per trace but ${a.time} has ${at.length} times`);
    if (a.grid && a.grid[0] * a.grid[1] !== nt) throw new ValidationError(`${a.name}: grid ${a.grid[0]} x ${a.grid[1]} != ${nt} traces`);
    if (a.wellTrace !== null && a.wellTrace >= nt) throw new ValidationError(`${a.name}: wellTrace ${a.wellTrace} outside [0, ${nt - 1}]`);
    const dt = uniformDt(at, a.time);
    if (dt > spec.dtMs * (1 + 1e-6)) throw new ValidationError(`${a.name}: sampled at ${dt} ms, coarser than dtMs = ${spec.dtMs}`);
    let traces: Float32Array[] = [];
    for (let i = 0; i < nt; i++) traces.push(Float32Array.from(arr.data.subarray(i * ns, (i + 1) * ns)));
    let times = at;
    if (Math.abs(dt - spec.dtMs) > 1e-6 * dt) {
      const r = traces.map((tr) => resampleAverage(tr, at[0], dt, spec.dtMs));
      traces = r.map((x) => Float32Array.from(x.values));
      times = Float64Array.from({ length: traces[0].length }, (_, k) => at[0] + k * spec.dtMs);
    }
    return { name: a.name, timeMs: times, traces, grid: a.grid, wellTrace: a.wellTrace };
  });
  return { spec, dtMs: spec.dtMs, timeMs, seismic: rs.values, impedance: rz.values, raw: { timeMs: t, seismic: s, impedance: z, dtMs: dtIn }, labelled, heldOut, apply };
}

export interface FrequencyEstimate {
  /** Peak of the mean amplitude spectrum of each data set (Hz). */
  peaks: { name: string; peakHz: number; centroidHz: number; traces: number; samples: number; dtMs: number }[];
  /** Median of the peaks, rounded to 0.5 Hz: the Ricker frequency of the training synthetics. */
  freqHz: number;
}

/**
 * Dominant frequency of a target's seismic: the peak of the mean amplitude spectrum of the well
 * trace (at its own interval) and of each section to invert; their median (rounded to 0.5 Hz) is the
 * Ricker frequency used for the synthetic training data (a Ricker's amplitude spectrum peaks at its
 * dominant frequency).
 */
export function dominantFrequency(t: WellTarget): FrequencyEstimate {
  const peaks: FrequencyEstimate["peaks"] = [];
  const add = (name: string, rows: ArrayLike<number>[], dtMs: number) => {
    const sp = amplitudeSpectrum(rows, dtMs / 1000, { fmax: Math.min(100, 500 / dtMs) });
    peaks.push({ name, peakHz: sp.peakHz, centroidHz: sp.centroidHz, traces: rows.length, samples: rows[0].length, dtMs });
  };
  add(`${t.spec.name} trace at the well`, [t.raw.seismic], t.raw.dtMs);
  for (const a of t.apply) add(a.name, a.traces, t.dtMs);
  const p = peaks.map((x) => x.peakHz).sort((a, b) => a - b);
  const med = p.length % 2 ? p[(p.length - 1) / 2] : (p[p.length / 2 - 1] + p[p.length / 2]) / 2;
  return { peaks, freqHz: Math.round(med * 2) / 2 };
}

// ---------------------------------------------------------------------------------------------
// Amplitude matching

export interface Matched {
  /** The well trace on the synthetic scale (all samples; gain and offset from the labelled ones). */
  well: Float32Array;
  /** Each section on the synthetic scale (RMS matched to the same reference, same polarity). */
  apply: Float32Array[][];
  tie: WellTie;
  /** Samples the tie and the scale were fitted on. */
  tieSamples: [number, number];
  method: "tie" | "rms";
  polarity: 1 | -1;
  /** RMS every data set is matched to. */
  refRms: number;
  wellGain: number;
  wellOffset: number;
  applyGain: { offset: number; gain: number }[];
}

function longestRun(idx: number[]): [number, number] {
  const s = [...idx].sort((a, b) => a - b);
  let best: [number, number] = [s[0], s[0] + 1];
  let a = s[0];
  for (let k = 1; k <= s.length; k++) {
    if (k === s.length || s[k] !== s[k - 1] + 1) {
      if (s[k - 1] + 1 - a > best[1] - best[0]) best = [a, s[k - 1] + 1];
      if (k < s.length) a = s[k];
    }
  }
  return best;
}

/**
 * Bring the real seismic onto the scale of the synthetic training data, using only the labelled
 * samples `labelled` of the log (their longest contiguous run, so that the synthetic of the log
 * does not see held-back impedance):
 * 1. tie: synthetic of the log (Ricker of freqHz, made like the training data) vs the well trace;
 * 2. polarity: the sign of the tie correlation (or forced by the spec);
 * 3. reference RMS: the RMS of that synthetic ('tie') or of the training seismic `sourceRms` ('rms');
 * 4. well trace: (s - mean) * polarity * refRms / std over the tie samples;
 *    each section: (x - its mean) * polarity * refRms / its std (its own min-max or raw scale is
 *    unrelated to the well's, so each data set gets its own offset and gain).
 */
export function matchAmplitudes(t: WellTarget, freqHz: number, labelled: number[], sourceRms: number): Matched {
  const [a, b] = longestRun(labelled);
  if (b - a < 8) throw new ValidationError(`matchAmplitudes: the longest labelled run has ${b - a} samples; need at least 8 to tie the well`);
  const seg = t.seismic.subarray(a, b);
  const tie = wellTie(seg, t.impedance.subarray(a, b), freqHz, t.dtMs / 1000, { maxLag: 5 });
  const pol: 1 | -1 = t.spec.amplitude.polarity === "tie" ? (tie.correlation < 0 ? -1 : 1) : t.spec.amplitude.polarity;
  const method = t.spec.amplitude.method;
  const refRms = method === "tie" ? rowStats([tie.synthetic]).std : sourceRms;
  const wm = rmsMatch([seg], refRms, pol);
  const well = scaleAmplitude([t.seismic], wm.offset, wm.gain)[0];
  const applyGain = t.apply.map((s) => rmsMatch(s.traces, refRms, pol));
  const apply = t.apply.map((s, i) => scaleAmplitude(s.traces, applyGain[i].offset, applyGain[i].gain));
  return { well, apply, tie, tieSamples: [a, b], method, polarity: pol, refRms, wellGain: wm.gain, wellOffset: wm.offset, applyGain };
}

// ---------------------------------------------------------------------------------------------
// Pre-training on synthetic windows

export interface SourceConfig {
  /** A dataset spec (marmousi2 by default) whose freqHz may be "auto" (the target's dominant frequency). */
  data: Omit<DatasetSpec, "freqHz"> & { freqHz: number | "auto" };
  split: SplitOptions;
  /** Windows cut from each trace (random depths, seeded); length should match the target windows. */
  window: { length: number; perTrace: number };
  model: Partial<TcnConfig>;
  train: TrainSettings;
}

export interface WellTransferConfig {
  /** Base seed: blind-test seeds are seed, seed+1, ... */
  seed: number;
  /** Number of seeds of the blind test. */
  seeds: number;
  source: SourceConfig;
  /** A saved pre-trained model directory instead of pre-training (null: pre-train). */
  pretrained: string | null;
  target: WellTargetSpec;
  /** Training windows cut from the labelled log (length in samples, stride). */
  window: { length: number; stride: number };
  finetune: TrainSettings & { freezeBlocks: number; normalization: "target" | "source" };
  direct: TrainSettings;
  /** Leave-window-out: number of contiguous blocks of the log, and seeds per block. */
  leaveOut: { folds: number; seeds: number };
}

/**
 * Defaults for a real well target. Pre-training: Marmousi-2 with one depth sample taken as one 4 ms
 * time sample and a Ricker at the target's measured dominant frequency, cut into windows of 32
 * samples (128 ms) at random depths so that the model sees traces as short as the target's and
 * cannot use the top of the model as a depth reference. Fine-tuning keeps the pre-trained model's
 * normalisation ('source') so the real data enter the network on the scale it was trained on.
 */
export function wellTransferPreset(target: WellTargetSpec = VOLVE_TARGET, size?: RunSize): WellTransferConfig {
  const tr = (quick: number, full: number, lr = 1e-3, batchSize = 8): TrainSettings => bySize<TrainSettings>(
    { quick: { epochs: quick, batchSize, lr, weightDecay: 1e-4, patience: null }, full: { epochs: full, batchSize, lr, weightDecay: 1e-4, patience: null } },
    size,
  );
  return {
    seed: 0,
    seeds: bySize({ quick: 3, full: 10 }, size),
    source: {
      data: { name: "marmousi2", freqHz: "auto", dt: 0.004 },
      split: bySize<SplitOptions>({ quick: { counts: [150, 50, 200], seed: 0 }, full: { ratio: [1, 1, 4], seed: 0 } }, size),
      window: { length: 32, perTrace: bySize({ quick: 4, full: 8 }, size) },
      model: { padding: "same" },
      train: bySize<TrainSettings>(
        {
          quick: { epochs: 30, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: null },
          full: { epochs: 300, batchSize: 10, lr: 1e-3, weightDecay: 1e-4, patience: 30 },
        },
        size,
      ),
    },
    pretrained: null,
    target,
    window: { length: 32, stride: bySize({ quick: 2, full: 1 }, size) },
    finetune: { ...tr(100, 300), freezeBlocks: 0, normalization: "source" },
    direct: tr(100, 300),
    leaveOut: { folds: 4, seeds: bySize({ quick: 1, full: 3 }, size) },
  };
}

/**
 * A well-transfer config from a parsed JSON file: `target` is required and replaces the preset's
 * wholesale (checked by wellTargetSpec); every other field lists only what differs from the preset.
 */
export function wellTransferConfig(raw: unknown, size?: RunSize): WellTransferConfig {
  if (!isObj(raw)) throw new ValidationError(`config: expected a JSON object, got ${JSON.stringify(raw)}`);
  const target = wellTargetSpec(raw.target);
  const rest = { ...raw };
  delete rest.target;
  const cfg = mergeConfig(wellTransferPreset(target, size), rest);
  const posInt = (v: unknown, where: string, lo = 1) => {
    if (!Number.isInteger(v) || (v as number) < lo) throw new ValidationError(`${where} = ${JSON.stringify(v)}; need an integer >= ${lo}`);
  };
  posInt(cfg.seeds, "seeds");
  posInt(cfg.window.length, "window.length", 4);
  posInt(cfg.window.stride, "window.stride");
  posInt(cfg.source.window.length, "source.window.length", 4);
  posInt(cfg.source.window.perTrace, "source.window.perTrace");
  posInt(cfg.leaveOut.folds, "leaveOut.folds", 0);
  posInt(cfg.leaveOut.seeds, "leaveOut.seeds");
  const f = cfg.source.data.freqHz;
  if (f !== "auto" && !(typeof f === "number" && f > 0)) throw new ValidationError(`source.data.freqHz = ${JSON.stringify(f)}; need "auto" or a frequency in Hz`);
  if (cfg.pretrained !== null && typeof cfg.pretrained !== "string") throw new ValidationError(`pretrained = ${JSON.stringify(cfg.pretrained)}; need null or a model directory`);
  return cfg;
}

/**
 * Cut `perTrace` windows of `length` samples at seeded random depths from each trace in `idx`,
 * skipping near-constant impedance (e.g. water).
 */
export function randomWindows(data: SeismicDataset, idx: number[], length: number, perTrace: number, seed: number): { seismic: Float32Array[]; impedance: Float32Array[]; origin: [number, number][] } {
  const ns = data.seismic[0].length;
  if (length > ns) throw new ValidationError(`window length ${length} exceeds the ${ns} samples of ${data.name}`);
  const rand = mulberry32(seed);
  const seismic: Float32Array[] = [];
  const impedance: Float32Array[] = [];
  const origin: [number, number][] = [];
  for (const i of idx) {
    let got = 0;
    for (let tries = 0; got < perTrace && tries < 20 * perTrace; tries++) {
      const s = Math.floor(rand() * (ns - length + 1));
      const z = data.impedance[i].subarray(s, s + length);
      const st = rowStats([z]);
      if (!(st.std > 0.01 * st.mean)) continue;
      seismic.push(data.seismic[i].slice(s, s + length));
      impedance.push(data.impedance[i].slice(s, s + length));
      origin.push([i, s]);
      got++;
    }
  }
  return { seismic, impedance, origin };
}

export interface WindowPretrain {
  bundle: TcnBundle;
  history: TrainHistory;
  /** Scores on windows of the test traces. */
  test: Evaluation;
  windows: { train: number; val: number; test: number };
  data: string;
  freqHz: number;
}

/** Pre-train on synthetic windows (SourceConfig) and score on windows of held-out traces. */
export async function pretrainWindows(src: SourceConfig, freqHz: number, seed: number, onEpoch?: (l: EpochLog) => void, checkpoint?: TrainCheckpoint): Promise<WindowPretrain> {
  await initBackend();
  const spec: DatasetSpec = { ...src.data, freqHz };
  const data = loadDataset(spec);
  const split = splitTraces(data.seismic.length, { seed, ...src.split });
  const L = src.window.length;
  const k = src.window.perTrace;
  const tr = randomWindows(data, split.train, L, k, seed * 3 + 1);
  const va = randomWindows(data, split.val, L, k, seed * 3 + 2);
  const te = randomWindows(data, split.test, L, 1, seed * 3 + 3);
  const all = makeDataset(`${data.name} windows`, [...tr.seismic, ...va.seismic, ...te.seismic], [...tr.impedance, ...va.impedance, ...te.impedance], {
    description: `${data.description}; cut into ${L}-sample windows at random depths (${k} per training/validation trace, 1 per test trace)`,
  });
  const nTr = tr.seismic.length, nVa = va.seismic.length, nTe = te.seismic.length;
  const trIdx = Array.from({ length: nTr }, (_, i) => i);
  const vaIdx = Array.from({ length: nVa }, (_, i) => nTr + i);
  const teIdx = Array.from({ length: nTe }, (_, i) => nTr + nVa + i);
  const t = src.train;
  const { bundle, history } = await fitTcn(all, trIdx, vaIdx.length ? vaIdx : undefined, {
    epochs: t.epochs, batchSize: t.batchSize, lr: t.lr, weightDecay: t.weightDecay, patience: t.patience, seed, onEpoch, checkpoint,
    config: { ...src.model, seed: src.model.seed ?? seed },
    meta: { source: all.description, freqHz, windows: { length: L, train: nTr, val: nVa, test: nTe } },
  });
  const test = evaluateTcn(bundle, all, teIdx.length ? teIdx : vaIdx);
  return { bundle, history, test, windows: { train: nTr, val: nVa, test: nTe }, data: all.description, freqHz };
}

// ---------------------------------------------------------------------------------------------
// Blind test, leave-window-out, final models

export type ModelName = "pretrained_direct" | "direct" | "transfer";
export const MODEL_NAMES: ModelName[] = ["pretrained_direct", "direct", "transfer"];

export interface Score {
  pcc: number;
  r2: number;
  mae: number;
}

export interface FoldRun {
  /** Labelled samples (training) and scored samples. */
  labelled: number[];
  scored: number[];
  seed: number;
  windows: number;
  scores: Record<ModelName, Score> & { labelled_mean: Score };
  /** Predicted impedance along the whole well trace, (m/s)(g/cm3). */
  prediction: Record<ModelName, Float32Array>;
  history: { direct: TrainHistory; transfer: TrainHistory };
  matched: Matched;
}

function score(trueZ: ArrayLike<number>, pred: ArrayLike<number>, idx: number[]): Score {
  const a = idx.map((i) => trueZ[i]);
  const b = idx.map((i) => pred[i]);
  const m: Metrics = metrics(a, b);
  return { pcc: m.pcc, r2: m.r2, mae: m.mae };
}

function runs(idx: number[]): [number, number][] {
  const s = [...idx].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let a = s[0];
  for (let k = 1; k <= s.length; k++) {
    if (k === s.length || s[k] !== s[k - 1] + 1) {
      out.push([a, s[k - 1] + 1]);
      if (k < s.length) a = s[k];
    }
  }
  return out;
}

export interface FoldOptions {
  pretrained: TcnBundle;
  target: WellTarget;
  freqHz: number;
  /** Labelled samples (train on these) and samples to score. */
  labelled: number[];
  scored: number[];
  seed: number;
  window: { length: number; stride: number };
  finetune: WellTransferConfig["finetune"];
  direct: TrainSettings;
  onEpoch?: (stage: string, l: EpochLog) => void;
  /** Keep the two trained bundles (else they are disposed). */
  keep?: boolean;
  /** Checkpoints of the two trainings (stageCheckpoint names FILE.<stage>-direct and FILE.<stage>-transfer). */
  checkpoint?: { base: TrainCheckpoint; stage: string };
}

/**
 * One train/score split of the log: match amplitudes on the labelled samples, cut training windows
 * from the labelled runs, train the TCN from scratch and fine-tune the pre-trained one on them, then
 * invert the whole well trace with the three models and score the `scored` samples.
 */
export async function runFold(o: FoldOptions): Promise<FoldRun & { bundles?: { direct: TcnBundle; transfer: TcnBundle } }> {
  const t = o.target;
  const matched = matchAmplitudes(t, o.freqHz, o.labelled, o.pretrained.xStats.std);
  const starts = windowStarts(runs(o.labelled), o.window.length, o.window.stride);
  if (starts.length === 0) throw new ValidationError(`no training window of ${o.window.length} samples fits in the labelled samples (runs ${JSON.stringify(runs(o.labelled))}); shorten window.length`);
  const ds = makeDataset(
    `${t.spec.name} windows`,
    starts.map((s) => matched.well.subarray(s, s + o.window.length)),
    starts.map((s) => t.impedance.subarray(s, s + o.window.length)),
    { description: `${t.spec.name}: ${starts.length} windows of ${o.window.length} samples at ${t.dtMs} ms from the labelled log` },
  );
  const all = starts.map((_, i) => i);
  const ft = o.finetune;
  const dr = o.direct;
  const direct = await fitTcn(ds, all, undefined, {
    epochs: dr.epochs, batchSize: dr.batchSize, lr: dr.lr, weightDecay: dr.weightDecay, patience: null, seed: o.seed,
    config: { ...o.pretrained.config, seed: o.seed }, onEpoch: (l) => o.onEpoch?.("direct", l),
    checkpoint: o.checkpoint && stageCheckpoint(o.checkpoint.base, `${o.checkpoint.stage}-direct`),
  });
  const fopts: FinetuneOptions = {
    epochs: ft.epochs, batchSize: ft.batchSize, lr: ft.lr, weightDecay: ft.weightDecay, patience: null, seed: o.seed,
    freezeBlocks: ft.freezeBlocks, normalization: ft.normalization, onEpoch: (l) => o.onEpoch?.("transfer", l),
    checkpoint: o.checkpoint && stageCheckpoint(o.checkpoint.base, `${o.checkpoint.stage}-transfer`),
  };
  const transfer = await finetuneTcn(o.pretrained, ds, all, undefined, fopts);
  const x = [matched.well];
  const prediction: Record<ModelName, Float32Array> = {
    pretrained_direct: predictImpedance(o.pretrained, x)[0],
    direct: predictImpedance(direct.bundle, x)[0],
    transfer: predictImpedance(transfer.bundle, x)[0],
  };
  let lm = 0;
  for (const i of o.labelled) lm += t.impedance[i];
  lm /= o.labelled.length;
  const scores = {
    pretrained_direct: score(t.impedance, prediction.pretrained_direct, o.scored),
    direct: score(t.impedance, prediction.direct, o.scored),
    transfer: score(t.impedance, prediction.transfer, o.scored),
    // a constant has no correlation: PCC is undefined (NaN), r2 and MAE say how far the level is off
    labelled_mean: { ...score(t.impedance, new Float64Array(t.impedance.length).fill(lm), o.scored), pcc: NaN },
  };
  const out: FoldRun & { bundles?: { direct: TcnBundle; transfer: TcnBundle } } = {
    labelled: o.labelled, scored: o.scored, seed: o.seed, windows: starts.length, scores, prediction,
    history: { direct: direct.history, transfer: transfer.history }, matched,
  };
  if (o.keep) out.bundles = { direct: direct.bundle, transfer: transfer.bundle };
  else {
    direct.bundle.model.dispose();
    transfer.bundle.model.dispose();
  }
  return out;
}

export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

/** Mean, sample standard deviation (n-1; 0 for one value), min and max, ignoring NaN. */
export function spread(v: number[]): Spread {
  const x = v.filter((a) => Number.isFinite(a));
  const n = x.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, n: 0 };
  const mean = x.reduce((s, a) => s + a, 0) / n;
  const std = n > 1 ? Math.sqrt(x.reduce((s, a) => s + (a - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...x), max: Math.max(...x), n };
}

export type ScoreSummary = Record<ModelName | "labelled_mean", { pcc: Spread; r2: Spread; mae: Spread }>;

export function summarise(folds: FoldRun[]): ScoreSummary {
  const out = {} as ScoreSummary;
  for (const m of [...MODEL_NAMES, "labelled_mean" as const]) {
    out[m] = {
      pcc: spread(folds.map((f) => f.scores[m].pcc)),
      r2: spread(folds.map((f) => f.scores[m].r2)),
      mae: spread(folds.map((f) => f.scores[m].mae)),
    };
  }
  return out;
}

export interface LeaveOutBlock {
  fromMs: number;
  toMs: number;
  samples: [number, number];
  windows: number;
  summary: ScoreSummary;
  runs: FoldRun[];
}

export interface WellTransferResult {
  config: WellTransferConfig;
  target: WellTarget;
  frequency: FrequencyEstimate;
  freqHz: number;
  pretrained: TcnBundle;
  pretrain?: WindowPretrain;
  blind: { labelled: number[]; heldOut: number[]; fromMs: number; toMs: number; runs: FoldRun[]; summary: ScoreSummary };
  leaveOut: LeaveOutBlock[];
  /** Models trained on the whole log (seed = config.seed) and their predictions. */
  final: {
    run: FoldRun;
    bundles: { direct: TcnBundle; transfer: TcnBundle };
    /** Per section, per model: predicted impedance (m/s)(g/cm3), trace-major. */
    sections: { name: string; timeMs: Float64Array; grid: [number, number] | null; wellTrace: number | null; seismic: Float32Array[]; prediction: Record<ModelName, Float32Array[]> }[];
  };
  seconds: number;
}

export type WellStage = "pretrain" | "blind" | "leave-out" | "final";

/**
 * The trainings of a well-transfer run, in order, as named in its checkpoint files (FILE.<stage>,
 * see stageCheckpoint): the pre-training (only without a saved model), then per blind-test seed k
 * `blind<k>-direct` and `blind<k>-transfer`, per leave-out block b and seed k `leaveout<b>s<k>-...`,
 * and `final-direct`, `final-transfer`.
 */
export function wellTransferStages(cfg: WellTransferConfig, hasPretrained = false): string[] {
  const pair = (s: string) => [`${s}-direct`, `${s}-transfer`];
  const out = hasPretrained || cfg.pretrained ? [] : ["pretrain"];
  for (let k = 0; k < cfg.seeds; k++) out.push(...pair(`blind${k}`));
  for (let b = 0; b < cfg.leaveOut.folds; b++) for (let k = 0; k < cfg.leaveOut.seeds; k++) out.push(...pair(`leaveout${b}s${k}`));
  out.push(...pair("final"));
  return out;
}

/**
 * The whole issue-8 workflow from a config: measure the dominant frequency, pre-train on synthetic
 * windows (or load `pretrained`, or use hooks.pretrained), run the blind test over seeds, the
 * leave-window-out blocks, then train on the whole log and invert the target's sections. With
 * `checkpoint`, every training saves its state into FILE.<stage> (wellTransferStages) and, resuming,
 * continues from it: the same models and scores as an uninterrupted run.
 */
export async function runWellTransfer(
  cfg: WellTransferConfig,
  hooks: { pretrained?: TcnBundle; onStage?: (s: WellStage, detail: string) => void; onEpoch?: (stage: string, l: EpochLog) => void; checkpoint?: TrainCheckpoint } = {},
): Promise<WellTransferResult> {
  await initBackend();
  const t0 = Date.now();
  const target = loadWellTarget(cfg.target);
  const frequency = dominantFrequency(target);
  const freqHz = cfg.source.data.freqHz === "auto" ? frequency.freqHz : cfg.source.data.freqHz;
  let pretrained = hooks.pretrained;
  let pretrain: WindowPretrain | undefined;
  if (!pretrained && cfg.pretrained) pretrained = await loadTcn(cfg.pretrained);
  if (!pretrained) {
    hooks.onStage?.("pretrain", `${cfg.source.data.name} at ${freqHz} Hz, windows of ${cfg.source.window.length}`);
    pretrain = await pretrainWindows(cfg.source, freqHz, cfg.seed, (l) => hooks.onEpoch?.("pretrain", l), stageCheckpoint(hooks.checkpoint, "pretrain"));
    pretrained = pretrain.bundle;
  }
  const n = target.timeMs.length;
  const common = { pretrained, target, freqHz, window: cfg.window, finetune: cfg.finetune, direct: cfg.direct, onEpoch: hooks.onEpoch };
  const ck = (stage: string) => (hooks.checkpoint ? { checkpoint: { base: hooks.checkpoint, stage } } : {});
  const blindRuns: FoldRun[] = [];
  for (let k = 0; k < cfg.seeds; k++) {
    hooks.onStage?.("blind", `seed ${cfg.seed + k} (${k + 1}/${cfg.seeds})`);
    blindRuns.push(await runFold({ ...common, ...ck(`blind${k}`), labelled: target.labelled, scored: target.heldOut, seed: cfg.seed + k }));
  }
  const leaveOut: LeaveOutBlock[] = [];
  const K = cfg.leaveOut.folds;
  for (let b = 0; b < K; b++) {
    const lo = Math.round((b * n) / K);
    const hi = Math.round(((b + 1) * n) / K);
    const scored = Array.from({ length: hi - lo }, (_, i) => lo + i);
    const labelled = Array.from({ length: n }, (_, i) => i).filter((i) => i < lo || i >= hi);
    const rr: FoldRun[] = [];
    for (let k = 0; k < cfg.leaveOut.seeds; k++) {
      hooks.onStage?.("leave-out", `block ${b + 1}/${K} (${target.timeMs[lo]}-${target.timeMs[hi - 1]} ms), seed ${cfg.seed + k}`);
      rr.push(await runFold({ ...common, ...ck(`leaveout${b}s${k}`), labelled, scored, seed: cfg.seed + k }));
    }
    leaveOut.push({ fromMs: target.timeMs[lo], toMs: target.timeMs[hi - 1], samples: [lo, hi], windows: rr[0].windows, summary: summarise(rr), runs: rr });
  }
  hooks.onStage?.("final", "whole log, then the sections");
  const allIdx = Array.from({ length: n }, (_, i) => i);
  const fin = await runFold({ ...common, ...ck("final"), labelled: allIdx, scored: allIdx, seed: cfg.seed, keep: true });
  const bundles = fin.bundles!;
  delete fin.bundles;
  const sections = target.apply.map((a, i) => {
    const x = fin.matched.apply[i];
    return {
      name: a.name,
      timeMs: a.timeMs,
      grid: a.grid,
      wellTrace: a.wellTrace,
      seismic: x,
      prediction: { pretrained_direct: predictImpedance(pretrained!, x), direct: predictImpedance(bundles.direct, x), transfer: predictImpedance(bundles.transfer, x) },
    };
  });
  return {
    config: cfg,
    target,
    frequency,
    freqHz,
    pretrained,
    pretrain,
    blind: { labelled: target.labelled, heldOut: target.heldOut, fromMs: target.timeMs[target.heldOut[0]], toMs: target.timeMs[target.heldOut[target.heldOut.length - 1]], runs: blindRuns, summary: summarise(blindRuns) },
    leaveOut,
    final: { run: fin, bundles, sections },
    seconds: (Date.now() - t0) / 1000,
  };
}

/** The JSON-able summary written to metrics.json by `geoinv tcn transfer` for a well target. */
export function wellMetricsJson(r: WellTransferResult): Record<string, unknown> {
  const sc = (s: Score) => ({ pcc: s.pcc, r2: s.r2, mae: s.mae });
  const m = r.final.run.matched;
  return {
    target: r.target.spec.name,
    units: { impedance: "(m/s)(g/cm3)", time: "ms two-way time" },
    blind_test: {
      held_out_ms: [r.blind.fromMs, r.blind.toMs],
      labelled_samples: r.blind.labelled.length,
      held_out_samples: r.blind.heldOut.length,
      dt_ms: r.target.dtMs,
      seeds: r.blind.runs.map((x) => x.seed),
      summary: r.blind.summary,
      per_seed: r.blind.runs.map((x) => ({ seed: x.seed, windows: x.windows, pretrained_direct: sc(x.scores.pretrained_direct), direct: sc(x.scores.direct), transfer: sc(x.scores.transfer), labelled_mean: sc(x.scores.labelled_mean) })),
      tie: { correlation: r.blind.runs[0].matched.tie.correlation, polarity: r.blind.runs[0].matched.polarity, samples: r.blind.runs[0].matched.tieSamples },
    },
    leave_window_out: r.leaveOut.map((b) => ({ from_ms: b.fromMs, to_ms: b.toMs, windows: b.windows, seeds: b.runs.map((x) => x.seed), summary: b.summary })),
    frequency: r.frequency,
    freq_hz_used: r.freqHz,
    amplitude: {
      method: m.method,
      polarity: m.polarity,
      ref_rms: m.refRms,
      well: { offset: m.wellOffset, gain: m.wellGain, tie_correlation: m.tie.correlation, tie_lags: m.tie.lagCorrelation },
      sections: r.target.apply.map((a, i) => ({ name: a.name, offset: m.applyGain[i].offset, gain: m.applyGain[i].gain })),
    },
    pretrain: r.pretrain
      ? { test_windows: { pcc: r.pretrain.test.section.pcc, r2: r.pretrain.test.section.r2, mae: r.pretrain.test.section.mae }, windows: r.pretrain.windows, epochs: r.pretrain.history.epochsRun, loss: r.pretrain.history.finalTrainLoss, data: r.pretrain.data }
      : { from: r.config.pretrained },
    whole_log_in_sample: { direct: sc(r.final.run.scores.direct), transfer: sc(r.final.run.scores.transfer), pretrained_direct: sc(r.final.run.scores.pretrained_direct) },
    seconds: r.seconds,
  };
}

/** Dispose the models a result holds (not a pre-trained model passed in by the caller). */
export function disposeWellTransfer(r: WellTransferResult, alsoPretrained = false): void {
  r.final.bundles.direct.model.dispose();
  r.final.bundles.transfer.model.dispose();
  if (alsoPretrained) r.pretrained.model.dispose();
}
