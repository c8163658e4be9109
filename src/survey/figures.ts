import { Figure, sectionFigure, xyFigure } from "../display";
import { EarthModel, valuesAtDepths } from "../inversion";

export interface SectionFigureOptions {
  /** Deepest depth drawn, m (default 250). */
  maxDepth?: number;
  /** Depth sampling of the image, m (default 2). */
  dz?: number;
  /** log10 rho colour range (default: from the models). */
  zmin?: number;
  zmax?: number;
  title?: string;
  /** Posterior width (decades of rho, 5-95 %) at which the DE panel's shading is opaque (default 1). */
  widthMax?: number;
}

export interface SectionColumn {
  id: string;
  x: number;
  y: number;
  distance: number;
  de: EarthModel;
  lci: EarthModel | null;
  doi: number | null;
  /**
   * The DE model's posterior (when sampled): the 5-95 % width of log10 rho (decades) against depth
   * (`sectionPosterior` of a sounding result). Where present the DE panel is shaded by it.
   */
  posterior?: { depth: number[]; logRhoWidth: number[] } | null;
}

/** The posterior width at each depth: linear between the band's depths, the last value below them. */
function widthAt(p: { depth: number[]; logRhoWidth: number[] }, depths: number[]): number[] {
  const d = p.depth,
    w = p.logRhoWidth;
  return depths.map((z) => {
    if (z <= d[0]) return w[0];
    if (z >= d[d.length - 1]) return w[w.length - 1];
    let k = 1;
    while (d[k] < z) k++;
    const f = (z - d[k - 1]) / (d[k] - d[k - 1]);
    return w[k - 1] + f * (w[k] - w[k - 1]);
  });
}

/**
 * Shade the DE panel by the posterior width: white, transparent where the 5-95 % width of log10 rho
 * is 0, opaque (85 %) at `widthMax` decades and wider; columns without a posterior stay clear.
 */
function widthTrace(cols: SectionColumn[], depths: number[], widthMax: number): Record<string, unknown> {
  const w = cols.map((c) => (c.posterior ? widthAt(c.posterior, depths) : depths.map(() => null)));
  return {
    type: "heatmap",
    x: cols.map((c) => c.distance),
    y: depths,
    z: depths.map((_, j) =>
      cols.map((_, i) => (w[i][j] === null ? null : Number(Math.min(widthMax, w[i][j]!).toPrecision(4)))),
    ),
    customdata: depths.map((_, j) =>
      cols.map((_, i) => (w[i][j] === null ? "no posterior" : `${(w[i][j] as number).toFixed(2)} decades`)),
    ),
    hovertemplate: "posterior 5-95 % width of log10 ρ: %{customdata}<extra></extra>",
    zmin: 0,
    zmax: widthMax,
    colorscale: [
      [0, "rgba(255,255,255,0)"],
      [1, "rgba(255,255,255,0.85)"],
    ],
    showscale: true,
    colorbar: {
      title: { text: "posterior<br>width<br>(decades)", side: "top" },
      x: -0.2,
      len: 0.55,
      thickness: 14,
      tickvals: [0, widthMax / 2, widthMax],
      ticktext: ["0", String(widthMax / 2), `≥ ${widthMax}`],
    },
    name: "posterior 5-95 % width of log10 ρ",
    xaxis: "x",
    yaxis: "y",
  };
}

function image(models: EarthModel[], depths: number[]): number[][] {
  return models.map((m) => valuesAtDepths(m, "rho0", depths).map((v) => Math.log10(v)));
}

/** Shade below the DOI of each sounding (white, translucent; `shade` false: the line only), and the DOI line. */
function doiTraces(
  cols: SectionColumn[],
  maxDepth: number,
  xaxis: string,
  yaxis: string,
  showlegend: boolean,
  shade = true,
  lineLegend = showlegend,
): Record<string, unknown>[] {
  const c = cols.filter((s) => s.doi !== null);
  if (c.length === 0) return [];
  const x = c.map((s) => s.distance);
  const z = c.map((s) => Math.min(maxDepth, s.doi!));
  return [
    ...(shade
      ? [
          {
            type: "scatter",
            mode: "lines",
            x: [...x, ...x.slice().reverse()],
            y: [...z, ...x.map(() => maxDepth)],
            fill: "toself",
            fillcolor: "rgba(255,255,255,0.55)",
            line: { width: 0 },
            hoverinfo: "skip",
            name: "below DOI",
            showlegend,
            xaxis,
            yaxis,
          },
        ]
      : []),
    {
      type: "scatter",
      mode: "lines+markers",
      x,
      y: z,
      line: { color: "black", dash: "dash", width: 1.5 },
      marker: { size: 4 },
      name: "DOI (LCI sensitivity)",
      showlegend: lineLegend,
      xaxis,
      yaxis,
    },
  ];
}

/**
 * The section figures (plotly figure objects): the sites on a map in profile order, and log10 rho
 * along the profile with depth, DE (each sounding's 1-D model) beside the LCI, both shaded below
 * the LCI's depth of investigation. Columns are drawn at the distance along the profile.
 */
export function sectionFigures(cols: SectionColumn[], o: SectionFigureOptions = {}): { map: Figure; section: Figure } {
  const maxDepth = o.maxDepth ?? 250;
  const dz = o.dz ?? 2;
  const depths = Array.from({ length: Math.floor(maxDepth / dz) + 1 }, (_, j) => j * dz);
  const de = image(
    cols.map((c) => c.de),
    depths,
  );
  const hasLci = cols.every((c) => c.lci !== null);
  const lc = hasLci
    ? image(
        cols.map((c) => c.lci!),
        depths,
      )
    : null;
  const all = [...de, ...(lc ?? [])].flat().filter(Number.isFinite);
  const zmin = o.zmin ?? Math.floor(Math.min(...all) * 2) / 2;
  const zmax = o.zmax ?? Math.ceil(Math.max(...all) * 2) / 2;
  const heat = (rows: number[][], title: string) => {
    const f = sectionFigure(rows, { dz, z0: 0, zmin, zmax, colorscale: "Jet", colorbarTitle: "log10 ρ (Ω·m)", title });
    const t = f.data[0];
    t.x = cols.map((c) => c.distance);
    t.text = cols.map(() => depths.map(() => ""));
    t.customdata = depths.map(() => cols.map((c) => c.id));
    t.hovertemplate = "%{customdata} at %{x:.0f} m, depth %{y} m: log10 ρ %{z:.2f}<extra></extra>";
    return t;
  };
  const left = { ...heat(de, "DE"), xaxis: "x", yaxis: "y" };
  // with posteriors, the DE panel is shaded by their width (the DOI as a line); the LCI below its DOI
  const hasPost = cols.some((c) => c.posterior);
  const widthMax = o.widthMax ?? 1;
  const data: Record<string, unknown>[] = [
    left,
    ...(hasPost ? [widthTrace(cols, depths, widthMax)] : []),
    ...doiTraces(cols, maxDepth, "x", "y", true, !hasPost),
  ];
  const defaultTitle = hasPost
    ? `Resistivity section: DE per sounding (left) shaded by the posterior 5-95 % width of log10 ρ (opaque at ≥ ${widthMax} decade${widthMax === 1 ? "" : "s"}), LCI (right) shaded below the DOI`
    : "Resistivity section: 1-D DE per sounding (left) and LCI (right), shaded below the DOI";
  const layout: Record<string, unknown> = {
    title: { text: o.title ?? defaultTitle, font: { size: hasPost ? 13 : 17 } },
    height: 460,
    margin: { t: 50, l: hasPost ? 140 : 60, r: 20, b: 50 },
    xaxis: { title: { text: "distance along profile (m)" }, domain: hasLci ? [0, 0.44] : [0, 0.9] },
    yaxis: { title: { text: "depth (m)" }, autorange: "reversed", range: [maxDepth, 0] },
    legend: { orientation: "h", y: -0.18 },
    annotations: [
      {
        text: hasPost ? "DE (1-D per sounding), shading = posterior width" : "DE (1-D per sounding)",
        xref: "x domain",
        yref: "paper",
        x: 0.5,
        y: 1.02,
        showarrow: false,
      },
      ...(hasLci
        ? [
            {
              text: hasPost ? "LCI, shaded below the DOI" : "LCI",
              xref: "x2 domain",
              yref: "paper",
              x: 0.5,
              y: 1.02,
              showarrow: false,
            },
          ]
        : []),
    ],
  };
  (left as Record<string, unknown>).showscale = !hasLci;
  if (lc) {
    data.push(
      { ...heat(lc, "LCI"), xaxis: "x2", yaxis: "y2" },
      ...doiTraces(cols, maxDepth, "x2", "y2", hasPost, true, false),
    );
    layout.xaxis2 = { title: { text: "distance along profile (m)" }, domain: [0.5, 0.94] };
    layout.yaxis2 = { autorange: "reversed", anchor: "x2", matches: "y" };
  }
  const m = xyFigure([{ name: "profile order", x: cols.map((c) => c.x), y: cols.map((c) => c.y) }], {
    title: "Sites (UTM 15N) in profile order",
    xLabel: "easting (m)",
    yLabel: "northing (m)",
  });
  Object.assign(m.data[0], {
    mode: "lines+markers+text",
    text: cols.map((c) => c.id.replace(/^site0?/, "")),
    textposition: "top center",
    line: { color: "#888", dash: "dot" },
    marker: {
      size: 8,
      color: cols.map((c) => c.doi ?? 0),
      colorscale: "Viridis",
      showscale: cols.some((c) => c.doi !== null),
      colorbar: { title: { text: "DOI (m)" } },
    },
  });
  m.layout = { ...m.layout, height: 420, yaxis: { ...(m.layout!.yaxis as object), scaleanchor: "x" } };
  return { map: m, section: { data, layout } };
}
