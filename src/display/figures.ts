import type { Figure } from "./plot";

/**
 * Figure builders for the experiments. Each returns a plain plotly figure (data + layout), so a
 * notebook can adjust it before `plot(fig)`.
 */

type Num = ArrayLike<number>;
const arr = (a: Num): number[] => Array.from(a);

/** Seismic-style diverging colour scale (blue - white - red). */
export const SEISMIC_COLORSCALE: [number, string][] = [
  [0, "#00007f"],
  [0.25, "#3f7fff"],
  [0.5, "#ffffff"],
  [0.75, "#ff3f3f"],
  [1, "#7f0000"],
];
/** Colour scale for impedance / velocity sections (perceptually uniform). */
export const IMPEDANCE_COLORSCALE = "Viridis";

export interface SectionOptions {
  title?: string;
  /** Trace spacing and first trace position (x axis). */
  dx?: number;
  x0?: number;
  /** Sample spacing and first sample (vertical axis, drawn downwards). */
  dz?: number;
  z0?: number;
  xLabel?: string;
  zLabel?: string;
  colorbarTitle?: string;
  colorscale?: string | [number, string][];
  zmin?: number;
  zmax?: number;
  /** Symmetric colour range around 0 (seismic, errors). */
  symmetric?: boolean;
  height?: number;
  /** Plot every k-th trace / sample (keeps large sections light in the notebook). */
  stride?: number;
  /**
   * Largest number of cells drawn (default 80000): the stride is raised until the section fits, so
   * a notebook with several large sections stays under 1 MB.
   */
  maxCells?: number;
  /** Vertical lines at these x positions (e.g. well locations / training traces). */
  markers?: { x: number; label?: string }[];
  /**
   * Sections with more cells than this (default 4000) are stored as 8-bit colour codes (base64,
   * plotly's typed-array form) with the colour bar labelled in data units: about 1.3 bytes per cell
   * instead of 6-8, so a notebook with several sections stays small. Hover then shows x and depth only.
   * Pass Infinity to keep the values.
   */
  quantizeAbove?: number;
}

/** Nice round values (1, 2, 5 x 10^k) covering [lo, hi], about `n` of them. */
export function niceTicks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, n - 1);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((st) => st >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Encode rows of numbers (all finite) as 8-bit codes 0..250 of [zmin, zmax], in plotly's typed-array JSON form. */
export function uint8Heatmap(z: number[][], zmin: number, zmax: number): { dtype: "u1"; bdata: string; shape: string } {
  const rows = z.length,
    cols = rows ? z[0].length : 0;
  const buf = Buffer.alloc(rows * cols);
  const span = zmax > zmin ? zmax - zmin : 1;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const c = Math.round(((z[i][j] - zmin) / span) * 250);
      buf[i * cols + j] = Math.max(0, Math.min(250, c));
    }
  return { dtype: "u1", bdata: buf.toString("base64"), shape: `${rows},${cols}` };
}

/**
 * A 2-D section (trace-major rows: rows[i] is trace i) as a heatmap with the vertical axis (depth
 * or time) pointing down.
 */
export function sectionFigure(rows: Num[], o: SectionOptions = {}): Figure {
  if (rows.length === 0) throw new Error("sectionFigure: no traces");
  const nt = rows.length;
  const ns = rows[0].length;
  // the stride asked for, raised when the section would still have more than maxCells cells
  let s = Math.max(1, Math.floor(o.stride ?? 1));
  const maxCells = o.maxCells ?? 80000;
  const cellsAt = (k: number) => Math.ceil(nt / k) * Math.ceil(ns / k);
  while (cellsAt(s) > maxCells) s++;
  const dx = o.dx ?? 1,
    x0 = o.x0 ?? 0,
    dz = o.dz ?? 1,
    z0 = o.z0 ?? 0;
  const xi: number[] = [];
  for (let i = 0; i < nt; i += s) xi.push(i);
  const zj: number[] = [];
  for (let j = 0; j < ns; j += s) zj.push(j);
  const z = zj.map((j) =>
    xi.map((i) => {
      const v = rows[i][j];
      return Number.isFinite(v) ? Number(v.toPrecision(5)) : null;
    }),
  );
  let zmin = o.zmin,
    zmax = o.zmax;
  if (o.symmetric && (zmin === undefined || zmax === undefined)) {
    let m = 0;
    for (const r of rows) for (let j = 0; j < r.length; j++) if (Number.isFinite(r[j])) m = Math.max(m, Math.abs(r[j]));
    zmin = -m;
    zmax = m;
  }
  const shapes = (o.markers ?? []).map((mk) => ({
    type: "line",
    x0: mk.x,
    x1: mk.x,
    yref: "paper",
    y0: 0,
    y1: 1,
    line: { color: "black", width: 1, dash: "dot" },
  }));
  const annotations = (o.markers ?? [])
    .filter((mk) => mk.label)
    .map((mk) => ({ x: mk.x, yref: "paper", y: 1.02, text: mk.label, showarrow: false, font: { size: 10 } }));
  const cells = xi.length * zj.length;
  const allFinite = z.every((r) => r.every((v) => v !== null));
  let trace: Record<string, unknown> = { z, zmin, zmax, colorbar: { title: { text: o.colorbarTitle ?? "" } } };
  if (cells > (o.quantizeAbove ?? 4000) && allFinite) {
    let lo = zmin,
      hi = zmax;
    if (lo === undefined || hi === undefined) {
      let a = Infinity,
        b = -Infinity;
      for (const r of z)
        for (const v of r) {
          a = Math.min(a, v as number);
          b = Math.max(b, v as number);
        }
      lo ??= a;
      hi ??= b;
    }
    const span = hi > lo ? hi - lo : 1;
    const ticks = niceTicks(lo, hi);
    trace = {
      z: uint8Heatmap(z as number[][], lo, hi),
      zmin: 0,
      zmax: 250,
      hovertemplate: `${o.xLabel ?? "trace"} %{x}<br>${o.zLabel ?? "sample"} %{y}<extra></extra>`,
      colorbar: {
        title: { text: o.colorbarTitle ?? "" },
        tickvals: ticks.map((v) => ((v - lo!) / span) * 250),
        ticktext: ticks.map((v) => String(Number(v.toPrecision(4)))),
      },
    };
  }
  return {
    data: [
      {
        type: "heatmap",
        x: xi.map((i) => x0 + i * dx),
        y: zj.map((j) => z0 + j * dz),
        colorscale: o.colorscale ?? (o.symmetric ? SEISMIC_COLORSCALE : IMPEDANCE_COLORSCALE),
        ...trace,
      },
    ],
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 380,
      xaxis: { title: { text: o.xLabel ?? "trace" } },
      yaxis: { title: { text: o.zLabel ?? "sample" }, autorange: "reversed" },
      margin: { t: 40, l: 60, r: 20, b: 45 },
      shapes,
      annotations,
    },
  };
}

export interface Series {
  name: string;
  values: Num;
  /** x (or depth) values; default 0..n-1 times `dz`. */
  axis?: Num;
  dash?: "solid" | "dash" | "dot" | "dashdot";
  color?: string;
}

/**
 * Traces (e.g. true vs predicted impedance at one position) against depth/time drawn downwards,
 * or against a horizontal axis when `vertical` is false.
 */
export function traceOverlayFigure(
  series: Series[],
  o: {
    title?: string;
    axisLabel?: string;
    valueLabel?: string;
    vertical?: boolean;
    dz?: number;
    z0?: number;
    height?: number;
  } = {},
): Figure {
  const vertical = o.vertical ?? false;
  const data = series.map((s) => {
    const ax = s.axis ? arr(s.axis) : arr(s.values).map((_, j) => (o.z0 ?? 0) + j * (o.dz ?? 1));
    const v = arr(s.values);
    return {
      type: "scatter",
      mode: "lines",
      name: s.name,
      x: vertical ? v : ax,
      y: vertical ? ax : v,
      line: { dash: s.dash ?? "solid", color: s.color },
    };
  });
  const axisT = { title: { text: o.axisLabel ?? "sample" } };
  const valT = { title: { text: o.valueLabel ?? "" } };
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? (vertical ? 500 : 320),
      xaxis: vertical ? valT : axisT,
      yaxis: vertical ? { ...axisT, autorange: "reversed" } : valT,
      // legend at the right (a horizontal legend under the plot collides with the axis title)
      margin: { t: 40, l: 60, r: 20, b: 45 },
    },
  };
}

/** Training and validation loss per epoch. */
export function learningCurveFigure(
  curves: { name: string; values: Num }[],
  o: { title?: string; logY?: boolean; yLabel?: string } = {},
): Figure {
  return {
    data: curves.map((c) => ({
      type: "scatter",
      mode: "lines",
      name: c.name,
      x: arr(c.values).map((_, i) => i + 1),
      y: arr(c.values),
    })),
    layout: {
      title: { text: o.title ?? "Learning curves" },
      height: 320,
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: o.yLabel ?? "MSE (standardised)" }, type: o.logY === false ? "linear" : "log" },
      margin: { t: 40, l: 60, r: 20, b: 45 },
    },
  };
}

/**
 * Split a signed curve into runs of equal sign (for log-log plots of |value|): positive runs are
 * drawn solid with filled markers, negative runs dashed with open markers, so IP sign reversals
 * stay visible on log axes.
 */
export function signRuns(x: Num, y: Num): { sign: 1 | -1; x: number[]; y: number[] }[] {
  const runs: { sign: 1 | -1; x: number[]; y: number[] }[] = [];
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || y[i] === 0) continue;
    const sgn: 1 | -1 = y[i] > 0 ? 1 : -1;
    const last = runs[runs.length - 1];
    if (last && last.sign === sgn) {
      last.x.push(x[i]);
      last.y.push(Math.abs(y[i]));
    } else {
      // repeat the previous point so adjacent runs touch
      runs.push({ sign: sgn, x: [x[i]], y: [Math.abs(y[i])] });
    }
  }
  return runs;
}

/** The time axis label of every transient plot. */
export const TIME_LABEL = "time after switch-off (s)";
/** The note under log-axis plots of signed data. */
export const SIGN_NOTE = "solid line / filled marker: positive; dashed line / open marker: negative (|value| shown)";

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
  "#bcbd22",
];

export interface TransientSeries {
  name: string;
  times: Num;
  values: Num;
  /** One-sigma errors (absolute), drawn as error bars on |value|. */
  errors?: Num;
  /** Data points (markers only) or a model curve (lines). */
  kind?: "data" | "model";
  color?: string;
}

/**
 * Log-log transient curves of |value| against time, with negative values shown distinctly:
 * positive parts solid line / filled markers, negative parts dashed line / open markers.
 */
export function transientFigure(
  series: TransientSeries[],
  o: { title?: string; yLabel?: string; xLabel?: string; height?: number } = {},
): Figure {
  const data: Record<string, unknown>[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const isData = s.kind === "data";
    const idx = new Map<number, number>();
    arr(s.times).forEach((t, i) => idx.set(t, i));
    let shownPos = false,
      shownNeg = false;
    for (const run of signRuns(s.times, s.values)) {
      const neg = run.sign < 0;
      const showlegend = neg ? !shownNeg : !shownPos;
      if (neg) shownNeg = true;
      else shownPos = true;
      const err = s.errors ? run.x.map((t) => Number(s.errors![idx.get(t)!])) : undefined;
      data.push({
        type: "scatter",
        mode: isData ? "markers" : "lines+markers",
        name: `${s.name}${neg ? " (negative)" : ""}`,
        legendgroup: `${s.name}${neg ? "-neg" : ""}`,
        showlegend,
        x: run.x,
        y: run.y,
        line: { color, dash: neg ? "dash" : "solid", width: 1.5 },
        marker: { color, size: isData ? 7 : 4, symbol: neg ? "circle-open" : "circle", line: { color, width: 1.5 } },
        error_y: err ? { type: "data", array: err, visible: true, thickness: 1, width: 2 } : undefined,
      });
    }
  });
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 420,
      xaxis: { type: "log", title: { text: o.xLabel ?? TIME_LABEL, standoff: 6 }, exponentformat: "power" },
      yaxis: { type: "log", title: { text: o.yLabel ?? "|response|" }, exponentformat: "power" },
      margin: { t: 40, l: 70, r: 20, b: 84 },
      // below the x-axis title, in pixels from the plot area so it neither overlaps it nor is cut off
      annotations: [
        {
          xref: "paper",
          yref: "paper",
          x: 0,
          y: 0,
          xanchor: "left",
          yanchor: "top",
          yshift: -58,
          showarrow: false,
          font: { size: 11, color: "#444" },
          text: SIGN_NOTE,
        },
      ],
    },
  };
}

export interface LayeredModel {
  name: string;
  /** Layer thicknesses (one fewer than values; the last layer is a half-space). */
  thickness: Num;
  /** One value per layer (resistivity, chargeability, ...). */
  values: Num;
  /** Optional band (e.g. 5th-95th percentile) per layer, drawn as a shaded region. */
  lower?: Num;
  upper?: Num;
  dash?: "solid" | "dash" | "dot";
  color?: string;
}

/** Depth-value step coordinates of a layered model, the half-space drawn down to `maxDepth`. */
export function stepCoordinates(thickness: Num, values: Num, maxDepth: number): { depth: number[]; value: number[] } {
  const depth: number[] = [];
  const value: number[] = [];
  let top = 0;
  for (let j = 0; j < values.length; j++) {
    const bottom = j < thickness.length ? top + Number(thickness[j]) : Math.max(maxDepth, top * 1.2 + 1);
    depth.push(top, bottom);
    value.push(Number(values[j]), Number(values[j]));
    top = bottom;
  }
  return { depth, value };
}

/** Resistivity axis label (Ω·m everywhere). */
export const RHO_LABEL = "resistivity (Ω·m)";

/**
 * Tick values for a log axis over [lo, hi] (data units): 1-2-3-5 x 10^k for spans up to about a
 * decade, 1-2-5 up to 3 decades, decades beyond; labelled as plain numbers (no "2 3 4 ... 9 100 2").
 */
export function logTicks(lo: number, hi: number): { tickvals: number[]; ticktext: string[] } {
  const d = Math.log10(hi / lo);
  const mant = d <= 1.3 ? [1, 1.5, 2, 3, 5, 7] : d <= 3.2 ? [1, 2, 5] : [1];
  const vals: number[] = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of mant) {
      const v = Number((m * Math.pow(10, k)).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) vals.push(v);
    }
  }
  const text = vals.map((v) => (v >= 1e-3 && v < 1e6 ? String(v) : v.toExponential(0)));
  return { tickvals: vals, ticktext: text };
}

/**
 * An axis (plotly layout) that keeps every value off the plot border: log or linear range padded
 * around [min, max] of the finite values, with readable log ticks.
 */
export function valueAxis(values: number[], log: boolean, title: string): Record<string, unknown> {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return { type: log ? "log" : "linear", title: { text: title } };
  const lo = v.reduce((a, b) => Math.min(a, b)),
    hi = v.reduce((a, b) => Math.max(a, b));
  if (log) {
    const a = Math.log10(lo),
      b = Math.log10(hi);
    const pad = Math.max(0.06 * (b - a), 0.1);
    const r = [a - pad, b + pad];
    return { type: "log", title: { text: title }, range: r, ...logTicks(Math.pow(10, r[0]), Math.pow(10, r[1])) };
  }
  const span = hi - lo || Math.abs(hi) || 1;
  return { type: "linear", title: { text: title }, range: [lo - 0.06 * span, hi + 0.06 * span] };
}

/** Layered models as step plots (value on a log axis by default, depth downwards). */
export function layeredModelFigure(
  models: LayeredModel[],
  o: { title?: string; valueLabel?: string; logValue?: boolean; maxDepth?: number; height?: number } = {},
): Figure {
  const maxDepth = o.maxDepth ?? Math.max(...models.map((m) => 1.5 * arr(m.thickness).reduce((a, b) => a + b, 0)), 1);
  const data: Record<string, unknown>[] = [];
  models.forEach((m, k) => {
    const color = m.color ?? PALETTE[k % PALETTE.length];
    if (m.lower && m.upper) {
      const lo = stepCoordinates(m.thickness, m.lower, maxDepth);
      const hi = stepCoordinates(m.thickness, m.upper, maxDepth);
      data.push({
        type: "scatter",
        mode: "lines",
        x: lo.value,
        y: lo.depth,
        line: { width: 0, color },
        showlegend: false,
        hoverinfo: "skip",
      });
      data.push({
        type: "scatter",
        mode: "lines",
        x: hi.value,
        y: hi.depth,
        line: { width: 0, color },
        fill: "tonextx",
        fillcolor: color + "33",
        name: `${m.name} band`,
      });
    }
    const s = stepCoordinates(m.thickness, m.values, maxDepth);
    data.push({
      type: "scatter",
      mode: "lines",
      name: m.name,
      x: s.value,
      y: s.depth,
      line: { color, dash: m.dash ?? "solid", width: 2 },
    });
  });
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 450,
      xaxis: valueAxis(
        models.flatMap((m) => [...arr(m.values), ...(m.lower ? arr(m.lower) : []), ...(m.upper ? arr(m.upper) : [])]),
        o.logValue !== false,
        o.valueLabel ?? RHO_LABEL,
      ),
      yaxis: { title: { text: "depth (m)" }, range: [maxDepth, 0] },
      margin: { t: 40, l: 60, r: 20, b: 50 },
    },
  };
}

/**
 * Objective (or any quantity) against generation / iteration, for one or more runs. Series of one
 * `group` share a colour (default group: the part of the name before ": ", so "top: λ", "top: μ_CR"
 * and "top: μ_F" are one colour told apart by their dash); other series each get their own colour.
 */
export function convergenceFigure(
  series: {
    name: string;
    y: Num;
    x?: Num;
    dash?: "solid" | "dash" | "dot" | "dashdot";
    color?: string;
    group?: string;
  }[],
  o: { title?: string; xLabel?: string; yLabel?: string; logY?: boolean } = {},
): Figure {
  const groupOf = (s: { name: string; group?: string }) =>
    s.group ?? (s.name.includes(": ") ? s.name.slice(0, s.name.indexOf(": ")) : s.name);
  const groups = [...new Set(series.map(groupOf))];
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: "lines",
      name: s.name,
      legendgroup: groupOf(s),
      x: s.x ? arr(s.x) : arr(s.y).map((_, i) => i),
      y: arr(s.y),
      line: { dash: s.dash ?? "solid", color: s.color ?? PALETTE[groups.indexOf(groupOf(s)) % PALETTE.length] },
    })),
    layout: {
      title: { text: o.title ?? "Convergence" },
      height: 340,
      xaxis: { title: { text: o.xLabel ?? "generation" } },
      yaxis: {
        title: { text: o.yLabel ?? "objective" },
        type: o.logY === false ? "linear" : "log",
        ...(o.logY === false ? {} : logAxisTicks(series.flatMap((x) => arr(x.y)))),
      },
      margin: { t: 40, l: 60, r: 20, b: 45 },
    },
  };
}

/** logTicks over the positive finite values (nothing when there are none), for an autoranged log axis. */
function logAxisTicks(values: number[]): { tickvals?: number[]; ticktext?: string[] } {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (v.length === 0) return {};
  const lo = v.reduce((a, b) => Math.min(a, b)),
    hi = v.reduce((a, b) => Math.max(a, b));
  // a little beyond the data so the autorange's ends are labelled too
  return logTicks(lo / 1.3, hi * 1.3);
}

/** y against x with markers, e.g. PCC vs noise level. */
export function xyFigure(
  series: { name: string; x: Num; y: Num; errorY?: Num }[],
  o: { title?: string; xLabel?: string; yLabel?: string; logX?: boolean; logY?: boolean } = {},
): Figure {
  return {
    data: series.map((s, k) => ({
      type: "scatter",
      mode: "lines+markers",
      name: s.name,
      x: arr(s.x),
      y: arr(s.y),
      error_y: s.errorY ? { type: "data", array: arr(s.errorY), visible: true } : undefined,
      line: { color: PALETTE[k % PALETTE.length] },
    })),
    layout: {
      title: { text: o.title ?? "" },
      height: 340,
      xaxis: { title: { text: o.xLabel ?? "" }, type: o.logX ? "log" : "linear" },
      yaxis: { title: { text: o.yLabel ?? "" }, type: o.logY ? "log" : "linear" },
      margin: { t: 40, l: 60, r: 20, b: 45 },
    },
  };
}
