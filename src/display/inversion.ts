import type { Figure } from "./plot";
import { layeredModelFigure, LayeredModel } from "./figures";

type Num = ArrayLike<number>;

/** A band of a property against depth (e.g. 5-95 % of a population sampled on a depth grid). */
export interface DepthBandSeries {
  name: string;
  depth: Num;
  lower: Num;
  upper: Num;
  color?: string;
}

/**
 * Layered models as step plots (layeredModelFigure) over shaded depth bands whose models may have
 * different layer boundaries (final DE population, repeated runs): each band is filled between
 * its lower and upper curves against depth.
 */
export function modelBandFigure(models: LayeredModel[], bands: DepthBandSeries[], o: { title?: string; valueLabel?: string; logValue?: boolean; maxDepth?: number; height?: number } = {}): Figure {
  const fig = layeredModelFigure(models, o);
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"];
  const bandTraces: Record<string, unknown>[] = [];
  bands.forEach((b, k) => {
    const color = b.color ?? colors[k % colors.length];
    const depth = Array.from(b.depth);
    bandTraces.push({ type: "scatter", mode: "lines", x: Array.from(b.lower), y: depth, line: { width: 0, color }, showlegend: false, hoverinfo: "skip" });
    bandTraces.push({ type: "scatter", mode: "lines", x: Array.from(b.upper), y: depth, line: { width: 0, color }, fill: "tonextx", fillcolor: color + "33", name: b.name });
  });
  return { ...fig, data: [...bandTraces, ...fig.data] };
}
