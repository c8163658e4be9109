/**
 * Fixtures that several test files share: the toy forward's module, log-spaced times, the two
 * standard surveys (a broadside grounded wire and a central loop), the three-layer IP earth and
 * the toy inversion problem built on it, tiny TCN configurations and traces. A folder of its own so
 * that `npm run test:unit` (test/*.test.ts) does not run it as a test.
 */
import * as fs from "fs";
import * as path from "path";
import { broadsideWireSurvey, centralLoopSurvey, Survey } from "../../src/em";
import { addDataNoise, EarthModel, InversionProblem, toyForward } from "../../src/inversion";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");

/** The inversion's analytic stand-in forward (src/inversion/toy.ts), as a problem's `forward`. */
export const TOY_FORWARD = { module: path.join(ROOT, "src", "inversion", "toy.ts"), factory: "toyForward" };

/** `n` times from `first` over `decades` decades, equally spaced in log t (both ends included). */
export function logSpacedTimes(n: number, decades: number, first = 1e-5): number[] {
  return Array.from({ length: n }, (_, i) => first * Math.pow(10, (decades * i) / (n - 1)));
}

/** A 1 km grounded wire along x centred on the origin, 1 A; Ex at (0, 500) m, broadside. */
export function broadsideWire(times: number[]): Survey {
  return broadsideWireSurvey(1000, 500, times);
}

/** A square loop of side 2 `half` m centred on the origin, 1 A; dBz/dt at its centre. */
export function centralLoop(times: number[], half = 50): Survey {
  return centralLoopSurvey(2 * half, times);
}

/** Three layers, the middle one conductive and polarisable. */
export const THREE_LAYER_IP: EarthModel = {
  thickness: [80, 150],
  rho0: [100, 10, 300],
  m: [0, 0.4, 0],
  tau: [1e-3, 1e-3, 1e-3],
  c: [0.5, 0.5, 0.5],
};

/**
 * The toy forward's data of `model` on `survey` with Gaussian noise of sd `noise` (seeded), to be
 * inverted for three layers (rho0, thickness and m free; tau and c fixed at the model's values).
 */
export function toyThreeLayerProblem(survey: Survey, model: EarthModel, noise = 0.002, seed = 3): InversionProblem {
  const d = addDataNoise(toyForward([survey])([model])[0], { relative: 0, floor: noise, seed });
  return {
    datasets: [{ survey, observed: d.observed, error: d.error }],
    parameterisation: {
      layers: 3,
      rho0: { min: 1, max: 1000 },
      thickness: { min: 20, max: 400 },
      m: { min: 0, max: 0.8 },
      tau: { fixed: 1e-3 },
      c: { fixed: 0.5 },
    },
    forward: TOY_FORWARD,
  };
}

/**
 * `n` traces of `L` samples drawn by `draw`, and as targets their 5-point moving average (the ends
 * clamped): a mapping a small TCN learns.
 */
export function movingAverageTraces(
  n: number,
  L: number,
  draw: () => number,
): { x: Float32Array[]; y: Float32Array[] } {
  const x = Array.from({ length: n }, () => Float32Array.from({ length: L }, () => draw()));
  const y = x.map((row) =>
    Float32Array.from(row, (_, t) => {
      let s = 0;
      for (let k = -2; k <= 2; k++) s += row[Math.min(L - 1, Math.max(0, t + k))];
      return s / 5;
    }),
  );
  return { x, y };
}

/**
 * examples/tcn_transfer_volve.json with a tiny network, short windows, two seeds and two folds:
 * the plumbing of a well-target transfer, not its scores. `epochs` sets the three trainings. Typed
 * as the parsed JSON is (any), so that a test can reach into `target.well`.
 */
export function tinyWellTransfer(epochs: { pretrain: number; finetune: number; direct: number }) {
  const example = JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "tcn_transfer_volve.json"), "utf8"));
  return {
    ...example,
    seeds: 2,
    source: {
      data: { name: "marmousi2", freqHz: "auto", dt: 0.004, traceStep: 20 },
      split: { counts: [12, 6, 20] },
      window: { length: 32, perTrace: 1 },
      model: { channels: [3, 4, 4] },
      train: { epochs: epochs.pretrain },
    },
    window: { length: 24, stride: 8 },
    finetune: { epochs: epochs.finetune },
    direct: { epochs: epochs.direct },
    leaveOut: { folds: 2, seeds: 1 },
  };
}

/**
 * A survey's `source` of `type` ("wire", "loop") through `points` (x, y in m) with `current` A,
 * the points given one by one so that a test's list stays on one line. Any values: the tests of
 * bad input build wrong sources with it too.
 */
export function sourceThrough(type: string, current: number, ...points: number[][]) {
  return { type, points, current };
}

/** A survey's dipole `receiver` from M to N (`points`, x, y in m) measuring `component`. */
export function dipoleReceiver(component: string, ...points: number[][]) {
  return { type: "dipole", points, component };
}

/**
 * A linear ramp-off waveform of `ramp` s; with `repetition` ("unipolar", "bipolar_half_duty"),
 * repeated at 25 Hz for `pulses` pulses.
 */
export function rampOff(ramp: number, repetition?: string, pulses?: number) {
  const waveform = { type: "linear_ramp_off", ramp };
  return repetition === undefined
    ? waveform
    : { ...waveform, repetition: { type: repetition, base_frequency: 25, pulses } };
}
