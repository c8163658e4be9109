import { DataFileError } from "./errors";
import { loadNpy } from "./npy";

/**
 * Loader for the Volve real-data arrays (Equinor and the Volve licence partners; via Das et al. 2019,
 * see data/volve_well_seismic/SOURCE.md for provenance, units and caveats).
 *
 * - Well 15/9-F-15 A: acoustic impedance log in (km/s)(g/cm3) and the seismic trace at the well,
 *   1 ms two-way time 2340-2720 ms; the seismic is min-max normalised to 0..1 as exported.
 * - A 145-trace line along well 15/9-F-1 A (another well): 39 samples at 4 ms, 2388-2540 ms,
 *   normalised 0..1, with CDP X/Y (UTM 31N, m).
 * - A PSDM-time crop: 21 inlines x 73 crosslines (crossline fastest), 38 samples at 4 ms,
 *   2600-2748 ms, raw amplitudes.
 */
export interface VolveWell {
  timeMs: Float32Array;
  seismic: Float32Array;
  ip: Float32Array;
  dtMs: number;
}
export interface VolveSection {
  timeMs: Float32Array;
  /** traces[i] is trace i (time samples). */
  traces: Float32Array[];
  cdpx: Float32Array;
  cdpy: Float32Array;
  dtMs: number;
}
export interface VolveCube extends VolveSection {
  inline: Float32Array;
  xline: Float32Array;
  nInline: number;
  nXline: number;
}
export interface VolveData {
  well: VolveWell;
  section: VolveSection;
  cube: VolveCube;
  wavelets: {
    statistical1ms: { t: Float32Array; a: Float32Array };
    ricker20Hz2ms: { t: Float32Array; a: Float32Array };
  };
}

const DIR = "volve_well_seismic";

function vec(name: string, n?: number): Float32Array {
  const a = loadNpy(`${DIR}/${name}.npy`);
  if (a.shape.length !== 1 || (n !== undefined && a.shape[0] !== n)) {
    throw new DataFileError(
      `${DIR}/${name}.npy`,
      "shape",
      `expected shape (${n ?? "n"},), got ${JSON.stringify(a.shape)}`,
    );
  }
  return Float32Array.from(a.data);
}

function rows(name: string, nt?: number): { traces: Float32Array[]; ns: number } {
  const a = loadNpy(`${DIR}/${name}.npy`);
  if (a.shape.length !== 2 || (nt !== undefined && a.shape[0] !== nt)) {
    throw new DataFileError(
      `${DIR}/${name}.npy`,
      "shape",
      `expected a 2-D (${nt ?? "traces"}, samples) array, got ${JSON.stringify(a.shape)}`,
    );
  }
  const [n, ns] = a.shape;
  const traces: Float32Array[] = [];
  for (let i = 0; i < n; i++) traces.push(Float32Array.from(a.data.subarray(i * ns, (i + 1) * ns)));
  return { traces, ns };
}

function uniformStep(t: Float32Array, what: string): number {
  const dt = t[1] - t[0];
  for (let i = 2; i < t.length; i++) {
    if (Math.abs(t[i] - t[i - 1] - dt) > 1e-3 * Math.abs(dt)) {
      throw new DataFileError(
        what,
        "axis",
        `time axis not uniform at sample ${i} (${t[i - 1]} -> ${t[i]} ms, step ${dt} ms expected)`,
      );
    }
  }
  return dt;
}

function wavelet(name: string): { t: Float32Array; a: Float32Array } {
  const w = loadNpy(`${DIR}/${name}.npy`);
  if (w.shape.length !== 2 || w.shape[1] !== 2)
    throw new DataFileError(`${DIR}/${name}.npy`, "shape", `expected (n, 2), got ${JSON.stringify(w.shape)}`);
  const n = w.shape[0];
  const t = new Float32Array(n),
    a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = w.data[2 * i];
    a[i] = w.data[2 * i + 1];
  }
  return { t, a };
}

/** Load every Volve array, check shapes and time axes. */
export function loadVolve(): VolveData {
  const wt = vec("well_F15A_time_ms");
  const n = wt.length;
  const well: VolveWell = {
    timeMs: wt,
    seismic: vec("well_F15A_seismic", n),
    ip: vec("well_F15A_ip", n),
    dtMs: uniformStep(wt, "well_F15A_time_ms.npy"),
  };
  const st = vec("section_F1A_time_ms");
  const s = rows("section_F1A_seismic");
  if (s.ns !== st.length)
    throw new DataFileError(
      `${DIR}/section_F1A_seismic.npy`,
      "shape",
      `${s.ns} samples per trace but ${st.length} times`,
    );
  const section: VolveSection = {
    timeMs: st,
    traces: s.traces,
    cdpx: vec("section_F1A_cdpx", s.traces.length),
    cdpy: vec("section_F1A_cdpy", s.traces.length),
    dtMs: uniformStep(st, "section_F1A_time_ms.npy"),
  };
  const ct = vec("cube_crop_time_ms");
  const c = rows("cube_crop_seismic");
  if (c.ns !== ct.length)
    throw new DataFileError(
      `${DIR}/cube_crop_seismic.npy`,
      "shape",
      `${c.ns} samples per trace but ${ct.length} times`,
    );
  const inline = vec("cube_crop_inline", c.traces.length);
  const xline = vec("cube_crop_xline", c.traces.length);
  const nInline = new Set(inline).size;
  const nXline = new Set(xline).size;
  if (nInline * nXline !== c.traces.length) {
    throw new DataFileError(
      `${DIR}/cube_crop_inline.npy`,
      "shape",
      `${nInline} inlines x ${nXline} crosslines != ${c.traces.length} traces`,
    );
  }
  const cube: VolveCube = {
    timeMs: ct,
    traces: c.traces,
    cdpx: vec("cube_crop_cdpx", c.traces.length),
    cdpy: vec("cube_crop_cdpy", c.traces.length),
    dtMs: uniformStep(ct, "cube_crop_time_ms.npy"),
    inline,
    xline,
    nInline,
    nXline,
  };
  return {
    well,
    section,
    cube,
    wavelets: { statistical1ms: wavelet("wavelet_statistical_1ms"), ricker20Hz2ms: wavelet("wavelet_ricker20Hz_2ms") },
  };
}
