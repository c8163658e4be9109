import { sendDisplay } from "./sink";

/** Show markdown (text/markdown with a text/plain copy). */
export function markdown(s: string): void {
  sendDisplay({ data: { "text/markdown": s, "text/plain": s } });
}

/** Show raw HTML. */
export function html(s: string, plain = "[html]"): void {
  sendDisplay({ data: { "text/html": s, "text/plain": plain } });
}

/** Anything with arquero's toHTML/toString (a ColumnTable). */
export interface HtmlTable {
  toHTML(options?: Record<string, unknown>): string;
  toString(): string;
  numRows(): number;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Format a number for tables: 4 significant digits, no noise. */
export function fmt(v: unknown, digits = 4): string {
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1);
}

/** Plain-text rendering of rows, for the text/plain half of a table display. */
export function rowsToText(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(empty table)";
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => fmt(r[c])));
  const w = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const line = (xs: string[]) => xs.map((x, j) => x.padStart(w[j])).join("  ");
  return [line(cols), ...cells.map(line)].join("\n");
}

/** HTML rendering of rows (used when the input is an array of objects). */
export function rowsToHtml(rows: Record<string, unknown>[], caption?: string): string {
  const cols = rows.length > 0 ? Object.keys(rows[0]) : [];
  const head = cols.map((c) => `<th style="text-align:right">${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${cols.map((c) => `<td style="text-align:right">${escapeHtml(fmt(r[c]))}</td>`).join("")}</tr>`)
    .join("");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table>${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * Show a table: an arquero table (its own toHTML) or an array of row objects, as text/html with a
 * text/plain copy.
 */
export function table(t: HtmlTable | Record<string, unknown>[], opts: { caption?: string; limit?: number } = {}): void {
  if (Array.isArray(t)) {
    const rows = opts.limit !== undefined ? t.slice(0, opts.limit) : t;
    sendDisplay({ data: { "text/html": rowsToHtml(rows, opts.caption), "text/plain": rowsToText(rows) } });
    return;
  }
  const limit = opts.limit ?? 100;
  const cap = opts.caption ? `<div><b>${escapeHtml(opts.caption)}</b></div>` : "";
  const more = t.numRows() > limit ? `<div style="font-size:small">${t.numRows()} rows, first ${limit} shown</div>` : "";
  sendDisplay({
    data: {
      "text/html": cap + t.toHTML({ limit, format: { __all__: (v: unknown) => fmt(v) } as unknown as Record<string, unknown> }) + more,
      "text/plain": t.toString(),
    },
  });
}
