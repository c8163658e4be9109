import { batchBytes, compileSurvey, FAST_OPTIONS, forwardMany } from "../em";
import type { EarthModel, ForwardOptions, Survey, SurveyPlan } from "../em";
import { checkMemory, ValidationError } from "./errors";
import { ForwardFn } from "./objective";

/**
 * The EM engine as the inversion's forward: every survey compiled once into a plan, each model's
 * `time_off` responses concatenated in survey order. The default ForwardProvider (factory
 * "emForward"); `args` are the engine's ForwardOptions, over the engine's speed preset
 * FAST_OPTIONS (within 5e-4 of the reference cases, far below TEM data noise, and about 2.4x
 * faster than the engine's defaults; pass `{"hankel": "auto", "fourier": "key_601_2009"}` for those).
 */
export function emForward(surveys: Survey[], args?: ForwardOptions): ForwardFn {
  const plans: SurveyPlan[] = surveys.map((s, i) => {
    try {
      return compileSurvey(s, { ...FAST_OPTIONS, ...args });
    } catch (e) {
      const err = e as Error;
      if (err instanceof ValidationError) throw err.under(`datasets[${i}]`);
      throw e;
    }
  });
  plans.forEach((p, i) => {
    if (p.nTime === 0)
      throw new ValidationError(
        `datasets[${i}].times`,
        "the survey has no time-domain output; the inversion fits time_off data",
      );
  });
  return (models: EarthModel[]) => {
    const n = plans.reduce((s, p) => s + p.nTime, 0);
    // the batch's data (models x data) plus one survey's responses at a time, before allocating
    const bytes = models.length * (8 * n + 64) + plans.reduce((b, p) => Math.max(b, batchBytes(p, models.length)), 0);
    checkMemory(
      "optimizer.np",
      bytes,
      `a batch of ${models.length} models x ${n} data`,
      "evaluate fewer models at once (a smaller optimizer.np or number of chains) or fit fewer times",
    );
    const out = models.map(() => new Float64Array(n));
    let k = 0;
    for (const plan of plans) {
      const res = forwardMany(plan, models);
      res.forEach((r, i) => out[i].set(r.time_off!, k));
      k += plan.nTime;
    }
    return out;
  };
}
