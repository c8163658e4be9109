import { DataFileError, ValidationError } from "./errors";
import { stripBom } from "../core";
import { readDataFile } from "./manifest";

/**
 * Reader for the Rankin Inlet central-loop PROTEM soundings (Geological Survey of Canada,
 * via emgeolab/gsc_tem_permafrost; see data/tem_gsc_rankin_inlet/SOURCE.md).
 *
 * Column layout of each `23xx.csv` (one header row, 120 data rows = 6 transmitter/base-frequency
 * combinations x 20 gates):
 *   TEM, f (Hz), I (A), NA (m2), Gain, Gate, Vsys (mV), N (%), Time (s), V (mV/Am2), b (mV/Am2), N (mV/Am2)
 * V is the normalised voltage: V * 1e-3 = -dBz/dt per ampere of transmitter current, in (T/s)/A.
 */
export const RANKIN_COLUMNS = [
  "TEM",
  "f (Hz)",
  "I (A)",
  "NA (m2)",
  "Gain",
  "Gate",
  "Vsys (mV)",
  "N (%)",
  "Time (s)",
  "V (mV/Am2)",
  "b (mV/Am2)",
  "N (mV/Am2)",
] as const;

/** One transmitter / base-frequency block of a sounding (20 gates). */
export interface RankinBlock {
  /** Transmitter model: 47 (3 A) or 57 (about 8.7 A). */
  tem: number;
  /** Base (repetition) frequency, Hz. */
  baseFrequency: number;
  /** Transmitter current, A. */
  current: number;
  /** Receiver coil effective area, m^2. */
  receiverArea: number;
  gate: number[];
  /** Gate centre times after turn-off, s. */
  time: number[];
  /** Normalised voltage V, mV/(A m^2) (= -dBz/dt per ampere x 1e3, (T/s)/A x 1e3). */
  v: number[];
  /** Total noise (one standard deviation), mV/(A m^2). */
  noise: number[];
  /** Relative noise, %. */
  noisePercent: number[];
  /** Raw receiver reading, mV. */
  vsys: number[];
  gain: number[];
}

export interface RankinSounding {
  site: number;
  file: string;
  blocks: RankinBlock[];
}

export interface RankinLocation {
  site: number;
  easting: number;
  northing: number;
  iceThickness: number | null;
  waterDepth: number | null;
}

/** Split one CSV line, honouring double quotes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (q && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else q = !q;
    } else if (ch === "," && !q) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Parse the text of one Rankin Inlet sounding file. */
export function parseRankinCsv(text: string, name = "<csv>"): RankinBlock[] {
  const lines = stripBom(text)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new DataFileError(name, "header", "no data rows");
  const head = splitCsvLine(lines[0]);
  const missing = RANKIN_COLUMNS.filter((c, i) => head[i] !== c);
  if (head.length !== RANKIN_COLUMNS.length || missing.length > 0) {
    throw new DataFileError(
      name,
      "header",
      `columns ${JSON.stringify(head)} do not match the Rankin Inlet layout ${JSON.stringify(RANKIN_COLUMNS)}`,
    );
  }
  const blocks = new Map<string, RankinBlock>();
  for (let r = 1; r < lines.length; r++) {
    const cells = splitCsvLine(lines[r]);
    if (cells.length !== RANKIN_COLUMNS.length) {
      throw new DataFileError(
        name,
        "row",
        `line ${r + 1} has ${cells.length} fields, expected ${RANKIN_COLUMNS.length}`,
      );
    }
    const v = cells.map((c, i) => {
      const x = Number(c);
      if (c === "" || !Number.isFinite(x)) {
        throw new DataFileError(
          name,
          "row",
          `line ${r + 1}, column '${RANKIN_COLUMNS[i]}': '${c}' is not a finite number`,
        );
      }
      return x;
    });
    const [tem, f, cur, na, gain, gate, vsys, nPct, t, vv, , nAbs] = v;
    const key = `${tem}/${f}`;
    let b = blocks.get(key);
    if (b === undefined) {
      b = {
        tem,
        baseFrequency: f,
        current: cur,
        receiverArea: na,
        gate: [],
        time: [],
        v: [],
        noise: [],
        noisePercent: [],
        vsys: [],
        gain: [],
      };
      blocks.set(key, b);
    }
    b.gate.push(gate);
    b.time.push(t);
    b.v.push(vv);
    b.noise.push(nAbs);
    b.noisePercent.push(nPct);
    b.vsys.push(vsys);
    b.gain.push(gain);
  }
  for (const b of blocks.values()) {
    for (let i = 1; i < b.time.length; i++) {
      if (!(b.time[i] > b.time[i - 1])) {
        throw new DataFileError(
          name,
          "row",
          `TEM${b.tem} ${b.baseFrequency} Hz: gate times not increasing at gate ${b.gate[i]}`,
        );
      }
    }
  }
  return [...blocks.values()];
}

/** Sites available in the bundled data (files 2301..2322 are sites 1..22). */
export function rankinSites(): number[] {
  return Array.from({ length: 22 }, (_, i) => i + 1);
}

/** Load the sounding of one site (1..22). */
export function loadRankinSounding(site: number): RankinSounding {
  if (!Number.isInteger(site) || site < 1 || site > 22) {
    throw new ValidationError("site", `must be an integer 1..22 (files 2301..2322), got ${site}`);
  }
  const file = `tem_gsc_rankin_inlet/${2300 + site}.csv`;
  const text = readDataFile(file).toString("utf8");
  return { site, file, blocks: parseRankinCsv(text, file) };
}

/** Load the site locations (UTM zone 15N easting/northing, ice thickness, water depth). */
export function loadRankinLocations(): RankinLocation[] {
  const file = "tem_gsc_rankin_inlet/locations.csv";
  const lines = stripBom(readDataFile(file).toString("utf8"))
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const num = (s: string) => (s === "" || s === "-" || !Number.isFinite(Number(s)) ? null : Number(s));
  return lines.slice(1).map((l) => {
    const c = splitCsvLine(l);
    return {
      site: Number(c[0]),
      easting: Number(c[1]),
      northing: Number(c[2]),
      iceThickness: num(c[3]),
      waterDepth: num(c[4]),
    };
  });
}
