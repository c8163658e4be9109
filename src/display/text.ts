import { sendDisplay } from "./sink";

/** Show markdown (text/markdown with a text/plain copy). */
export function markdown(s: string): void {
  sendDisplay({ data: { "text/markdown": s, "text/plain": s } });
}

/** Show raw HTML. */
export function html(s: string, plain = "[html]"): void {
  sendDisplay({ data: { "text/html": s, "text/plain": plain } });
}

/** An arquero table (ColumnTable) as far as table() needs it: its column names and row objects. */
export interface HtmlTable {
  columnNames(): string[];
  objects(options?: { limit?: number }): object[];
  numRows(): number;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Format a number for tables: `digits` significant digits without trailing noise; integers below
 * 10^6 in full; scientific notation below 10^-3 and from 10^6 (6.813e-6, 1.234e+7).
 */
export function fmt(v: unknown, digits = 4): string {
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  if (a >= 1e-3 && a < 1e6) {
    // Number() drops trailing zeros; toPrecision of a value near 10^6 may give "1.000e+6"
    const r = Number(v.toPrecision(digits));
    return Math.abs(r) >= 1e6 ? r.toExponential(digits - 1) : String(r);
  }
  return v.toExponential(digits - 1);
}

/** How one column is formatted: significant digits, or a function of the value. */
export type ColumnFormat = number | ((v: unknown) => string);

export interface TableOptions {
  caption?: string;
  /** Rows shown (default: all for row arrays, 100 for arquero tables). */
  limit?: number;
  /** Per-column format, keyed by column name; other columns use fmt with `digits`. */
  format?: Record<string, ColumnFormat>;
  /** Significant digits of numeric columns without their own format (default 4). */
  digits?: number;
}

/** A string that reads as one number ("6.813e-6", "-12.5", "1,234"), possibly with a trailing unit-free "%" or "x". */
function isNumeric(s: string): boolean {
  const t = s
    .trim()
    .replace(/,/g, "")
    .replace(/\s*[%x]$/, "");
  return t !== "" && /^[-+−]?(\d|\.\d)/.test(t) && Number.isFinite(Number(t.replace("−", "-")));
}

interface Layout {
  cols: string[];
  cells: string[][];
  numeric: boolean[];
}

/** Columns, formatted cells, and which columns are numeric (right-aligned; text columns left-aligned). */
function layoutRows(rows: Record<string, unknown>[], o: TableOptions = {}, columns?: string[]): Layout {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cellOf = (c: string, v: unknown): string => {
    const f = o.format?.[c];
    if (typeof f === "function") return f(v);
    return fmt(v, typeof f === "number" ? f : (o.digits ?? 4));
  };
  const cells = rows.map((r) => cols.map((c) => cellOf(c, r[c])));
  const numeric = cols.map((c) => {
    const vals = rows
      .map((r) => r[c])
      .filter((v) => v !== null && v !== undefined && !(typeof v === "string" && /^\s*(|-|—|–)\s*$/.test(v)));
    return (
      vals.length > 0 &&
      vals.every((v) => typeof v === "number" || typeof v === "bigint" || (typeof v === "string" && isNumeric(v)))
    );
  });
  return { cols, cells, numeric };
}

function textOf(l: Layout): string {
  if (l.cols.length === 0) return "(empty table)";
  const w = l.cols.map((c, j) => Math.max(c.length, ...l.cells.map((r) => r[j].length)));
  const pad = (x: string, j: number) => (l.numeric[j] ? x.padStart(w[j]) : x.padEnd(w[j]));
  const line = (xs: string[]) => xs.map(pad).join("  ").trimEnd();
  const rule = w.map((n) => "-".repeat(n)).join("  ");
  return [line(l.cols), rule, ...l.cells.map(line)].join("\n");
}

function htmlOf(l: Layout, caption?: string, note?: string): string {
  const al = (j: number) => `text-align:${l.numeric[j] ? "right" : "left"}`;
  const head = l.cols.map((c, j) => `<th style="${al(j)}">${escapeHtml(c)}</th>`).join("");
  const body = l.cells
    .map((r) => `<tr>${r.map((x, j) => `<td style="${al(j)}">${escapeHtml(x)}</td>`).join("")}</tr>`)
    .join("");
  const cap = caption
    ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(caption)}</caption>`
    : "";
  const foot = note ? `<div style="font-size:small">${escapeHtml(note)}</div>` : "";
  return `<table class="geoinv-table">${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${foot}`;
}

/** Plain-text rendering of rows (numbers right-aligned, text left-aligned). */
export function rowsToText(rows: Record<string, unknown>[], o: TableOptions = {}): string {
  if (rows.length === 0) return "(empty table)";
  return textOf(layoutRows(rows, o));
}

/** HTML rendering of rows (numbers right-aligned, text left-aligned). */
export function rowsToHtml(rows: Record<string, unknown>[], caption?: string, o: TableOptions = {}): string {
  return htmlOf(layoutRows(rows, o), caption);
}

function isArqueroLike(t: unknown): t is HtmlTable {
  return !!t && typeof (t as HtmlTable).objects === "function" && typeof (t as HtmlTable).columnNames === "function";
}

/**
 * Show a table, from an arquero table or an array of row objects, as text/html with a readable
 * text/plain copy. Numbers get `digits` significant digits (scientific below 10^-3 and from 10^6),
 * or their column's own entry in `format` (digits or a function); text columns are left-aligned.
 */
export function table(t: HtmlTable | Record<string, unknown>[], opts: TableOptions = {}): void {
  let rows: Record<string, unknown>[];
  let cols: string[] | undefined;
  let note: string | undefined;
  if (Array.isArray(t)) {
    rows = opts.limit !== undefined ? t.slice(0, opts.limit) : t;
    if (rows.length < t.length) note = `${t.length} rows, first ${rows.length} shown`;
  } else if (isArqueroLike(t)) {
    const limit = opts.limit ?? 100;
    rows = t.objects({ limit }) as Record<string, unknown>[];
    cols = t.columnNames();
    if (t.numRows() > limit) note = `${t.numRows()} rows, first ${limit} shown`;
  } else {
    throw new Error(
      `table: expected an arquero table or an array of row objects, got ${Object.prototype.toString.call(t)}`,
    );
  }
  const l = layoutRows(rows, opts, cols);
  const text =
    (opts.caption ? `${opts.caption}\n` : "") +
    (l.cols.length ? textOf(l) : "(empty table)") +
    (note ? `\n(${note})` : "");
  sendDisplay({ data: { "text/html": htmlOf(l, opts.caption, note), "text/plain": text } });
}
