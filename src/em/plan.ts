/**
 * Survey compilation and forward evaluation.
 *
 * A survey compiles once into a plan. Everything that depends on the geometry, the times and the
 * waveform only is folded into two linear maps:
 *
 *  1. wavenumber weights: the Hankel DLF of every (receiver sample, source quadrature point) pair
 *     and of the grounding points, with the layered-earth kernels interpolated (cubic, in ln l)
 *     from one shared log-spaced wavenumber grid. Per frequency, the field is then a dot product
 *     of the kernels on that grid with fixed weights, whatever the number of quadrature points
 *     (one kernel for all quadrature points at the same depth);
 *  2. a time matrix: the sine/cosine Fourier DLF of the frequency response interpolated (cubic,
 *     in ln w) from a log-spaced frequency grid ("splined" DLF), composed with the ramp average,
 *     the bipolar repetition and the gate box-car, all linear in the step-off response.
 *
 * Evaluating a model is then: for each grid frequency, the Cole-Cole layer resistivities, the
 * kernel recursion on the wavenumber grid contracted with the weights, and finally one
 * matrix-vector product for all times.
 */
import {
  FOURIER_FILTERS,
  FourierFilter,
  fourierFilter,
  FourierFilterName,
  HANKEL_FILTERS,
  hankelFilter,
  HankelFilterName,
} from "./filters";
import { checkMemory, formatBytes, isObject, memoryLimit, show, ValidationError } from "./errors";
import { countSourcePoints, receiverPoints, ReceiverPoint, SourcePoint, wireSource } from "./geometry";
import { halfSpaceSum } from "./halfspace";
import {
  csqrt,
  KernelSums,
  layeredKernelSums,
  layeredKernelSumsBuried,
  LayerState,
  MU0,
  newLayerState,
} from "./kernel";
import { coleColeP, EarthModel } from "./model";
import { gaussLegendre, lagrangeStencil, lagrangeStencilDerivative, logGrid, LogGrid } from "./quadrature";
import { parseSurvey, sourceSegments, Survey } from "./survey";

/** Numerical settings of the engine, each with a default that meets 1e-3 on the reference cases. */
export interface ForwardOptions {
  /**
   * Hankel (J0/J1) filter, bundled in data/dlf, or "auto" (default): "wer_201_2018" for the
   * electric field of a loop (whose sides' fields cancel to a small remainder, so the filter's
   * error relative to each side's field must be tiny), "key_101_2009" otherwise. The 51-point
   * "key_51_2012" of FAST_OPTIONS keeps 1e-3 on the reference cases only (see FAST_OPTIONS).
   */
  hankel?: HankelFilterName | "auto";
  /** Fourier sine/cosine filter, bundled in data/dlf. Default "key_601_2009" (Key 2009, 601 points). */
  fourier?: FourierFilterName;
  /**
   * Wavenumber grid density (points per decade) on which the kernels are computed and
   * interpolated; "filter" (default): the Hankel filter's own abscissa spacing. Then the
   * interpolation acts on every offset as a fractional shift of the filter (the same Lagrange
   * weights for all its abscissae), which keeps the filter's accuracy with 8 points.
   */
  lambdaPerDecade?: number | "filter";
  /** Points of the Lagrange interpolation in ln(wavenumber) (even; 4: cubic, 8 by default). */
  lambdaOrder?: number;
  /** Subdivision of the Fourier filter spacing for the lagged-convolution lattice (1: the filter's own spacing). */
  lagSubdivision?: number;
  /**
   * Gauss-Legendre points per source segment (the paper's n in eq. 2), or "auto" (default): from
   * the receiver distance.
   */
  quadPoints?: number | "auto";
  /** Target accuracy of the automatic quadrature. */
  quadTol?: number;
  /**
   * Points of the Lagrange interpolation in ln t from the lagged-convolution lattice to the output
   * times and waveform samples (even; 4: cubic; default 8). It costs nothing per model: the
   * interpolation is folded into the time matrix when the survey compiles.
   */
  timeOrder?: number;
  /** Gauss-Legendre points of the ramp average. */
  rampPoints?: number;
  /** Gauss-Legendre points (in ln t) of a gate's box-car mean. */
  gatePoints?: number;
  /** Damping of the time transform, eps * t_max (see dampedStepOffSpectrum). */
  damping?: number;
  /**
   * Depth (m) of electric sources and receivers below the surface, inside layer 1, for the
   * frequency-domain outputs (the reference code's convention is 1 mm; 0 puts them on the surface).
   * Transients are computed at z = 0: 1 mm changes them by under 6e-5 (reference README, case
   * h3_ip_top_wire), while it matters for Im(E) at 10 kHz, where Im/Re is 1e-4 (hs_wire_broadside:
   * 3.5e-3 at z = 0, 1.5e-6 at 1 mm). Magnetic receivers stay at z = 0.
   */
  electricDepth?: number;
  /** Lowest lattice frequency in units of eps (the damped spectrum is taken constant below). */
  omegaMinDamping?: number;
  /**
   * Time-domain signals to return: "off" (step-off, `time_off`, always), "on" (switch-on,
   * `time_on` = F(0) - step-off) and "impulse" (`impulse` = -d/dt of the step-off, per A per s);
   * "on" and "impulse" need an ideal step (no waveform; gates allowed).
   */
  signals?: ("off" | "on" | "impulse")[];
  /** Highest lattice frequency times the earliest time (beyond, G is its pole part). */
  omegaMaxTime?: number;
  /** ... and at least this angular frequency (rad/s). */
  omegaMaxAbs?: number;
  /**
   * ... and at least this value (rad/s times m^2) over the square of the shortest source-receiver
   * distance R_min (default 1e13; 0 restores the former fixed cut). The lattice then reaches the
   * frequencies where the top layer's skin depth is well below R_min: |k_1| R_min =
   * sqrt(w mu0 / rho_1) R_min >= 11 for rho_1 up to 1e5 ohm-m. Beyond, G differs from its pole
   * part by a remainder falling like (|k_1| R)^-3 (measured), which the cut drops. Below, a
   * resistive top layer has not screened the source yet and G is far from its pole part: the
   * former cut at 1e8 rad/s dropped 2 % of G's DC value on permafrost4_loop_3hz (2.8e-3 there) and
   * put 2e-2 to 24x errors on 2e4-1e5 ohm-m top layers (docs/EM_ACCURACY.md).
   */
  omegaMaxOffset?: number;
}

export const DEFAULT_OPTIONS: Required<ForwardOptions> = {
  hankel: "auto",
  fourier: "key_601_2009",
  lambdaPerDecade: "filter",
  lambdaOrder: 8,
  lagSubdivision: 1,
  timeOrder: 8,
  quadPoints: "auto",
  quadTol: 1e-7,
  rampPoints: 8,
  gatePoints: 12,
  damping: 1,
  electricDepth: 0.001,
  omegaMinDamping: 0.1,
  signals: ["off"],
  omegaMaxTime: 300,
  omegaMaxAbs: 1e8,
  omegaMaxOffset: 1e13,
};

/**
 * The speed preset: the shortest bundled filters that keep every reference case of
 * reference cases (test/fixtures/tem-reference) within 5e-4 (the README's metric), about 2.4x faster than the
 * defaults. Off those cases it is less safe: receivers outside a loop, a loop's E field, far
 * offsets and weakly damped IP earths measured up to 2e-2 off, 0.75 next to one sign reversal
 * (bench/em-convergence.ts; test/em-convergence.test.ts keeps the defaults within 5e-4 of a
 * converged setting on such surveys). The inversions use it (inversion/forward.ts), where 1e-3
 * is far below the data's noise.
 */
export const FAST_OPTIONS: Readonly<ForwardOptions> = Object.freeze({ hankel: "key_51_2012", fourier: "key_201_2012" });

/**
 * The accuracy yardstick: the longest bundled filters, a 4x finer frequency lattice and 61
 * Gauss-Legendre points per segment, within 2e-4 of every reference case and 7-9x slower
 * than the defaults. The defaults are checked against it on surveys the reference cases do not
 * cover (test/em-convergence.test.ts, bench/em-convergence.ts).
 */
export const CONVERGED_OPTIONS: Readonly<ForwardOptions> = Object.freeze({
  hankel: "wer_201_2018",
  fourier: "key_601_2009",
  quadPoints: 61,
  rampPoints: 48,
  gatePoints: 48,
  lagSubdivision: 4,
});

/** The Hankel filter a plan uses: `options.hankel`, or for "auto" the rule of ForwardOptions.hankel. */
function resolveHankel(name: HankelFilterName | "auto", kind: FieldKind, source: Survey["source"]): HankelFilterName {
  if (name !== "auto") return name;
  return kind === "E" && source.type === "loop" ? "wer_201_2018" : "key_101_2009";
}

/** What the receiver measures, which fixes how the kernels combine. */
export type FieldKind = "E" | "H" | "B" | "dBdt";

/**
 * A compiled survey, opaque: only compileSurvey makes one, and forward/forwardMany read it.
 * `survey` and `options` are plain data: `compileSurvey(plan.survey, plan.options)` rebuilds the
 * same plan (e.g. inside a worker thread). The precomputed linear maps stay inside the engine.
 */
export interface SurveyPlan {
  readonly survey: Survey;
  readonly options: Required<ForwardOptions>;
  readonly kind: FieldKind;
  /** Number of time-domain outputs (times or gates; 0 for a frequency-only survey). */
  readonly nTime: number;
  /** Sizes, for diagnostics and benchmarks. */
  readonly info: {
    hankel: HankelFilterName;
    sourcePoints: number;
    receiverPoints: number;
    nLambda: number;
    nOmega: number;
    nTimeGrid: number;
  };
}

/** What a plan holds inside the engine (em/internal.ts for tests): the precomputed linear maps. */
export interface CompiledPlan extends SurveyPlan {
  /** Wavenumber grid (1/m) and the weights of D and K_B on it. */
  readonly lambda: Float64Array;
  readonly pd: Float64Array;
  readonly pb: Float64Array | null;
  /** Offsets (m) and coefficients of the closed-form half-space part (A for E, B for H; halfspace.ts). */
  readonly pairR: Float64Array;
  readonly pairC: Float64Array;
  /** Coefficient of rho_1(w) (the grounding points' surface term). */
  readonly c2: number;
  /** The same at the electrodes' depth (frequency-domain outputs). */
  readonly c2z: number;
  /** Depth of electric sources and receivers in the frequency domain (m; 0 for magnetic receivers). */
  readonly depth: number;
  /**
   * Angular-frequency grid of the time-domain transform, its damping eps (1/s) and the time matrix
   * (nTime x nOmega, row-major).
   */
  readonly omega: Float64Array;
  readonly eps: number;
  readonly tmat: Float64Array;
  /** Per output, the weight of the instantaneous jump F(0) - F(inf) (the cut high-frequency tail). */
  readonly tailCol: Float64Array;
  /** The same maps for the impulse response (options.signals includes "impulse"), else null. */
  readonly impulse: { tmat: Float64Array; tailCol: Float64Array } | null;
  /** F(inf) / rho_1(inf) of the closed-form half-space part (E: sum c 2/R^3; dBz/dt: sum c 6/R^4; else 0). */
  readonly hinf: number;
  /** Angular frequencies of the `freq` output. */
  readonly fomega: Float64Array;
}

/** Plans made by compileSurvey: the only SurveyPlans the engine accepts. */
const compiledPlans = new WeakSet<SurveyPlan>();

/** The engine's view of a plan; refuses an object compileSurvey did not make. */
export function planInternals(plan: SurveyPlan): CompiledPlan {
  if (!compiledPlans.has(plan)) {
    throw new ValidationError("plan", "is not a compiled survey; make plans with compileSurvey(survey, options)");
  }
  return plan as CompiledPlan;
}

/** The response, in the reference's units and signs (V/m, A/m, T, T/s per the source current). */
export interface Response {
  time_off?: Float64Array;
  /** Switch-on response F(0) - step-off (options.signals "on"). */
  time_on?: Float64Array;
  /** Impulse response -d/dt of the step-off (options.signals "impulse"). */
  impulse?: Float64Array;
  freq?: { re: Float64Array; im: Float64Array };
}

function fieldKind(s: Survey): FieldKind {
  const r = s.receiver;
  if (r.type === "dipole") return "E";
  switch (r.component) {
    case "Ex":
    case "Ey":
      return "E";
    case "Hz":
      return "H";
    case "Bz":
      return "B";
    case "dBz/dt":
      return "dBdt";
  }
}

function parseOptions(o: ForwardOptions | undefined): Required<ForwardOptions> {
  const r: Required<ForwardOptions> = { ...DEFAULT_OPTIONS };
  if (o === undefined) return r;
  if (!isObject(o)) throw new ValidationError("options", `expected an object, got ${show(o)}`);
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_OPTIONS))
      throw new ValidationError(`options.${k}`, `unknown option; known: ${Object.keys(DEFAULT_OPTIONS).join(", ")}`);
    (r as Record<string, unknown>)[k] = v;
  }
  const pos = (k: keyof ForwardOptions, lo: number, hi: number, int: boolean) => {
    const v = r[k] as number;
    if (typeof v !== "number" || !(v >= lo && v <= hi) || (int && !Number.isInteger(v))) {
      throw new ValidationError(`options.${k}`, `${show(v)}; allowed ${int ? "a whole number " : ""}${lo}..${hi}`);
    }
  };
  if (r.lambdaPerDecade !== "filter") pos("lambdaPerDecade", 2, 200, false);
  if (r.hankel !== "auto" && !(HANKEL_FILTERS as readonly string[]).includes(r.hankel)) {
    throw new ValidationError(
      "options.hankel",
      `unknown Hankel filter ${show(r.hankel)}; bundled: ${HANKEL_FILTERS.join(", ")}, or "auto"`,
    );
  }
  if (!(FOURIER_FILTERS as readonly string[]).includes(r.fourier)) {
    throw new ValidationError(
      "options.fourier",
      `unknown Fourier filter ${show(r.fourier)}; bundled: ${FOURIER_FILTERS.join(", ")}`,
    );
  }
  pos("lagSubdivision", 1, 8, true);
  pos("timeOrder", 2, 12, true);
  if (r.timeOrder % 2 !== 0)
    throw new ValidationError("options.timeOrder", `${r.timeOrder}; allowed an even number 2..12`);
  pos("lambdaOrder", 2, 12, true);
  if (r.lambdaOrder % 2 !== 0)
    throw new ValidationError("options.lambdaOrder", `${r.lambdaOrder}; allowed an even number 2..12`);
  pos("quadTol", 1e-15, 1e-1, false);
  pos("rampPoints", 1, 200, true);
  pos("gatePoints", 1, 200, true);
  pos("damping", 0, 50, false);
  pos("omegaMinDamping", 0, 1e3, false);
  pos("electricDepth", 0, 10, false);
  pos("omegaMaxTime", 1, 1e30, false);
  if (!Array.isArray(r.signals) || r.signals.some((x) => x !== "off" && x !== "on" && x !== "impulse")) {
    throw new ValidationError("options.signals", `${show(r.signals)}; allowed a list of "off", "on", "impulse"`);
  }
  pos("omegaMaxAbs", 0, 1e30, false);
  pos("omegaMaxOffset", 0, 1e30, false);
  if (r.quadPoints !== "auto") pos("quadPoints", 1, 1000, true);
  return r;
}

/** Accumulates a Hankel DLF (J0 or J1 weights) at offset R into weights on the wavenumber grid. */
function addHankel(
  grid: LogGrid,
  target: Float64Array,
  base: Float64Array,
  wts: Float64Array,
  R: number,
  coef: number,
  lambdaPower: number,
  order: number,
  st: Float64Array,
): void {
  // int f(l) J(l R) dl ~= (1/R) sum_i w_i f(b_i/R); here f(l) = l^p K(l), K interpolated on the grid
  const invR = 1 / R;
  for (let i = 0; i < base.length; i++) {
    const l = base[i] * invR;
    let c = coef * wts[i] * invR;
    if (lambdaPower === 1) c *= l;
    const k0 = lagrangeStencil(Math.log(l), grid.g0, grid.h, grid.n, order, st);
    for (let j = 0; j < order; j++) target[k0 + j] += c * st[j];
  }
}

/**
 * One time sample of the measured value: out[row] += weight * S(tau), S the ideal step-off response.
 * The waveform and gate rules of the TEM cases (docs/METHODS.md, "Conventions and error metric of
 * the TEM cases") expand each output into these.
 */
interface TimeSample {
  row: number;
  tau: number;
  weight: number;
}

/**
 * Pulses of a bipolar repetition summed one by one; beyond, the alternating tail is summed in
 * closed form (forEachWaveformSample). Every reference case (at most 400 pulses) is summed exactly.
 */
export const EXACT_PULSES = 512;

/**
 * Ramp average, bipolar half-duty repetition and gate box-car as sums of step-off samples:
 * value(t) = sum_{n=0}^{N-1} (-1)^n f(n), f(x) = R(t + x T/2) - S(t + x T/2 + T/4),
 * R(t) = (1/r) int_t^{t+r} S (a single ramped step-off when there is no repetition), and a gate's
 * value the mean of value(t) over [t_open, t_close], by Gauss-Legendre in ln t. `visit` receives
 * each sample (out[row] += weight * S(tau)); nothing is stored, so memory does not grow with N.
 *
 * For N > EXACT_PULSES = E, pulses E..N-1 are summed by the Euler-Boole formula for alternating
 * sums of a smooth f, sum_{n >= a} (-1)^n f(n) = (-1)^a [f(a)/2 - f'(a)/4 + f'''(a)/48 - ...],
 * with f'(a) ~ f(a + 1/2) - f(a - 1/2): the tail is B(E) - B(N), B(a) = (-1)^a [f(a)/2 -
 * (f(a + 1/2) - f(a - 1/2))/4], wrong by about f'''(a)/32. S is smooth on the scale of its time,
 * and for a power-law decay S ~ t^-alpha, f ~ x^-(alpha+1) and f'''/f = (alpha+1)(alpha+2)(alpha+3)/a^3:
 * at most 5e-8 f(E) for alpha <= 4, itself a small part of the sum (test/em-lowfreq.test.ts checks
 * it against the term-by-term sum). Samples then cost O(E) per output, whatever N (up to 100000).
 */
export function forEachWaveformSample(
  s: Survey,
  o: Required<ForwardOptions>,
  visit: (row: number, tau: number, weight: number) => void,
): void {
  const w = s.waveform;
  const ramp = w ? w.ramp : 0;
  const rep = w?.repetition;
  const glr = gaussLegendre(o.rampPoints, "options.rampPoints");
  const addRamped = (row: number, tt: number, ww: number) => {
    if (ramp > 0) {
      for (let i = 0; i < glr.x.length; i++) visit(row, tt + (ramp * (glr.x[i] + 1)) / 2, (ww * glr.w[i]) / 2);
    } else visit(row, tt, ww);
  };
  const push = (row: number, t: number, weight: number) => {
    if (!rep) {
      addRamped(row, t, weight);
      return;
    }
    const T = 1 / rep.base_frequency;
    // wt * f(x): the ramped step-off at t + x T/2 minus the step-off at t + x T/2 + T/4
    const f = (x: number, wt: number) => {
      addRamped(row, t + (x * T) / 2, wt);
      visit(row, t + (x * T) / 2 + T / 4, -wt);
    };
    const N = rep.pulses;
    const exact = Math.min(N, EXACT_PULSES);
    for (let n = 0; n < exact; n++) f(n, n % 2 === 0 ? weight : -weight);
    if (N > exact) {
      // + B(E) - B(N), B(a) = (-1)^a [f(a)/2 - (f(a + 1/2) - f(a - 1/2))/4]
      const boole = (a: number, sign: number) => {
        const sg = (a % 2 === 0 ? 1 : -1) * sign * weight;
        f(a, sg / 2);
        f(a + 0.5, -sg / 4);
        f(a - 0.5, sg / 4);
      };
      boole(exact, 1);
      boole(N, -1);
    }
  };
  if (s.gates) {
    const g = gaussLegendre(o.gatePoints, "options.gatePoints");
    s.gates.forEach(([a, b], row) => {
      const la = Math.log(a);
      const lb = Math.log(b);
      for (let i = 0; i < g.x.length; i++) {
        const t = Math.exp((la + lb) / 2 + ((lb - la) / 2) * g.x[i]);
        // (1/(b-a)) int S dt = (1/(b-a)) int S(e^u) e^u du
        push(row, t, (g.w[i] * ((lb - la) / 2) * t) / (b - a));
      }
    });
  } else if (s.times) {
    s.times.forEach((t, row) => push(row, t, 1));
  }
}

/** The samples of forEachWaveformSample as a list (for inspection; the plan does not store them). */
export function waveformSamples(s: Survey, o: Required<ForwardOptions>): TimeSample[] {
  const out: TimeSample[] = [];
  forEachWaveformSample(s, o, (row, tau, weight) => out.push({ row, tau, weight }));
  return out;
}

/**
 * The time matrix: output values = tmat . G, G the damped step-off spectrum (Re Q, see
 * dampedStepOffSpectrum) on the returned angular frequencies.
 *
 * Lagged-convolution cosine DLF (Anderson 1975's "lagged convolution", as in empymod's
 * `pts_per_dec = -1` mode): the step-off response is computed on a lattice of times spaced like
 * the filter abscissae (ln-spacing Delta / lagSubdivision), so that every abscissa b_i / t_g falls
 * on one shared lattice of frequencies and each frequency's kernel is computed once for all times:
 *   s(t_g) = e^{eps t_g} (2 / pi) (1 / t_g) sum_i w_cos,i Re Q(b_i / t_g).
 * Below eps * omegaMinDamping, Re Q (analytic and even in w for |w| < eps) is continued
 * quadratically in w from its values at that frequency and twice it; above
 * max(omegaMaxTime / t_min, omegaMaxAbs, omegaMaxOffset / R_min^2) Re Q is replaced by its pole part
 * (F(0) - F(inf)) eps / (eps^2 + w^2) (see dampedStepOffSpectrum), a column of its own.
 * Any output time (and every ramp, repetition and gate sample of waveformSamples) then
 * interpolates t s(t) in ln t between lattice times (Lagrange, options.timeOrder points).
 */
function timeTransform(
  survey: Survey,
  o: Required<ForwardOptions>,
  ff: FourierFilter,
  rmin: number,
): {
  omega: Float64Array;
  eps: number;
  tmat: Float64Array;
  nTime: number;
  nLattice: number;
  tailCol: Float64Array;
  imp: { tmat: Float64Array; tailCol: Float64Array } | null;
} {
  if (!survey.times && !survey.gates)
    return {
      omega: new Float64Array(0),
      eps: 0,
      tmat: new Float64Array(0),
      nTime: 0,
      nLattice: 0,
      tailCol: new Float64Array(0),
      imp: null,
    };
  const nTime = survey.gates ? survey.gates.length : (survey.times as number[]).length;
  let tmin = Infinity;
  let tmax = 0;
  forEachWaveformSample(survey, o, (_row, tau) => {
    if (tau < tmin) tmin = tau;
    if (tau > tmax) tmax = tau;
  });
  const nf = ff.base.length;
  const delta = Math.log(ff.base[nf - 1] / ff.base[0]) / (nf - 1);
  const h = delta / o.lagSubdivision;
  // time lattice t_g = t0 e^{g h}, g = 0..nT-1, half an interpolation stencil beyond the samples on each side
  const side = Math.max(2, o.timeOrder / 2);
  const t0 = tmin * Math.exp(-side * h);
  const nT = Math.max(o.timeOrder, Math.ceil(Math.log(tmax / t0) / h + side) + 1);
  const tl = Float64Array.from({ length: nT }, (_, g) => t0 * Math.exp(g * h));
  const eps = o.damping / tl[nT - 1];
  // frequency lattice: w = b_i / t_g = (b_0 / t0) e^{(i k - g) h} with k = lagSubdivision
  const k = o.lagSubdivision;
  const wlo = eps * o.omegaMinDamping;
  const whi = Math.max(
    o.omegaMaxTime / tmin,
    o.omegaMaxAbs,
    rmin > 0 && Number.isFinite(rmin) ? o.omegaMaxOffset / (rmin * rmin) : 0,
  );
  const index = new Map<number, number>(); // lattice index -> position in omega
  // positions 0 and 1: G at wlo and 2 wlo, for the even (quadratic in w) continuation below wlo
  const omegaList: number[] = [wlo, 2 * wlo];
  const w0 = ff.base[0] / t0;
  const tmatLattice: { g: number; pos: number; c: number }[] = [];
  const tail = new Float64Array(nT);
  for (let g = 0; g < nT; g++) {
    const t = tl[g];
    const scale = ((2 / Math.PI) * Math.exp(eps * t)) / t;
    for (let i = 0; i < nf; i++) {
      const lat = i * k - g;
      const w = w0 * Math.exp(lat * h);
      if (w > whi) {
        // beyond the lattice G is its pole part Re[jump / p] = jump eps / (eps^2 + w^2)
        tail[g] += (scale * ff.cos[i] * eps) / (eps * eps + w * w);
        continue;
      }
      if (w < wlo) {
        // G is analytic and even in w near 0 (|w| < eps): G(w) ~ G(wlo) + (G(2 wlo) - G(wlo)) (w^2 - wlo^2) / (3 wlo^2)
        const a = (w * w - wlo * wlo) / (3 * wlo * wlo);
        tmatLattice.push({ g, pos: 0, c: scale * ff.cos[i] * (1 - a) });
        tmatLattice.push({ g, pos: 1, c: scale * ff.cos[i] * a });
        continue;
      }
      let pos: number;
      {
        const hit = index.get(lat);
        if (hit !== undefined) pos = hit;
        else {
          pos = omegaList.length;
          index.set(lat, pos);
          omegaList.push(w);
        }
      }
      tmatLattice.push({ g, pos, c: scale * ff.cos[i] });
    }
  }
  const nw = omegaList.length;
  // lattice responses: S(t_g) = sum_pos ml[g, pos] G[pos]
  const ml = new Float64Array(nT * nw);
  for (const e of tmatLattice) ml[e.g * nw + e.pos] += e.c;
  // outputs: sum of samples weight * S(tau), S(tau) = Y(tau) / tau, Y = t S interpolated in ln t
  const st = new Float64Array(o.timeOrder);
  const wmat = new Float64Array(nTime * nT);
  const lt0 = Math.log(t0);
  const order = o.timeOrder;
  forEachWaveformSample(survey, o, (row, tau, weight) => {
    const k0 = lagrangeStencil(Math.log(tau), lt0, h, nT, order, st);
    const r0 = row * nT + k0;
    const c = weight / tau;
    for (let j = 0; j < order; j++) wmat[r0 + j] += c * st[j] * tl[k0 + j];
  });
  const compose = (wm: Float64Array) => {
    const tm = new Float64Array(nTime * nw);
    const tc = new Float64Array(nTime);
    for (let r = 0; r < nTime; r++) {
      for (let g = 0; g < nT; g++) {
        const a = wm[r * nT + g];
        if (a === 0) continue;
        const src = g * nw;
        const dst = r * nw;
        for (let q = 0; q < nw; q++) tm[dst + q] += a * ml[src + q];
        tc[r] += a * tail[g];
      }
    }
    return { tmat: tm, tailCol: tc };
  };
  const val = compose(wmat);
  let imp: { tmat: Float64Array; tailCol: Float64Array } | null = null;
  if (o.signals.includes("impulse")) {
    // h(t) = -dS/dt, S = Y / t with Y(u) = t S interpolated in u = ln t: dS/dt = (Y'(u) - Y) / t^2
    const m = 8;
    const dst = new Float64Array(m);
    const lst = new Float64Array(m);
    const wd = new Float64Array(nTime * nT);
    forEachWaveformSample(survey, o, (row, tau, weight) => {
      const u = Math.log(tau);
      const k0 = lagrangeStencilDerivative(u, lt0, h, nT, m, dst);
      lagrangeStencil(u, lt0, h, nT, m, lst);
      const r0 = row * nT;
      for (let j = 0; j < m; j++) wd[r0 + k0 + j] -= (weight * (dst[j] - lst[j]) * tl[k0 + j]) / (tau * tau);
    });
    imp = compose(wd);
  }
  return { omega: Float64Array.from(omegaList), eps, tmat: val.tmat, nTime, nLattice: nT, tailCol: val.tailCol, imp };
}

/** Bytes of one JS object of the compiled geometry (a source point, an [R, coef] pair, a lattice entry), rounded up. */
const OBJECT_BYTES = 96;
/**
 * The most layers a model may have in the inversions (parameterisation's layers <= 200): the
 * per-model estimate's default.
 */
export const MAX_LAYERS = 200;

/** The sizes and bytes compileSurvey will allocate for a survey (estimateSurvey). */
export interface SurveyEstimate {
  /**
   * Output times or gates, quadrature points of receiver and source, upper bounds of the time
   * lattice, frequency lattice and wavenumber grid.
   */
  nTime: number;
  receiverPoints: number;
  sourcePoints: number;
  nTimeGrid: number;
  nOmega: number;
  nLambda: number;
  /**
   * Bytes by part: source/receiver pairs, time matrices, wavenumber grid, and one forward (per
   * model, MAX_LAYERS layers).
   */
  parts: { geometry: number; time: number; lambda: number; perModel: number };
  /** Bytes of the compilation (geometry + time + lambda). */
  bytes: number;
  /** The user's field that drives the largest part, and how to shrink it. */
  field: string;
  fix: string;
}

/**
 * Upper bounds of what compileSurvey allocates, from the survey and options alone (nothing large
 * is built: the source quadrature points are counted, not made). With R receiver and S source
 * quadrature points, T outputs (times or gates), nf Fourier filter points, k = lagSubdivision,
 * h = ln(filter span)/(nf - 1)/k, side = max(2, timeOrder/2):
 *   time lattice   nT <= ln(tmax/tmin)/h + 2 side + 2, tmin >= the first time or gate opening,
 *                  tmax <= the last time or gate closing + ramp + (pulses + 1/2) T/2 + T/4;
 *   frequencies    nw <= nT + (nf - 1) k + 2 (lattice indices i k - g);
 *   time           8 (nT nw + T nT + T nw) [x2 for T nT + T nw with the impulse signal]
 *                  + OBJECT_BYTES nT nf (lattice entries) + OBJECT_BYTES nw (frequency index);
 *   geometry       OBJECT_BYTES (R + S) + 2 OBJECT_BYTES R S (offset pairs, merged) + 16 R S;
 *   lambda         24 nL, nL <= ln(filter span x rmax/rmin) perDecade/ln 10 + lambdaOrder + 2,
 *                  rmax <= 2 sqrt(2) max|coordinate|, rmin > 1e-6 max(1, max|source coordinate|)
 *                  (parseSurvey keeps receivers that far from the wire);
 *   per model      8 (nw + T signals + 2 frequencies) + 48 layers + 512 (forward's outputs).
 */
export function estimateSurvey(survey: Survey, o: Required<ForwardOptions>): SurveyEstimate {
  const ff = fourierFilter(o.fourier);
  const nf = ff.base.length;
  const k = o.lagSubdivision;
  const h = Math.log(ff.base[nf - 1] / ff.base[0]) / (nf - 1) / k;
  const nTime = survey.gates ? survey.gates.length : survey.times ? survey.times.length : 0;
  let nT = 0;
  let nw = 0;
  if (nTime > 0) {
    let lo = Infinity;
    let hi = 0;
    const see = (a: number, b: number) => {
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    };
    if (survey.gates) for (const [a, b] of survey.gates) see(a, b);
    else for (const t of survey.times as number[]) see(t, t);
    const w = survey.waveform;
    if (w) {
      hi += w.ramp;
      if (w.repetition) {
        const T = 1 / w.repetition.base_frequency;
        hi += ((w.repetition.pulses + 0.5) * T) / 2 + T / 4;
      }
    }
    const side = Math.max(2, o.timeOrder / 2);
    nT = Math.max(o.timeOrder, Math.ceil((Math.log(hi) - Math.log(lo)) / h + 2 * side) + 2);
    nw = nT + (nf - 1) * k + 2;
  }
  const imp = o.signals.includes("impulse") ? 2 : 1;
  const time = 8 * nT * nw + imp * 8 * nTime * (nT + nw + 1) + OBJECT_BYTES * (nT * nf + nw) + 16 * nT;
  // geometry: receiver samples are few (<= 1000) and needed to count the source's auto panels
  const q = { points: o.quadPoints, tol: o.quadTol, maxPerPanel: 24 };
  const src = survey.source;
  const segments = sourceSegments(src).length;
  const rec = receiverPoints(survey.receiver, src, q).points;
  const R = rec.length;
  // fixed points: segments x quadPoints (counting would walk the segments for nothing)
  const S = o.quadPoints === "auto" ? countSourcePoints(src, rec, q) : segments * o.quadPoints;
  const geometry = OBJECT_BYTES * (R + S) + (2 * OBJECT_BYTES + 16) * R * S;
  const kind = fieldKind(survey);
  const hf = hankelFilter(resolveHankel(o.hankel, kind, src));
  const nb = hf.base.length;
  const span = Math.log(hf.base[nb - 1] / hf.base[0]);
  const perDecade = o.lambdaPerDecade === "filter" ? (Math.LN10 * (nb - 1)) / span : o.lambdaPerDecade;
  let ms = 1;
  for (const p of src.points) ms = Math.max(ms, Math.abs(p[0]), Math.abs(p[1]));
  let m = ms;
  for (const p of rec) m = Math.max(m, Math.abs(p.x), Math.abs(p.y));
  const nL =
    Math.ceil(((span + Math.log((2 * Math.SQRT2 * m) / (1e-6 * ms))) * perDecade) / Math.LN10) + o.lambdaOrder + 2;
  const lambda = 24 * nL;
  const perModel = 8 * (nw + nTime * o.signals.length + 2 * (survey.frequencies?.length ?? 0)) + 48 * MAX_LAYERS + 512;
  const bytes = geometry + time + lambda;
  const timeField = survey.gates ? "gates" : "times";
  const lattice = 8 * nT * nw + OBJECT_BYTES * nT * nf;
  const big =
    time < geometry
      ? {
          field: o.quadPoints === "auto" ? "source.points" : "options.quadPoints",
          fix: `${R} receiver x ${S} source quadrature points make that many offset pairs; use fewer source segments (${segments}) or fewer options.quadPoints (${o.quadPoints})`,
        }
      : lattice > time - lattice
        ? {
            field: timeField,
            fix: `the ${timeField} (with the waveform's ramp and repetition) span ${nT} lattice times at options.lagSubdivision ${k}; narrow their range or lower lagSubdivision`,
          }
        : {
            field: timeField,
            fix: `use fewer ${timeField} (${nTime} now; the time matrices grow with ${timeField} x ~${nw} frequencies) or a smaller options.lagSubdivision (${k})`,
          };
  return {
    nTime,
    receiverPoints: R,
    sourcePoints: S,
    nTimeGrid: nT,
    nOmega: nw,
    nLambda: nL,
    parts: { geometry, time, lambda, perModel },
    bytes,
    ...big,
  };
}

/** Compile a survey (reference-case shape) into a plan; validates the survey first. */
export function compileSurvey(surveyIn: Survey | unknown, opts?: ForwardOptions): SurveyPlan {
  const survey = parseSurvey(surveyIn);
  const o = parseOptions(opts);
  if (survey.waveform && o.signals.some((x) => x !== "off")) {
    throw new ValidationError(
      "options.signals",
      `${show(o.signals)} with a waveform; "on" and "impulse" are defined for the ideal step (drop the waveform or ask for "off")`,
    );
  }
  // refuse before allocating when the plan cannot fit (src/core/resources.ts: the limit's rule)
  const est = estimateSurvey(survey, o);
  checkMemory(
    est.field,
    est.bytes,
    `compiling the survey (${est.nTime} outputs, ${est.receiverPoints} x ${est.sourcePoints} quadrature points, ~${est.nOmega} frequencies)`,
    est.fix,
  );
  const kind = fieldKind(survey);
  const hankelName = resolveHankel(o.hankel, kind, survey.source);
  const hf = hankelFilter(hankelName);
  const ff = fourierFilter(o.fourier);
  const src = survey.source;
  const I = src.current;
  const q = { points: o.quadPoints, tol: o.quadTol, maxPerPanel: 24 };
  const rec = receiverPoints(survey.receiver, src, q);
  const spts: SourcePoint[] = wireSource(src, rec.points, q);
  const galvanic = kind === "E" && src.type === "wire";
  const depth = kind === "E" ? o.electricDepth : 0;
  const ends: { x: number; y: number; sign: number }[] = galvanic
    ? [
        { x: src.points[0][0], y: src.points[0][1], sign: -1 },
        { x: src.points[src.points.length - 1][0], y: src.points[src.points.length - 1][1], sign: 1 },
      ]
    : [];

  // offsets -> wavenumber range
  let rmin = Infinity;
  let rmax = 0;
  const see = (R: number) => {
    if (R < rmin) rmin = R;
    if (R > rmax) rmax = R;
  };
  for (const p of rec.points) {
    for (const s of spts) see(Math.hypot(p.x - s.x, p.y - s.y));
    for (const e of ends) see(Math.hypot(p.x - e.x, p.y - e.y));
  }
  const nb = hf.base.length;
  const perDecade =
    o.lambdaPerDecade === "filter"
      ? (Math.LN10 * (nb - 1)) / Math.log(hf.base[nb - 1] / hf.base[0])
      : o.lambdaPerDecade;
  const grid = logGrid(hf.base[0] / rmax, hf.base[nb - 1] / rmin, perDecade, o.lambdaOrder / 2 - 0.5);
  const lst = new Float64Array(o.lambdaOrder);
  const pd = new Float64Array(grid.n);
  const pb = galvanic ? new Float64Array(grid.n) : null;
  const pairs: [number, number][] = [];
  let c2 = 0;
  let c2z = 0;
  const cx = rec.cx;
  const cy = rec.cy;
  const k4pi = I / (4 * Math.PI);
  for (const p of rec.points as ReceiverPoint[]) {
    for (const s of spts) {
      const X = p.x - s.x;
      const Y = p.y - s.y;
      const R = Math.hypot(X, Y);
      if (kind === "E") {
        // TE part of E: -(I/4 pi) i w mu0 sum a (t.c) [A(R) + int (D - D_1) J0 dl]
        const coef = -k4pi * p.w * s.w * (s.tx * cx + s.ty * cy);
        if (coef === 0) continue;
        addHankel(grid, pd, hf.base, hf.j0, R, coef, 0, o.lambdaOrder, lst);
        pairs.push([R, coef]);
      } else {
        // Hz: I sum a (ty X - tx Y)/R * H0'(R), H0' = -(1/4 pi) [B(R) + int l (D - D_1) J1 dl]
        const coef = (-k4pi * p.w * s.w * (s.ty * X - s.tx * Y)) / R;
        if (coef === 0) continue;
        addHankel(grid, pd, hf.base, hf.j1, R, coef, 1, o.lambdaOrder, lst);
        pairs.push([R, coef]);
      }
    }
    for (const e of ends) {
      // galvanic part: I [G'(R_A) R_A.c - G'(R_B) R_B.c], G' = -(1/2 pi) [int K_B J1 dl + rho_1 / R^2]
      const X = p.x - e.x;
      const Y = p.y - e.y;
      const R = Math.hypot(X, Y);
      // A (first point): -(I/2pi)(R_A.c)[...]; B (last point): +(I/2pi)(R_B.c)[...]; at depth z the
      // DC term rho_1/R^2 becomes (rho_1/2)[1/R^2 + R/(R^2 + 4 z^2)^(3/2)] (image at 2z, kernel.ts)
      const coef = (e.sign * (I / (2 * Math.PI)) * p.w * (X * cx + Y * cy)) / R;
      addHankel(grid, pb as Float64Array, hf.base, hf.j1, R, coef, 0, o.lambdaOrder, lst);
      const z2 = 4 * depth * depth;
      c2 += coef / (R * R);
      c2z += coef * 0.5 * (1 / (R * R) + R / Math.pow(R * R + z2, 1.5));
    }
  }

  const tt = timeTransform(survey, o, ff, rmin);
  // equal offsets (symmetric geometries) share one closed-form evaluation
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [R, c] of pairs) {
    const last = merged[merged.length - 1];
    if (last !== undefined && Math.abs(last[0] - R) <= 1e-12 * R) last[1] += c;
    else merged.push([R, c]);
  }
  const fomega = Float64Array.from((survey.frequencies ?? []).map((f) => 2 * Math.PI * f));
  const plan: CompiledPlan = {
    survey,
    options: o,
    kind,
    lambda: grid.x,
    pd,
    pb,
    pairR: Float64Array.from(merged.map((x) => x[0])),
    pairC: Float64Array.from(merged.map((x) => x[1])),
    c2,
    c2z,
    depth,
    omega: tt.omega,
    eps: tt.eps,
    tmat: tt.tmat,
    tailCol: tt.tailCol,
    impulse: tt.imp,
    hinf:
      kind === "E"
        ? merged.reduce((a, [R, c]) => a + (2 * c) / (R * R * R), 0)
        : kind === "dBdt"
          ? merged.reduce((a, [R, c]) => a + (6 * c) / (R * R * R * R), 0)
          : 0,
    nTime: tt.nTime,
    fomega,
    info: {
      hankel: hankelName,
      sourcePoints: spts.length,
      receiverPoints: rec.points.length,
      nLambda: grid.n,
      nOmega: tt.omega.length,
      nTimeGrid: tt.nLattice,
    },
  };
  compiledPlans.add(plan);
  return plan;
}

/** Light validation of a model against a plan's needs (no copy): lengths and ranges. */
function checkModel(m: EarthModel): void {
  const n = m.rho0?.length;
  if (!(n >= 1) || m.m?.length !== n || m.tau?.length !== n || m.c?.length !== n || m.thickness?.length !== n - 1) {
    throw new ValidationError(
      "model",
      `inconsistent layer arrays (rho0 ${m.rho0?.length}, m ${m.m?.length}, tau ${m.tau?.length}, c ${m.c?.length}, thickness ${m.thickness?.length}); use parseEarthModel to see which`,
    );
  }
  for (let j = 0; j < n; j++) {
    const bad =
      !(m.rho0[j] > 0 && Number.isFinite(m.rho0[j])) ||
      !(m.m[j] >= 0 && m.m[j] < 1) ||
      !(m.tau[j] > 0 && Number.isFinite(m.tau[j])) ||
      !(m.c[j] > 0 && m.c[j] <= 1) ||
      (j < n - 1 && !(m.thickness[j] > 0 && Number.isFinite(m.thickness[j])));
    if (bad) {
      throw new ValidationError(
        `model (layer ${j + 1})`,
        `rho0=${m.rho0[j]}, m=${m.m[j]}, tau=${m.tau[j]}, c=${m.c[j]}${j < n - 1 ? `, thickness=${m.thickness[j]}` : ""}; allowed rho0 > 0, 0 <= m < 1, tau > 0, 0 < c <= 1, thickness > 0`,
      );
    }
  }
}

/** Fill the layer state at complex frequency p (Cole-Cole resistivity, seed eq. 1, and a_j = p mu0 / rho_j). */
function setLayers(L: LayerState, model: EarthModel, pRe: number, pIm: number): void {
  const mr = pRe * MU0;
  const mi = pIm * MU0;
  for (let j = 0; j < L.n; j++) {
    const r = coleColeP(model.rho0[j], model.m[j], model.tau[j], model.c[j], pRe, pIm);
    L.rhoRe[j] = r.re;
    L.rhoIm[j] = r.im;
    const d = 1 / (r.re * r.re + r.im * r.im);
    const sr = r.re * d;
    const si = -r.im * d;
    L.aRe[j] = mr * sr - mi * si;
    L.aIm[j] = mr * si + mi * sr;
  }
  for (let j = 0; j < L.n - 1; j++) L.h[j] = model.thickness[j];
}

const hs = { re: 0, im: 0 };
const k1 = { re: 0, im: 0 };
const sums: KernelSums = { sdRe: 0, sdIm: 0, sbRe: 0, sbIm: 0 };

/**
 * The field at complex frequency p = pRe + i pIm (p = i w: the ordinary frequency response):
 * E = p mu0 (SD + sum c A) + SB + c2 rho_1(p); Hz = SD + sum c B; Bz = mu0 Hz; dBz/dt = p mu0 Hz
 * (kernel.ts and halfspace.ts for SD, SB, A, B).
 */
function fieldAtP(
  plan: CompiledPlan,
  L: LayerState,
  pRe: number,
  pIm: number,
  depth: number,
  out: { re: number; im: number },
): void {
  const pmr = pRe * MU0;
  const pmi = pIm * MU0;
  // top-layer wavenumber k_1 = sqrt(p mu0 sigma_1) (principal root) for the closed-form half-space part
  csqrt(L.aRe[0], L.aIm[0], k1);
  const kr = k1.re;
  const ki = k1.im;
  if (depth > 0)
    layeredKernelSumsBuried(plan.lambda, 0, plan.lambda.length, pmr, pmi, L, depth, plan.pd, plan.pb, sums);
  else if (L.n === 1 || 2 * kr * L.h[0] > 30) {
    // D - D_1 and K_B vanish for a half-space and are below e^-30 (reflections from below layer 1,
    // attenuated by e^{-2 Re(u_1) h_1}, Re(u_1) >= Re(k_1)) at high frequencies: skip the wavenumbers
    sums.sdRe = 0;
    sums.sdIm = 0;
    sums.sbRe = 0;
    sums.sbIm = 0;
  } else layeredKernelSums(plan.lambda, 0, plan.lambda.length, pmr, pmi, L, plan.pd, plan.pb, sums);
  halfSpaceSum(plan.pairR, plan.pairC, kr, ki, plan.kind === "E" ? 0 : 1, hs);
  const c2 = depth > 0 ? plan.c2z : plan.c2;
  const xr = sums.sdRe + hs.re;
  const xi = sums.sdIm + hs.im;
  switch (plan.kind) {
    case "E":
      out.re = pmr * xr - pmi * xi + sums.sbRe + c2 * L.rhoRe[0];
      out.im = pmr * xi + pmi * xr + sums.sbIm + c2 * L.rhoIm[0];
      return;
    case "H":
      out.re = xr;
      out.im = xi;
      return;
    case "B":
      out.re = MU0 * xr;
      out.im = MU0 * xi;
      return;
    case "dBdt":
      out.re = pmr * xr - pmi * xi;
      out.im = pmr * xi + pmi * xr;
      return;
  }
}

/**
 * Damped step-off spectrum (the "time-domain transform" of plan.ts's header). With
 * q(t) = e^{-eps t} s_off(t) for t > 0, its transform is Q = (F(0) - F(p)) / p at p = eps + i w,
 * regular at w = 0 even for Cole-Cole earths (whose undamped spectrum has (i w)^(c-1)
 * singularities): G(w) = Re Q(w) and s_off(t) = e^{eps t} (2/pi) int G cos(w t) dw. At high w,
 * G tends to its pole part Re[(F(0) - F(inf)) / p] (F(0) - F(inf): the instantaneous jump at
 * switch-off), which is how the lattice's cut tail enters (timeTransform). F(inf) =
 * rho_1(inf) (c2 + hinf) for E, rho_1(inf) hinf for dBz/dt (closed-form half-space limits), 0 for
 * Hz and Bz. Returns G on plan.omega and the jump F(0) - F(inf).
 */
export function dampedStepOffSpectrum(
  plan: CompiledPlan,
  model: EarthModel,
  out?: Float64Array,
): { G: Float64Array; jump: number; f0: number } {
  const nw = plan.omega.length;
  const G = out ?? new Float64Array(nw);
  const L = newLayerState(model.rho0.length);
  const f = { re: 0, im: 0 };
  // DC field F(0): p = 0 (no induction); zero for dBz/dt
  let f0 = 0;
  if (plan.kind !== "dBdt") {
    setLayers(L, model, 0, 0);
    fieldAtP(plan, L, 0, 0, 0, f);
    f0 = f.re;
  }
  const rhoInf = model.rho0[0] * (1 - model.m[0]);
  const finf = plan.kind === "E" ? rhoInf * (plan.c2 + plan.hinf) : plan.kind === "dBdt" ? rhoInf * plan.hinf : 0;
  const eps = plan.eps;
  for (let k = 0; k < nw; k++) {
    const w = plan.omega[k];
    setLayers(L, model, eps, w);
    fieldAtP(plan, L, eps, w, 0, f);
    // Re[(F_inf - F) / p] with p = eps + i w
    const nr = f0 - f.re;
    const ni = -f.im;
    G[k] = (nr * eps + ni * w) / (eps * eps + w * w);
  }
  return { G, jump: f0 - finf, f0 };
}

/** Evaluate one model against a compiled survey. */
export function forward(compiled: SurveyPlan, model: EarthModel): Response {
  const plan = planInternals(compiled);
  checkModel(model);
  if (plan.depth > 0 && plan.fomega.length > 0 && model.thickness.length > 0 && !(model.thickness[0] > plan.depth)) {
    throw new ValidationError(
      "model.thickness[0]",
      `layer 1 is ${model.thickness[0]} m thick, not more than the electrode depth options.electricDepth = ${plan.depth} m; thicken it or lower electricDepth`,
    );
  }
  const res: Response = {};
  if (plan.nTime > 0) {
    const nw = plan.omega.length;
    const { G, jump, f0 } = dampedStepOffSpectrum(plan, model);
    const apply = (tm: Float64Array, tail: Float64Array) => {
      const out = new Float64Array(plan.nTime);
      for (let r = 0; r < plan.nTime; r++) {
        let acc = jump * tail[r];
        const row = r * nw;
        for (let k = 0; k < nw; k++) acc += tm[row + k] * G[k];
        out[r] = acc;
      }
      return out;
    };
    res.time_off = apply(plan.tmat, plan.tailCol);
    if (plan.options.signals.includes("on")) res.time_on = res.time_off.map((v) => f0 - v);
    if (plan.impulse) res.impulse = apply(plan.impulse.tmat, plan.impulse.tailCol);
  }
  if (plan.fomega.length > 0) {
    const L = newLayerState(model.rho0.length);
    const nf = plan.fomega.length;
    const re = new Float64Array(nf);
    const im = new Float64Array(nf);
    const f = { re: 0, im: 0 };
    for (let k = 0; k < nf; k++) {
      const w = plan.fomega[k];
      setLayers(L, model, 0, w);
      fieldAtP(plan, L, 0, w, plan.depth, f);
      re[k] = f.re;
      im[k] = f.im;
    }
    res.freq = { re, im };
  }
  return res;
}

/** Evaluate a population of models against one plan. */
export function forwardMany(plan: SurveyPlan, models: EarthModel[]): Response[] {
  checkBatchMemory(plan, models.length, "models");
  return models.map((m) => forward(plan, m));
}

/**
 * Bytes of the responses of `count` models against a plan (forwardMany keeps every model's
 * outputs): count x (8 (outputs x signals + 2 frequencies) + 512 object overhead) plus one
 * forward's scratch (8 nOmega + 48 layers).
 */
export function batchBytes(compiled: SurveyPlan, count: number): number {
  const plan = planInternals(compiled);
  const outputs = plan.nTime * plan.options.signals.length + 2 * plan.fomega.length;
  return count * (8 * outputs + 512) + 8 * plan.omega.length + 48 * MAX_LAYERS;
}

/** Refuse a batch of `count` models whose responses cannot fit (ValidationError naming `field`). */
export function checkBatchMemory(
  plan: SurveyPlan,
  count: number,
  field: string,
  fix = "evaluate the models in smaller batches",
): void {
  const b = batchBytes(plan, count);
  if (b > memoryLimit())
    checkMemory(
      field,
      b,
      `the responses of ${count} models x ${plan.nTime} outputs (${formatBytes(b / Math.max(count, 1))} each)`,
      fix,
    );
}
