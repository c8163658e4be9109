import type { EarthModel, Survey } from "../em";
import { ValidationError } from "./errors";
import { ForwardFn } from "./objective";

/**
 * A cheap analytic stand-in for the EM forward, for testing the inversion plumbing (workers,
 * parameterisation, misfit, lambda rule) without the EM engine. NOT physics: at time t it returns
 * a depth-weighted mean of log10 rho with weights exp(-z/delta(t)), delta(t) = 50 m sqrt(t / 1e-5 s)
 * (a diffusion-depth look-alike), minus a Cole-Cole-like decay of each layer's chargeability.
 * Surveys need `times`; `args.scale` multiplies the output (default 1).
 */
export function toyForward(surveys: Survey[], args?: { scale?: number }): ForwardFn {
  const times = surveys.map((s, i) => {
    if (!s.times) throw new ValidationError(`datasets[${i}].times`, "the toy forward needs the survey's times");
    return s.times.slice();
  });
  const scale = args?.scale ?? 1;
  return (models: EarthModel[]) =>
    models.map((model) => {
      const out: number[] = [];
      const n = model.rho0.length;
      for (const ts of times) {
        for (const t of ts) {
          const delta = 50 * Math.sqrt(t / 1e-5);
          let top = 0;
          let acc = 0;
          let wsum = 0;
          for (let j = 0; j < n; j++) {
            const bottom = j < n - 1 ? top + model.thickness[j] : Infinity;
            const w = Math.exp(-top / delta) - (bottom === Infinity ? 0 : Math.exp(-bottom / delta));
            const x = Math.pow(t / model.tau[j], model.c[j]);
            acc += w * (Math.log10(model.rho0[j]) - model.m[j] * (1 / (1 + x)));
            wsum += w;
            top = bottom;
          }
          out.push((scale * acc) / wsum);
        }
      }
      return Float64Array.from(out);
    });
}
