import { performance } from "perf_hooks";
import { Bounds, makeBounds } from "./bounds";
import {
  AsyncObjective,
  checkPolish,
  decodeState,
  DEOptions,
  DEResult,
  DESnapshot,
  DifferentialEvolution,
  encodeState,
  PolishRun,
  Request,
  runCore,
  runResult,
} from "./de";
import { ValidationError } from "./errors";

const RUN_FORMAT = "geoinv.optim.ResumableRun/1";

/**
 * The state of a `ResumableRun`, JSON-safe like `DESnapshot` (`JSON.parse(JSON.stringify(s))`
 * restores it exactly): the DE's snapshot and the polishes during the run done so far. Callbacks
 * are not part of it: resume with the same options.
 */
export type RunState = { format: string; de: DESnapshot; during: unknown };

/**
 * `minimizeAsync` that can be checkpointed and resumed. It drives the same generator of requests
 * as minimize/minimizeAsync (src/optim/de.ts runCore: DE, polishes during the run, final LM
 * polish), so for the same seed, options and objective values its result is bit-identical to
 * theirs, and so is a run resumed from `state()` by `new ResumableRun(objective, bounds, options,
 * state)` with the same options: the same x, fitness, components, history, evaluations, restarts
 * and polish (only `seconds` counts this session).
 *
 * `state()` may be taken at any await point: between generations, with a generation's trial
 * points pending (they are evaluated again on resume), or after the DE stopped (the resumed run
 * then only polishes). While a polish during the run (`PolishOptions.every` / `onRestart`) is in
 * progress it is null (take it at the next generation).
 */
export class ResumableRun {
  readonly de: DifferentialEvolution;
  private readonly during: PolishRun[];
  private inPolishDuring = false;
  private finished = false;
  private readonly objective: AsyncObjective;
  private readonly options: DEOptions;

  constructor(
    objective: AsyncObjective,
    bounds: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
    options: DEOptions = {},
    from?: RunState,
  ) {
    checkPolish(options.polish);
    this.objective = objective;
    this.options = options;
    if (from === undefined) {
      this.de = new DifferentialEvolution(bounds, options);
      this.during = [];
      return;
    }
    if (!from || typeof from !== "object" || from.format !== RUN_FORMAT) {
      throw new ValidationError(
        "state",
        `not a ResumableRun state (format '${from && (from as RunState).format}', expected '${RUN_FORMAT}')`,
      );
    }
    this.de = DifferentialEvolution.restore(from.de, options);
    const b = makeBounds(bounds);
    const same =
      b.lower.length === this.de.dim &&
      b.lower.every((v, j) => v === this.de.bounds.lower[j] && b.upper[j] === this.de.bounds.upper[j]);
    if (!same)
      throw new ValidationError("bounds", "differ from the state's; resume with the bounds of the interrupted run");
    const during = decodeState(from.during);
    this.during = Array.isArray(during) ? (during as PolishRun[]) : [];
  }

  /**
   * The run's state now (JSON-safe), or null while a polish during the run is in progress and
   * once `run()` has resolved (the final polish is then in the population: not a state to resume).
   */
  state(): RunState | null {
    if (this.inPolishDuring || this.finished) return null;
    return { format: RUN_FORMAT, de: this.de.snapshot(), during: encodeState(this.during) };
  }

  /**
   * Run to the end. `onGeneration(generation)` is awaited after each generation that did not end
   * the DE (and after its polish during the run): the place to save `state()` every N generations
   * and to let signal handlers run.
   */
  async run(onGeneration?: (generation: number) => void | Promise<void>): Promise<DEResult> {
    const t0 = performance.now();
    const de = this.de;
    const run = runCore(de, this.options, { during: this.during });
    let step = run.next();
    // explicit casts: tslab compiles without strictNullChecks, where `!step.done` does not narrow
    while (step.done !== true) {
      const req = step.value as Request;
      if (req.kind === "generation") {
        this.inPolishDuring = false;
        if (onGeneration) await onGeneration(de.generation);
        step = run.next();
      } else if (req.kind === "objective") {
        this.inPolishDuring = false;
        step = run.next(await this.objective(req.xs));
      } else {
        this.inPolishDuring = !de.done;
        step = run.next(await this.options.polish!.residuals(req.xs));
      }
    }
    this.inPolishDuring = false;
    this.finished = true;
    return runResult(de, t0, step.value as DEResult["polish"]);
  }
}
