import * as fs from "fs";
import { sendDisplay } from "./sink";

/** A plotly figure: plain JSON, as plotly.js takes it. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Escape text for inclusion inside an HTML <script> element. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/**
 * The plotly.js bundle (plotly.js-dist-min), read from node_modules (the notebook runner inlines it
 * once per exported HTML).
 */
export function plotlyBundle(): string {
  return fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
}

export function plotlyVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/**
 * Kept for notebooks that call it first; it sends nothing. Figures are stored once, as plotly JSON
 * (`application/vnd.plotly.v1+json`), which JupyterLab's plotly renderer (`pip install plotly`)
 * draws; the notebook runner (`npm run notebooks`) inlines plotly.js once in each exported HTML and
 * draws the same JSON there. So no 5 MB bundle is saved in every notebook.
 */
export function initNotebook(_opts: { force?: boolean } = {}): void {
  /* nothing to load */
}

/** Round every number to `digits` significant digits and typed arrays to plain arrays (a smaller notebook). */
export function compactJson(v: unknown, digits = 6): unknown {
  if (typeof v === "number")
    return Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(digits)) : Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map((x) => compactJson(x, digits));
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<number>, (x) => compactJson(x, digits));
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = compactJson(x, digits);
    return o;
  }
  return v;
}

/** Number of legend entries plotly will draw for a figure. */
export function legendEntries(fig: Figure): number {
  if (fig.layout?.showlegend === false) return 0;
  let n = 0;
  for (const t of fig.data) {
    if (t.showlegend === false || t.name === undefined || t.name === "") continue;
    if (t.type === "heatmap" || t.type === "contour") continue;
    n++;
  }
  // plotly shows a lone trace without a legend unless showlegend is set
  return n <= 1 && fig.layout?.showlegend !== true ? 0 : n;
}

/**
 * Make a vertical legend fit without a scroll bar: plotly scrolls a legend taller than the plot
 * area and hides its last entries. The figure grows (30 px per entry) when needed.
 */
export function fitLegend(fig: Figure): Figure {
  const layout = { ...(fig.layout ?? {}) };
  const legend = (layout.legend ?? {}) as Record<string, unknown>;
  if (legend.orientation === "h") return fig;
  const n = legendEntries(fig);
  if (n === 0) return fig;
  const margin = (layout.margin ?? {}) as { t?: number; b?: number };
  const height = (layout.height as number | undefined) ?? 450;
  const plotArea = height - (margin.t ?? 80) - (margin.b ?? 80);
  // measured in headless Chromium (plotly.js 4.1, 12 px legend font): 29 px per entry, plus padding
  const need = 30 * n + 40;
  if (need <= plotArea) return fig;
  layout.height = Math.ceil(height + need - plotArea);
  return { ...fig, layout };
}

/** The HTML of a figure: a div and a call into window.Plotly (the runner's HTML export does the same from the JSON). */
export function figureHtml(fig: Figure, divId: string): string {
  const json = scriptSafe(
    JSON.stringify({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...(fig.config ?? {}) } }),
  );
  const h = (fig.layout?.height as number | undefined) ?? 450;
  return (
    `<div id="${divId}" class="geoinv-plot" style="width:100%;height:${h}px"></div>` +
    `<script type="text/javascript">(function(){var f=${json};` +
    `if(window.Plotly){window.Plotly.newPlot("${divId}",f.data,f.layout,f.config);}` +
    `else{document.getElementById("${divId}").innerText="plotly.js is not loaded on this page";}})();</script>`
  );
}

/** The text/plain line stored beside a figure (what a front end without the plotly renderer shows). */
export function figureText(fig: Figure): string {
  const title = (fig.layout?.title as { text?: string } | string | undefined) ?? "";
  const t = (typeof title === "string" ? title : (title.text ?? ""))
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return `[figure${t ? `: ${t}` : ""}; needs JupyterLab's plotly renderer (pip install plotly)]`;
}

/**
 * Show a plotly figure as ONE display output holding the figure once: `application/vnd.plotly.v1+json`
 * (JupyterLab draws it natively and keeps it when the notebook is reopened) and a one-line
 * `text/plain`. Numbers are rounded to 6 significant digits and legends made to fit.
 */
export function plot(fig: Figure): void {
  const f = fitLegend(fig);
  const json = compactJson({ data: f.data, layout: f.layout ?? {}, config: { responsive: true, ...(f.config ?? {}) } });
  sendDisplay({ data: { [PLOTLY_MIME]: json, "text/plain": figureText(f) }, metadata: {} });
}
