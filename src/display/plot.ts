import * as fs from "fs";
import { newDisplayId, sendDisplay } from "./sink";

/** A plotly figure: plain JSON, as plotly.js takes it. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
let initialised = false;

/** Escape text for inclusion inside an HTML <script> element. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The plotly.js bundle (plotly.js-dist-min), read from node_modules. */
export function plotlyBundle(): string {
  return fs.readFileSync(require.resolve("plotly.js-dist-min"), "utf8");
}

export function plotlyVersion(): string {
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/**
 * Inline plotly.js once per notebook, so the `text/html` half of every plot renders in the classic
 * notebook and in exported HTML without a network. The bundle (plotly.js >= 3 is not UMD/AMD) sets
 * `window.Plotly`, which stays defined under nbconvert's require.js. Safe to call repeatedly: only
 * the first call in a kernel sends the bundle.
 */
export function initNotebook(opts: { force?: boolean } = {}): void {
  if (initialised && !opts.force) return;
  initialised = true;
  const html = `<script type="text/javascript">${scriptSafe(plotlyBundle())}</script>` +
    `<div style="font-size:small;color:#666">plotly.js ${plotlyVersion()} loaded for this notebook</div>`;
  sendDisplay({ data: { "text/html": html, "text/plain": `plotly.js ${plotlyVersion()} loaded` } });
}

/** The HTML fallback of a figure: a div and a call into window.Plotly. */
export function figureHtml(fig: Figure, divId: string): string {
  const json = scriptSafe(JSON.stringify({ data: fig.data, layout: fig.layout ?? {}, config: { responsive: true, ...(fig.config ?? {}) } }));
  const h = (fig.layout?.height as number | undefined) ?? 450;
  return (
    `<div id="${divId}" class="geoinv-plot" style="width:100%;height:${h}px"></div>` +
    `<script type="text/javascript">(function(){var f=${json};` +
    `function draw(){window.Plotly.newPlot("${divId}",f.data,f.layout,f.config);}` +
    `if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly||++n>100){clearInterval(t);if(window.Plotly)draw();else document.getElementById("${divId}").innerText="plotly.js not loaded: run geoinv's display.initNotebook() first";}},50);}})();</script>`
  );
}

/**
 * Show a plotly figure as ONE display output carrying `application/vnd.plotly.v1+json` (JupyterLab
 * renders it natively and keeps it when the notebook is reopened), `text/html` (classic notebook and
 * exported HTML; plotly.js is inlined once by initNotebook) and `text/plain` (a one-line summary).
 */
export function plot(fig: Figure): void {
  initNotebook();
  const id = newDisplayId();
  const title = (fig.layout?.title as { text?: string } | string | undefined) ?? "";
  const t = typeof title === "string" ? title : title.text ?? "";
  sendDisplay({
    data: {
      [PLOTLY_MIME]: { data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} },
      "text/html": figureHtml(fig, id),
      "text/plain": `<plotly figure${t ? `: ${t}` : ""}, ${fig.data.length} trace(s)>`,
    },
  });
}
