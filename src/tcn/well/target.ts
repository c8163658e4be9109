import { loadNpy } from "../../data";
import { convertImpedance, resampleAverage, ValidationError } from "../../seismic";
import { targetPath, wellTargetSpec, WellTargetSpec } from "./spec";

/** A target's files read and resampled to the seismic interval. */

function vec(spec: WellTargetSpec, file: string): Float64Array {
  const a = loadNpy(targetPath(spec, file));
  if (a.shape.length !== 1)
    throw new ValidationError(`${file}: expected a 1-D array, got shape ${JSON.stringify(a.shape)}`);
  return Float64Array.from(a.data);
}

function uniformDt(t: ArrayLike<number>, what: string): number {
  if (t.length < 2) throw new ValidationError(`${what}: need at least 2 time samples`);
  const dt = t[1] - t[0];
  if (!(dt > 0)) throw new ValidationError(`${what}: times must increase (got ${t[0]}, ${t[1]} ms)`);
  for (let i = 2; i < t.length; i++) {
    if (Math.abs(t[i] - t[i - 1] - dt) > 1e-3 * dt)
      throw new ValidationError(
        `${what}: time axis not uniform at sample ${i} (${t[i - 1]} -> ${t[i]} ms, step ${dt} ms expected); resample it first`,
      );
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
    throw new ValidationError(
      `well: ${t.length} times, ${s.length} seismic and ${z.length} impedance samples; the three files must have the same length`,
    );
  }
  const dtIn = uniformDt(t, spec.well.time);
  if (dtIn > spec.dtMs * (1 + 1e-6))
    throw new ValidationError(
      `well: sampled at ${dtIn} ms, coarser than dtMs = ${spec.dtMs}; set dtMs to at least ${dtIn}`,
    );
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
  if (heldOut.length < 3)
    throw new ValidationError(
      `target.heldOut [${from}, ${to}] ms holds ${heldOut.length} samples of the ${n} at ${spec.dtMs} ms (${timeMs[0]}-${timeMs[n - 1]} ms); hold back at least 3`,
    );
  if (labelled.length < 8)
    throw new ValidationError(
      `target.heldOut [${from}, ${to}] ms leaves ${labelled.length} labelled samples; leave at least 8`,
    );
  const apply = spec.apply.map((a, i): AppliedSection => {
    const arr = loadNpy(targetPath(spec, a.seismic));
    if (arr.shape.length !== 2)
      throw new ValidationError(
        `${a.seismic}: expected a 2-D (traces, samples) array, got ${JSON.stringify(arr.shape)}`,
      );
    const [nt, ns] = arr.shape;
    const at = vec(spec, a.time);
    if (at.length !== ns)
      throw new ValidationError(`${a.seismic}: ${ns} samples per trace but ${a.time} has ${at.length} times`);
    if (a.grid && a.grid[0] * a.grid[1] !== nt)
      throw new ValidationError(
        `target.apply[${i}].grid`,
        `${a.grid[0]} x ${a.grid[1]} = ${a.grid[0] * a.grid[1]} traces, but ${a.seismic} ('${a.name}') has ${nt}`,
      );
    if (a.wellTrace !== null && a.wellTrace >= nt)
      throw new ValidationError(
        `target.apply[${i}].wellTrace`,
        `${a.wellTrace} is outside [0, ${nt - 1}] ('${a.name}' has ${nt} traces)`,
      );
    const dt = uniformDt(at, a.time);
    if (dt > spec.dtMs * (1 + 1e-6))
      throw new ValidationError(`${a.name}: sampled at ${dt} ms, coarser than dtMs = ${spec.dtMs}`);
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
  return {
    spec,
    dtMs: spec.dtMs,
    timeMs,
    seismic: rs.values,
    impedance: rz.values,
    raw: { timeMs: t, seismic: s, impedance: z, dtMs: dtIn },
    labelled,
    heldOut,
    apply,
  };
}
