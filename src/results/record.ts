import * as fs from "fs";
import * as path from "path";
import { runSize } from "../config";
import { atomicWriteFile, numberInRange, object, string, ValidationError } from "../core";

/**
 * The results record (issue 15, part 1): a notebook names its key numbers and tables, and they go
 * silently into `out/results/NOTEBOOK.json` (the directory from GEOINV_RESULTS_DIR, else
 * `out/results` under the working directory, which is the repository root in the kernel).
 * `npm run results` collects these files into docs/results/; the notebook's look is unchanged.
 */

/**
 * How far a re-run may move a number before the check fails: |actual - expected| <= abs + rel |expected|,
 * with the reason the band is that wide. A value recorded without a tolerance is kept for the
 * record but not checked (wall times, for example).
 */
export interface Tolerance {
  abs?: number;
  rel?: number;
  reason: string;
}

export type Cell = number | string | boolean | null;

export interface ResultEntry {
  kind: "value" | "table";
  /** A number (null when the notebook had none, e.g. no run reached the target, or it was NaN/Infinity) or a label. */
  value?: Cell;
  /** Rows of a table (cells: numbers, strings, booleans, null). */
  rows?: Record<string, Cell>[];
  units?: string;
  note?: string;
  /** Band for the value, or for every numeric cell of a table; strings must match exactly. */
  tol?: Tolerance;
}

export interface NotebookResults {
  notebook: string;
  size: "quick" | "full";
  /** Seeds the notebook's numbers come from. */
  seeds: number[];
  /** When the record was last written (ISO). */
  updated: string;
  entries: Record<string, ResultEntry>;
  /** Figures saved with `figure(name, fig)`: plotly JSON files in `NOTEBOOK/` beside the record. */
  figures: string[];
  /** Added by the notebook runner once the notebook ends: wall time, load around it, the commit it ran at. */
  run?: { wall_s: number; load_before: number[]; load_after: number[]; ok: boolean; commit?: string; dirty?: boolean };
}

export interface RecordOptions {
  units?: string;
  note?: string;
  tol?: Tolerance;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The directory results go to: GEOINV_RESULTS_DIR, else out/results under the working directory. */
export function resultsDir(): string {
  return path.resolve(process.env.GEOINV_RESULTS_DIR || path.join("out", "results"));
}

function checkName(name: string, field: string): string {
  string(name, field);
  if (!NAME.test(name))
    throw new ValidationError(
      field,
      `'${name}' may hold only letters, digits, '_', '.' and '-' (starting with a letter or digit), e.g. "tem21.rho_error_pct"`,
    );
  return name;
}

/** Check a tolerance: abs and rel >= 0, at least one given, and a reason. */
export function checkTolerance(t: unknown, field: string): Tolerance {
  const o = object(t, field, ["abs", "rel", "reason"], "{abs?, rel?, reason}");
  const abs = o.abs === undefined ? undefined : numberInRange(o.abs, `${field}.abs`, 0, Infinity);
  const rel = o.rel === undefined ? undefined : numberInRange(o.rel, `${field}.rel`, 0, Infinity);
  if (abs === undefined && rel === undefined)
    throw new ValidationError(field, "give abs or rel (or both): the band a re-run may move the number by");
  if (typeof o.reason !== "string" || !o.reason.trim())
    throw new ValidationError(`${field}.reason`, "missing or empty; say why the band is this wide");
  const reason = o.reason;
  const out: Tolerance = { reason };
  if (abs !== undefined) out.abs = abs;
  if (rel !== undefined) out.rel = rel;
  return out;
}

function cell(v: unknown, field: string): Cell {
  if (v === null || v === undefined) return null;
  // NaN or ±Infinity (a standard deviation of one seed, a ratio of zeros) is kept as null: JSON has no NaN
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" || typeof v === "boolean") return v;
  throw new ValidationError(field, `expected a number, string, boolean or null, got ${typeof v}`);
}

function options(o: RecordOptions | undefined, field: string): Pick<ResultEntry, "units" | "note" | "tol"> {
  const out: Pick<ResultEntry, "units" | "note" | "tol"> = {};
  if (!o) return out;
  if (o.units !== undefined) out.units = string(o.units, `${field}.units`);
  if (o.note !== undefined) out.note = string(o.note, `${field}.note`);
  if (o.tol !== undefined) out.tol = checkTolerance(o.tol, `${field}.tol`);
  return out;
}

export interface Recorder {
  readonly notebook: string;
  readonly file: string;
  /** Record a named number (or label); rewrites the notebook's record file. Returns the value. */
  value<T extends Cell | undefined>(name: string, v: T, opts?: RecordOptions): T;
  /** Record a named table (rows of cells); non-cell values (arrays, objects) are refused. */
  table(name: string, rows: Record<string, unknown>[], opts?: RecordOptions): void;
  /** Save a plotly figure (JSON) for the static export of `npm run results`. */
  figure(name: string, fig: { data: unknown[]; layout?: unknown }): void;
  /** The seeds the notebook's numbers come from. */
  seeds(list: number[]): void;
}

/**
 * Open the record of a notebook: the file `DIR/NOTEBOOK.json` is started afresh (a re-run never
 * mixes with an older run's entries), and every call rewrites it atomically (it is small).
 * Nothing is displayed.
 */
export function openResults(notebook: string, dir = resultsDir()): Recorder {
  checkName(notebook, "notebook");
  const file = path.join(dir, `${notebook}.json`);
  const figDir = path.join(dir, notebook);
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(figDir, { recursive: true, force: true });
  const rec: NotebookResults = {
    notebook,
    size: runSize(),
    seeds: [],
    updated: new Date().toISOString(),
    entries: {},
    figures: [],
  };
  const save = () => {
    rec.updated = new Date().toISOString();
    atomicWriteFile(file, JSON.stringify(rec, null, 1) + "\n");
  };
  save();
  return {
    notebook,
    file,
    value(name, v, opts) {
      checkName(name, "name");
      rec.entries[name] = { kind: "value", value: cell(v, name), ...options(opts, name) };
      save();
      return v;
    },
    table(name, rows, opts) {
      checkName(name, "name");
      if (!Array.isArray(rows)) throw new ValidationError(name, "expected an array of rows");
      const clean = rows.map((r, i) => {
        const o: Record<string, Cell> = {};
        for (const [k, v] of Object.entries(r)) o[k] = cell(v, `${name}[${i}].${k}`);
        return o;
      });
      rec.entries[name] = { kind: "table", rows: clean, ...options(opts, name) };
      save();
    },
    figure(name, fig) {
      checkName(name, "name");
      fs.mkdirSync(figDir, { recursive: true });
      atomicWriteFile(path.join(figDir, `${name}.json`), JSON.stringify({ data: fig.data, layout: fig.layout ?? {} }));
      if (!rec.figures.includes(name)) rec.figures.push(name);
      save();
    },
    seeds(list) {
      rec.seeds = list.map((s, i) => numberInRange(s, `seeds[${i}]`, 0, 2 ** 32));
      save();
    },
  };
}

/** Read every `*.json` record in a directory (none: an empty object). */
export function readResultsDir(dir = resultsDir()): Record<string, NotebookResults> {
  const out: Record<string, NotebookResults> = {};
  if (!fs.existsSync(dir)) return out;
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => x.endsWith(".json"))
    .sort()) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as NotebookResults;
    out[r.notebook] = r;
  }
  return out;
}
