import * as path from "path";
import { dataDir } from "../../data";
import { IMPEDANCE_UNITS, ImpedanceUnit, ValidationError } from "../../seismic";

/** A real target with one well: what its files are and how they are read (checked by wellTargetSpec). */

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
  well: {
    time: "well_F15A_time_ms.npy",
    seismic: "well_F15A_seismic.npy",
    impedance: "well_F15A_ip.npy",
    impedanceUnit: "km/s*g/cm3",
  },
  dtMs: 4,
  apply: [
    {
      name: "line along 15/9-F-1 A",
      seismic: "section_F1A_seismic.npy",
      time: "section_F1A_time_ms.npy",
      grid: null,
      wellTrace: null,
    },
    {
      name: "PSDM-time crop",
      seismic: "cube_crop_seismic.npy",
      time: "cube_crop_time_ms.npy",
      grid: [21, 73],
      wellTrace: null,
    },
  ],
  heldOut: { fromMs: null, toMs: null },
  amplitude: { method: "tie", polarity: "tie" },
};

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, keys: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new ValidationError(`${where}.${k}: unknown field; allowed: ${keys.join(", ")}`);
}

function str(o: Record<string, unknown>, k: string, where: string, dflt?: string): string {
  const v = o[k] ?? dflt;
  if (typeof v !== "string" || v === "")
    throw new ValidationError(
      `${where}.${k} = ${JSON.stringify(o[k])}; need a non-empty string (a file name or label)`,
    );
  return v;
}

/**
 * Check a target spec from a config file and fill defaults (dir: data directory, apply: [],
 * heldOut: lower third, amplitude: tie/tie). Errors name the field, the value and what is allowed.
 */
export function wellTargetSpec(raw: unknown, where = "target"): WellTargetSpec {
  if (!isObj(raw))
    throw new ValidationError(`${where}: expected an object with kind "well", got ${JSON.stringify(raw)}`);
  onlyKeys(raw, ["kind", "name", "dir", "well", "dtMs", "apply", "heldOut", "amplitude"], where);
  if (raw.kind !== "well")
    throw new ValidationError(`${where}.kind = ${JSON.stringify(raw.kind)}; use "well" for a real target with a log`);
  if (!isObj(raw.well))
    throw new ValidationError(`${where}.well: need {time, seismic, impedance, impedanceUnit} file names`);
  onlyKeys(raw.well, ["time", "seismic", "impedance", "impedanceUnit"], `${where}.well`);
  const unit = str(raw.well, "impedanceUnit", `${where}.well`);
  if (!IMPEDANCE_UNITS.includes(unit as ImpedanceUnit))
    throw new ValidationError(
      `${where}.well.impedanceUnit = ${JSON.stringify(unit)}; use one of ${IMPEDANCE_UNITS.join(", ")}`,
    );
  const dtMs = raw.dtMs;
  if (typeof dtMs !== "number" || !(dtMs > 0 && dtMs <= 100))
    throw new ValidationError(
      `${where}.dtMs = ${JSON.stringify(dtMs)}; need the seismic sample interval in ms, in (0, 100]`,
    );
  const applyRaw = raw.apply ?? [];
  if (!Array.isArray(applyRaw))
    throw new ValidationError(`${where}.apply: need a list of {name, seismic, time, grid?, wellTrace?}`);
  const apply = applyRaw.map((a, i): ApplySpec => {
    const w = `${where}.apply[${i}]`;
    if (!isObj(a)) throw new ValidationError(`${w}: need an object {name, seismic, time, grid?, wellTrace?}`);
    onlyKeys(a, ["name", "seismic", "time", "grid", "wellTrace"], w);
    const grid = a.grid ?? null;
    if (
      grid !== null &&
      !(Array.isArray(grid) && grid.length === 2 && grid.every((g) => Number.isInteger(g) && g > 0))
    ) {
      throw new ValidationError(
        `${w}.grid = ${JSON.stringify(grid)}; need null or [slow, fast] positive integers (e.g. [inlines, crosslines])`,
      );
    }
    const wt = a.wellTrace ?? null;
    if (wt !== null && !(Number.isInteger(wt) && (wt as number) >= 0))
      throw new ValidationError(`${w}.wellTrace = ${JSON.stringify(wt)}; need null or a trace index`);
    return {
      name: str(a, "name", w),
      seismic: str(a, "seismic", w),
      time: str(a, "time", w),
      grid: grid as [number, number] | null,
      wellTrace: wt as number | null,
    };
  });
  const heldOut = heldOutSpec(raw.heldOut, where);
  const amplitude = amplitudeSpec(raw.amplitude, where);
  return {
    kind: "well",
    name: str(raw, "name", where, "well"),
    dir: typeof raw.dir === "string" ? raw.dir : "",
    well: {
      time: str(raw.well, "time", `${where}.well`),
      seismic: str(raw.well, "seismic", `${where}.well`),
      impedance: str(raw.well, "impedance", `${where}.well`),
      impedanceUnit: unit as ImpedanceUnit,
    },
    dtMs,
    apply,
    heldOut,
    amplitude,
  };
}

function heldOutSpec(raw: unknown, where: string): WellTargetSpec["heldOut"] {
  const ho = raw ?? { fromMs: null, toMs: null };
  if (!isObj(ho))
    throw new ValidationError(`${where}.heldOut: need {fromMs, toMs} (ms, null for the default lower third)`);
  onlyKeys(ho, ["fromMs", "toMs"], `${where}.heldOut`);
  for (const k of ["fromMs", "toMs"]) {
    const v = ho[k];
    if (v !== null && v !== undefined && typeof v !== "number")
      throw new ValidationError(`${where}.heldOut.${k} = ${JSON.stringify(v)}; need a time in ms or null`);
  }
  return {
    fromMs: (ho.fromMs as number | null | undefined) ?? null,
    toMs: (ho.toMs as number | null | undefined) ?? null,
  };
}

function amplitudeSpec(raw: unknown, where: string): WellTargetSpec["amplitude"] {
  const am = raw ?? { method: "tie", polarity: "tie" };
  if (!isObj(am)) throw new ValidationError(`${where}.amplitude: need {method: "tie"|"rms", polarity: "tie"|1|-1}`);
  onlyKeys(am, ["method", "polarity"], `${where}.amplitude`);
  const method = am.method ?? "tie";
  if (method !== "tie" && method !== "rms")
    throw new ValidationError(`${where}.amplitude.method = ${JSON.stringify(method)}; use "tie" or "rms"`);
  const polarity = am.polarity ?? "tie";
  if (polarity !== "tie" && polarity !== 1 && polarity !== -1)
    throw new ValidationError(`${where}.amplitude.polarity = ${JSON.stringify(polarity)}; use "tie", 1 or -1`);
  return { method, polarity };
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
