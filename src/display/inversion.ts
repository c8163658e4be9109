import type { DepthBand } from "../inversion";
import type { Figure } from "./plot";
import { layeredModelFigure, LayeredModel, RHO_LABEL, stepCoordinates, TIME_LABEL, valueAxis } from "./figures";

type Num = ArrayLike<number>;
const arr = (a: Num): number[] => Array.from(a);
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"];

/**
 * The label of a band made from the final DE population: the optimiser's spread when it stopped,
 * which shrinks as it converges whether or not the model is right. It is not an uncertainty.
 */
export const SEARCH_SPREAD_LABEL = "search spread (final DE population), not uncertainty";
/** The label of a band made from posterior samples. */
export const POSTERIOR_LABEL = "posterior 5-95 %";
/** Added to a posterior band's label when its chains did not converge: the band is not uncertainty yet. */
export const UNCONVERGED_SUFFIX = " (NOT converged: not uncertainty)";

/** A band of a property against depth (e.g. 5-95 % of a population sampled on a depth grid). */
export interface DepthBandSeries {
  name: string;
  depth: Num;
  lower: Num;
  upper: Num;
  color?: string;
}

/** Filled band traces (lower edge, then upper edge filled to it) of a band against depth. */
function bandTraces(
  name: string,
  depth: Num,
  lower: Num,
  upper: Num,
  color: string,
  alpha = "33",
): Record<string, unknown>[] {
  const d = arr(depth);
  return [
    {
      type: "scatter",
      mode: "lines",
      x: arr(lower),
      y: d,
      line: { width: 0, color },
      showlegend: false,
      hoverinfo: "skip",
      legendgroup: name,
    },
    {
      type: "scatter",
      mode: "lines",
      x: arr(upper),
      y: d,
      line: { width: 0, color },
      fill: "tonextx",
      fillcolor: color + alpha,
      name,
      legendgroup: name,
    },
  ];
}

type FigOpts = { title?: string; valueLabel?: string; logValue?: boolean; maxDepth?: number; height?: number };

/**
 * Layered models as step plots (layeredModelFigure) over shaded depth bands whose models may have
 * different layer boundaries (final DE population, repeated runs): each band is filled between
 * its lower and upper curves against depth. A band from the final DE population should be named
 * SEARCH_SPREAD_LABEL: it is the optimiser's spread, not an uncertainty.
 */
export function modelBandFigure(models: LayeredModel[], bands: DepthBandSeries[], o: FigOpts = {}): Figure {
  const fig = layeredModelFigure(models, o);
  const traces = bands.flatMap((b, k) =>
    bandTraces(b.name, b.depth, b.lower, b.upper, b.color ?? PALETTE[k % PALETTE.length]),
  );
  const values = [...models.flatMap((m) => arr(m.values)), ...bands.flatMap((b) => [...arr(b.lower), ...arr(b.upper)])];
  const layout = { ...fig.layout, xaxis: valueAxis(values, o.logValue !== false, o.valueLabel ?? RHO_LABEL) };
  return { ...fig, data: [...traces, ...fig.data], layout };
}

/** The layering and the property a truth-and-band figure draws of an earth model. */
export type ModelProperties = { thickness: Num; rho0: Num; m: Num };

/**
 * One property (`rho0` or `m`) of earth models against depth: `truth` dashed in black (named
 * `truthName`, default "true"), each of `models` as a step line, and `bands` shaded, as
 * modelBandFigure draws them. For `m` the value axis is linear and labelled "m" unless `o` says
 * otherwise.
 */
export function truthBandFigure(
  key: "rho0" | "m",
  truth: ModelProperties,
  models: { name: string; model: ModelProperties; color?: string }[],
  bands: DepthBandSeries[],
  o: FigOpts & { truthName?: string } = {},
): Figure {
  const { truthName, ...fo } = o;
  const curves: LayeredModel[] = [
    { name: truthName ?? "true", thickness: truth.thickness, values: truth[key], dash: "dash", color: "#000000" },
    ...models.map((m) => ({
      name: m.name,
      thickness: m.model.thickness,
      values: m.model[key],
      ...(m.color === undefined ? {} : { color: m.color }),
    })),
  ];
  return modelBandFigure(curves, bands, key === "m" ? { valueLabel: "m", logValue: false, ...fo } : fo);
}

/** A depth band of the final DE population, labelled SEARCH_SPREAD_LABEL (not an uncertainty). */
export function searchSpreadBand(band: { depth: Num; lower: Num; upper: Num }, color?: string): DepthBandSeries {
  return {
    name: SEARCH_SPREAD_LABEL,
    depth: band.depth,
    lower: band.lower,
    upper: band.upper,
    ...(color === undefined ? {} : { color }),
  };
}

/** A layered model to overlay: layer thicknesses (one fewer than values) and one value per layer. */
export interface ModelOverlay {
  thickness: Num;
  values: Num;
  name?: string;
}

/**
 * A posterior depth band: the 5-95 % range (shaded, labelled "posterior 5-95 %", plus
 * UNCONVERGED_SUFFIX when `converged` is false) and the median of
 * posterior samples against depth, with optional true model (black dashed) and best-fit model
 * overlays. `band` is a DepthBand (inversion.depthBand over posterior samples).
 */
export function posteriorDepthBandFigure(
  band: DepthBand,
  o: FigOpts & {
    trueModel?: ModelOverlay;
    bestModel?: ModelOverlay;
    color?: string;
    bandLabel?: string;
    /** false: the sampler stopped without converging, and the legend says so (PosteriorSummary.converged). */
    converged?: boolean;
  } = {},
): Figure {
  const n = band.depth.length;
  if (n === 0 || band.lower.length !== n || band.median.length !== n || band.upper.length !== n) {
    throw new Error(
      `posteriorDepthBandFigure: band.depth, lower, median and upper must have the same non-zero length (got ${n}, ${band.lower.length}, ${band.median.length}, ${band.upper.length})`,
    );
  }
  const color = o.color ?? "#1f77b4";
  const maxDepth = o.maxDepth ?? Math.max(...band.depth);
  const label = (o.bandLabel ?? POSTERIOR_LABEL) + (o.converged === false ? UNCONVERGED_SUFFIX : "");
  const data: Record<string, unknown>[] = [
    ...bandTraces(label, band.depth, band.lower, band.upper, color, "40"),
    {
      type: "scatter",
      mode: "lines",
      name: "posterior median",
      x: arr(band.median),
      y: arr(band.depth),
      line: { color, width: 1.5, dash: "dot" },
    },
  ];
  const values = [...band.lower, ...band.upper, ...band.median];
  const overlay = (m: ModelOverlay, name: string, line: Record<string, unknown>) => {
    const s = stepCoordinates(m.thickness, m.values, maxDepth);
    values.push(...s.value);
    data.push({ type: "scatter", mode: "lines", name: m.name ?? name, x: s.value, y: s.depth, line });
  };
  if (o.trueModel) overlay(o.trueModel, "true model", { color: "#000000", dash: "dash", width: 2 });
  if (o.bestModel) overlay(o.bestModel, "best-fit model", { color: "#d62728", width: 2 });
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 450,
      xaxis: valueAxis(values, o.logValue !== false, o.valueLabel ?? RHO_LABEL),
      yaxis: { title: { text: "depth (m)" }, range: [maxDepth, 0] },
      margin: { t: 40, l: 60, r: 20, b: 50 },
    },
  };
}

/** Posterior-predictive quantiles of one data set per gate, with the observed data and their errors. */
export interface PredictiveBand {
  name?: string;
  times: Num;
  q05: Num;
  q50: Num;
  q95: Num;
  observed?: Num;
  /** One-sigma errors of the observed data (absolute). */
  errors?: Num;
  color?: string;
}

/**
 * A posterior-predictive data band: per gate the 5-95 % range (shaded) and median of the responses
 * of posterior samples, with the observed data and their error bars, against time on log axes. Log
 * values need one sign: when every quantile and datum is negative |value| is drawn (noted on the
 * plot); when signs are mixed the value axis is linear.
 */
export function posteriorPredictiveFigure(
  sets: PredictiveBand | PredictiveBand[],
  o: { title?: string; yLabel?: string; xLabel?: string; height?: number } = {},
): Figure {
  const list = Array.isArray(sets) ? sets : [sets];
  const all = list
    .flatMap((s) => [...arr(s.q05), ...arr(s.q50), ...arr(s.q95), ...(s.observed ? arr(s.observed) : [])])
    .filter(Number.isFinite);
  const allNeg = all.length > 0 && all.every((v) => v < 0);
  const logY = all.length > 0 && (all.every((v) => v > 0) || allNeg);
  const t = (a: Num) => (allNeg ? arr(a).map(Math.abs) : arr(a));
  const data: Record<string, unknown>[] = [];
  list.forEach((s, k) => {
    const n = s.times.length;
    for (const [key, a] of [
      ["q05", s.q05],
      ["q50", s.q50],
      ["q95", s.q95],
      ["observed", s.observed],
      ["errors", s.errors],
    ] as const) {
      if (a && a.length !== n)
        throw new Error(
          `posteriorPredictiveFigure: ${s.name ?? `set ${k + 1}`}: ${key} has ${a.length} values for ${n} times`,
        );
    }
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const prefix = s.name ? `${s.name}: ` : "";
    const x = arr(s.times);
    data.push({
      type: "scatter",
      mode: "lines",
      x,
      y: t(s.q05),
      line: { width: 0, color },
      showlegend: false,
      hoverinfo: "skip",
      legendgroup: `${prefix}band`,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      x,
      y: t(s.q95),
      line: { width: 0, color },
      fill: "tonexty",
      fillcolor: color + "40",
      name: `${prefix}posterior predictive 5-95 %`,
      legendgroup: `${prefix}band`,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      x,
      y: t(s.q50),
      line: { color, width: 1.5 },
      name: `${prefix}posterior predictive median`,
    });
    if (s.observed) {
      data.push({
        type: "scatter",
        mode: "markers",
        x,
        y: t(s.observed),
        name: `${prefix}observed`,
        marker: { color: "#000000", size: 6, symbol: "circle-open", line: { color: "#000000", width: 1.5 } },
        error_y: s.errors
          ? { type: "data", array: arr(s.errors), visible: true, thickness: 1, width: 2, color: "#000000" }
          : undefined,
      });
    }
  });
  return {
    data,
    layout: {
      title: { text: o.title ?? "" },
      height: o.height ?? 420,
      xaxis: { type: "log", title: { text: o.xLabel ?? TIME_LABEL }, exponentformat: "power" },
      yaxis: {
        type: logY ? "log" : "linear",
        title: { text: (o.yLabel ?? "response") + (allNeg ? " (negative; |value| shown)" : "") },
        exponentformat: "power",
      },
      margin: { t: 40, l: 70, r: 20, b: 50 },
    },
  };
}
