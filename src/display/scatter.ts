import type { Figure } from "./plot";

/**
 * A 2-D scatter of posterior draws of two parameters (e.g. a thin conductor's rho against h), with
 * optional markers for the true and best-fit values and a line y = slope x (a constant ratio, such
 * as a conductance h / rho, is a straight line of slope 1 on log-log axes). At most `maxPoints`
 * draws are drawn (evenly spaced), so a saved notebook stays small.
 */
export function posteriorScatterFigure(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  o: {
    title?: string;
    xLabel?: string;
    yLabel?: string;
    logX?: boolean;
    logY?: boolean;
    truth?: [number, number];
    best?: [number, number];
    line?: { slope: number; name: string };
    maxPoints?: number;
    height?: number;
  } = {},
): Figure {
  if (x.length !== y.length || x.length === 0)
    throw new Error(`posteriorScatterFigure: x and y need the same non-zero length (got ${x.length} and ${y.length})`);
  const m = Math.min(x.length, o.maxPoints ?? 1500);
  const idx = Array.from({ length: m }, (_, i) => Math.floor(((i + 0.5) * x.length) / m));
  const xs = idx.map((i) => x[i]);
  const ys = idx.map((i) => y[i]);
  const data: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "markers",
      name: `posterior draws (${m})`,
      x: xs,
      y: ys,
      marker: { size: 3, color: "#1f77b4", opacity: 0.35 },
    },
  ];
  if (o.line) {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    data.push({
      type: "scatter",
      mode: "lines",
      name: o.line.name,
      x: [lo, hi],
      y: [o.line.slope * lo, o.line.slope * hi],
      line: { color: "#000000", dash: "dot", width: 1.5 },
    });
  }
  if (o.truth) data.push(pointTrace("true", o.truth, { symbol: "star", size: 14, color: "#000000" }));
  if (o.best) data.push(pointTrace("DE best", o.best, { symbol: "x", size: 11, color: "#d62728" }));
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 420,
      xaxis: { title: { text: o.xLabel ?? "" }, type: o.logX ? "log" : "linear" },
      yaxis: { title: { text: o.yLabel ?? "" }, type: o.logY ? "log" : "linear" },
      margin: { t: 40, l: 60, r: 20, b: 50 },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

/** One marked point (x, y) of a scatter figure, e.g. the true or the best-fit values. */
function pointTrace(name: string, p: [number, number], marker: Record<string, unknown>): Record<string, unknown> {
  return { type: "scatter", mode: "markers", name, x: [p[0]], y: [p[1]], marker };
}
