/**
 * Is there a forward cheap enough for a delayed-acceptance first stage (Christen & Fox 2005)? At
 * acceptance ~2 % nearly every proposal is rejected, so a first stage k times cheaper would cut the
 * cost per proposal towards 1 / k, if its error is small against the data errors. For three
 * benchmark problems (p00 of seeds 2 and 1, p23 of seed 1) the DE's final population (120 models)
 * is evaluated with the inversion's FAST_OPTIONS and with cheaper option sets; reported: ms per
 * model and the difference in units of the data errors (RMS and max).
 *
 *   npx tsx bench/experiments/cheap-forward.ts
 */
import * as path from "path";
import type { ForwardOptions } from "../../src/em";
import { compileParameterisation, invert, syntheticProblem, toVector } from "../../src/inversion";
import { createPredictor, stackedData } from "../../src/inversion/internal";
import { makeForward } from "../../src/inversion/objective";
(async () => {
  for (const [seed, i] of [
    [2, 0],
    [1, 0],
    [1, 23],
  ]) {
    const sp = syntheticProblem(seed, i);
    const de = await invert(sp.problem, { seed: i + 1, maxGenerations: 300, workers: 2 });
    const p = compileParameterisation(sp.problem.parameterisation);
    const xs = de.population.models.map((m) => toVector(p, m)).slice(0, 120);
    const { error } = stackedData(sp.problem);
    const base = createPredictor(sp.problem);
    const y0 = base(xs); // the first call warms up; the second is timed
    let t = performance.now();
    base(xs);
    const tb2 = performance.now() - t;
    console.log(`${sp.name} d=${sp.parameters.length} n=${error.length} FAST ${(tb2 / xs.length).toFixed(2)} ms/model`);
    const sets: ForwardOptions[] = [
      { fourier: "key_101_2012" },
      { lambdaPerDecade: 5, lambdaOrder: 4 },
      { fourier: "key_101_2012", lambdaOrder: 4 },
      { fourier: "key_101_2012", lambdaPerDecade: 6, lambdaOrder: 4 },
      { omegaMaxTime: 100 },
      { fourier: "key_101_2012", quadPoints: 5 },
      { fourier: "key_101_2012", quadPoints: 5, lambdaOrder: 4 },
    ];
    for (const o of sets) {
      const prob = {
        ...sp.problem,
        forward: {
          module: path.join(__dirname, "..", "..", "src", "inversion", "forward.ts"),
          factory: "emForward",
          args: o,
        },
      };
      let pr;
      try {
        pr = createPredictor(prob as never, makeForward(prob as never));
      } catch (e) {
        console.log(JSON.stringify(o), "fails", (e as Error).message.slice(0, 100));
        continue;
      }
      pr(xs.slice(0, 5));
      t = performance.now();
      const y = pr(xs);
      const tc = performance.now() - t;
      let max = 0,
        ss = 0,
        n = 0;
      y.forEach((row, k) =>
        row.forEach((v, j) => {
          const e = (v - y0[k][j]) / error[j];
          ss += e * e;
          n++;
          max = Math.max(max, Math.abs(e));
        }),
      );
      console.log(
        `  ${JSON.stringify(o)}: ${(tc / xs.length).toFixed(2)} ms/model (x${(tb2 / tc).toFixed(2)}), err rms ${Math.sqrt(ss / n).toFixed(3)} sigma, max ${max.toFixed(2)}`,
      );
    }
  }
})();
