import { loadRankinLocations, loadRankinSounding, rankinSites, readDataFile, splitCsvLine } from "../data";
import { RANKIN_DEFAULT_BLOCKS, rankinDatasets } from "../inversion";
import { ValidationError } from "./errors";

/**
 * The Rankin Inlet survey: all 22 central-loop PROTEM soundings (data/tem_gsc_rankin_inlet/) as one
 * survey, with the per-site details of the single-site inversions (src/inversion/field.ts
 * `rankinDatasets`: blocks, 1 A normalisation, error = file noise with a relative floor; sign
 * reversals are handled by the survey's step1_data) and, at lake sites, the measured ice and water
 * as fixed top layers:
 * - lake sites (ice thickness and water depth given): ice of the given thickness at
 *   `iceRho` (default 10 000 ohm-m), over water of thickness (water depth - ice thickness) at the
 *   file's water resistivity (the second number of "Water Conductivity (mS/m, ohm-m)"). The water
 *   depth is read as measured from the water level, which the ice thickness is part of: sites 3 and
 *   8 (ice 1.5 / 1.6 m, depth 1.9 / 1.8 m) then have 0.2-0.4 m of water under the ice, next to
 *   the bottom-fast-ice sites. This reading is an assumption: the file does not say.
 * - bottom-fast ice (BFI) and onshore sites: no fixed layers (frozen ground is part of the inverted earth).
 * Profile order: sites sorted by their projection on the principal axis of the site locations.
 */
export interface RankinSurveyOptions {
  sites?: number[];
  blocks?: [number, number][];
  relativeError?: number;
  iceRho?: number;
  name?: string;
  parameterisation?: Record<string, unknown>;
  optimizer?: Record<string, unknown>;
  lci?: Record<string, unknown> | false;
  workflow?: "resistivity" | "two-step";
}

export const RANKIN_SURVEY_DEFAULTS = {
  parameterisation: { layers: 5, rho0: { min: 0.1, max: 20000 }, thickness: { min: 2, max: 150 } },
  optimizer: { strategy: "jade", np: 40, generations: 60, seed: 1, target_rms: 1 },
  lci: {
    layers: 20,
    first_thickness: 3,
    max_depth: 250,
    sigma_vertical: 0.3,
    sigma_lateral: 0.1,
    d0: 250,
    max_iterations: 8,
    rho_min: 0.1,
    rho_max: 20000,
  },
};

/** Indices of points sorted along the principal axis of their positions (axis oriented eastwards). */
export function profileOrder(pts: { x: number; y: number }[]): number[] {
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.x, 0) / n;
  const my = pts.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0,
    syy = 0,
    sxy = 0;
  for (const p of pts) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let ux = Math.cos(theta),
    uy = Math.sin(theta);
  if (ux < 0 || (ux === 0 && uy < 0)) {
    ux = -ux;
    uy = -uy;
  }
  const s = pts.map((p) => (p.x - mx) * ux + (p.y - my) * uy);
  return pts.map((_, i) => i).sort((a, b) => s[a] - s[b] || a - b);
}

function waterResistivities(): Map<number, number | null> {
  const lines = readDataFile("tem_gsc_rankin_inlet/locations.csv")
    .toString("utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  const out = new Map<number, number | null>();
  for (const l of lines.slice(1)) {
    const c = splitCsvLine(l);
    const parts = (c[5] ?? "").split(",").map((v) => Number(v.trim()));
    out.set(Number(c[0]), parts.length === 2 && Number.isFinite(parts[1]) && parts[1] > 0 ? parts[1] : null);
  }
  return out;
}

/** The Rankin Inlet survey as survey JSON (what examples/survey_rankin.json holds). */
export function rankinSurvey(o: RankinSurveyOptions = {}): Record<string, unknown> {
  const sites = o.sites ?? rankinSites();
  const locs = loadRankinLocations();
  const waterRho = waterResistivities();
  const iceRho = o.iceRho ?? 1e4;
  const blocks = o.blocks ?? RANKIN_DEFAULT_BLOCKS;
  const rel = o.relativeError ?? 0.05;
  const entries = sites.map((site) => {
    const l = locs.find((x) => x.site === site);
    if (!l)
      throw new ValidationError(
        "sites",
        `site ${site} is not in locations.csv; allowed ${locs.map((x) => x.site).join(", ")}`,
      );
    const snd = loadRankinSounding(site);
    const wr = waterRho.get(site) ?? null;
    const lake = l.iceThickness !== null && l.waterDepth !== null && wr !== null;
    const top = lake
      ? {
          thickness: [l.iceThickness!, Math.max(0.1, Number((l.waterDepth! - l.iceThickness!).toFixed(3)))],
          rho0: [iceRho, wr!],
        }
      : undefined;
    const raw = locsSetting(site);
    const setting = lake ? "lake" : raw === "BFI" ? "bottom-fast ice" : raw === "Onshore" ? "onshore" : raw;
    return {
      id: `site${String(site).padStart(2, "0")}`,
      x: l.easting,
      y: l.northing,
      ...(top ? { top_layers: top } : {}),
      info: {
        site,
        file: snd.file,
        setting,
        ice_thickness: l.iceThickness,
        water_depth: l.waterDepth,
        water_resistivity: wr,
      },
      surveys: rankinDatasets(snd, { blocks, relativeError: rel }).map((d) => ({
        label: d.label,
        ...d.survey,
        data: { time_off: d.observed, error: d.error },
      })),
    };
  });
  const order = profileOrder(entries);
  return {
    name: o.name ?? "rankin_inlet",
    description:
      `Rankin Inlet central-loop PROTEM survey, ${sites.length} sites (data/tem_gsc_rankin_inlet/, written by rankinSurvey() of src/survey): ` +
      `blocks ${blocks.map(([t, f]) => `TEM${t} ${f} Hz`).join(", ")}; data -V x 1e-3 (T/s per A), error sqrt(N^2 + (${rel} V)^2) x 1e-3; ` +
      `lake sites with ice (${iceRho} ohm-m) and water (the file's resistivity) as fixed top layers; soundings in profile order (principal axis of the sites).`,
    forward: "em",
    parameterisation: o.parameterisation ?? RANKIN_SURVEY_DEFAULTS.parameterisation,
    optimizer: o.optimizer ?? RANKIN_SURVEY_DEFAULTS.optimizer,
    workflow: o.workflow ?? "resistivity",
    step1_data: "before_sign_reversal",
    lci: o.lci === undefined ? RANKIN_SURVEY_DEFAULTS.lci : o.lci,
    soundings: order.map((i) => entries[i]),
  };
}

let settings: Map<number, string> | undefined;
function locsSetting(site: number): string {
  if (!settings) {
    settings = new Map();
    const lines = readDataFile("tem_gsc_rankin_inlet/locations.csv")
      .toString("utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "");
    for (const l of lines.slice(1)) {
      const c = splitCsvLine(l);
      settings.set(Number(c[0]), c[3]);
    }
  }
  return settings.get(site) ?? "";
}
