/**
 * The survey: source, receiver, times and/or frequencies, waveform and gates, in exactly the shape
 * of a reference case (docs/METHODS.md, "Conventions and error metric of the TEM cases"), with its validation.
 */
import { finiteNumber, isObject, numberArray, show, ValidationError } from "./errors";

export type Point2 = [number, number];

/** Straight wire segments on the surface carrying `current` A from the first point onwards. */
export interface Source {
  /** "wire": open polyline grounded at both ends; "loop": closed polygon (last point joins the first). */
  type: "wire" | "loop";
  points: Point2[];
  current: number;
}

/** Field components a point receiver can record (z up; SI units). */
export type PointComponent = "Ex" | "Ey" | "Hz" | "Bz" | "dBz/dt";
export const POINT_COMPONENTS: readonly PointComponent[] = ["Ex", "Ey", "Hz", "Bz", "dBz/dt"];

export interface PointReceiver {
  type: "point";
  position: Point2;
  component: PointComponent;
}

/** A finite MN dipole: the electric field along M->N averaged over the segment (V/m). */
export interface DipoleReceiver {
  type: "dipole";
  points: [Point2, Point2];
  component: "E";
}

export type Receiver = PointReceiver | DipoleReceiver;

/** Bipolar half-duty repetition: +I for T/4, off T/4, -I for T/4, off T/4, T = 1/base_frequency. */
export interface Repetition {
  type: "bipolar_half_duty";
  base_frequency: number;
  pulses: number;
}

export interface Waveform {
  /** The current falls linearly from I to 0 in `ramp` seconds, ending at t = 0. */
  type: "linear_ramp_off";
  ramp: number;
  repetition?: Repetition;
}

export interface Survey {
  source: Source;
  receiver: Receiver;
  /** Times after switch-off (s), > 0 and increasing: `time_off` output. */
  times?: number[];
  /** Frequencies (Hz), > 0: `freq` output (complex field per source current, e^{+i w t}). */
  frequencies?: number[];
  waveform?: Waveform;
  /** Box-car gates [t_open, t_close] (s): reported in place of the point values at `times`. */
  gates?: [number, number][];
}

function point(v: unknown, field: string): Point2 {
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) {
    throw new ValidationError(field, `expected a point [x, y] in metres, got ${show(v)}`);
  }
  const x = finiteNumber(v[0], `${field}[0]`);
  const y = finiteNumber(v[1], `${field}[1]`);
  if (v.length === 3 && finiteNumber(v[2], `${field}[2]`) !== 0) {
    throw new ValidationError(
      `${field}[2]`,
      `z = ${show(v[2])}; sources and receivers lie on the surface, z = 0 (or give [x, y])`,
    );
  }
  return [x, y];
}

function dist(a: Point2, b: Point2): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Distance from p to the segment a-b. */
export function pointSegmentDistance(p: Point2, a: Point2, b: Point2): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  let s = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0;
  s = Math.max(0, Math.min(1, s));
  return Math.hypot(p[0] - a[0] - s * dx, p[1] - a[1] - s * dy);
}

/** Distance between segments a-b and c-d (0 when they cross). */
export function segmentSegmentDistance(a: Point2, b: Point2, c: Point2, d: Point2): number {
  const cross = (o: Point2, p: Point2, q: Point2) => (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
  const d1 = cross(a, b, c);
  const d2 = cross(a, b, d);
  const d3 = cross(c, d, a);
  const d4 = cross(c, d, b);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0;
  return Math.min(
    pointSegmentDistance(a, c, d),
    pointSegmentDistance(b, c, d),
    pointSegmentDistance(c, a, b),
    pointSegmentDistance(d, a, b),
  );
}

/** The segments of a source, as [start, end] pairs (a loop's closing side included). */
export function sourceSegments(src: Source): [Point2, Point2][] {
  const p = src.points;
  const segs: [Point2, Point2][] = [];
  for (let i = 0; i + 1 < p.length; i++) segs.push([p[i], p[i + 1]]);
  if (src.type === "loop") segs.push([p[p.length - 1], p[0]]);
  return segs;
}

function parseSource(x: unknown): Source {
  if (!isObject(x))
    throw new ValidationError(
      "source",
      `expected {type: "wire"|"loop", points: [[x, y], ...], current}, got ${show(x)}`,
    );
  const type = x.type;
  if (type !== "wire" && type !== "loop") {
    throw new ValidationError(
      "source.type",
      `unknown source type ${show(type)}; allowed "wire" (grounded, open polyline) or "loop" (closed polygon)`,
    );
  }
  if (!Array.isArray(x.points))
    throw new ValidationError("source.points", `expected an array of [x, y] points, got ${show(x.points)}`);
  let points = x.points.map((p, i) => point(p, `source.points[${i}]`));
  if (type === "loop" && points.length >= 2 && dist(points[0], points[points.length - 1]) === 0) {
    points = points.slice(0, -1); // a loop listed closed (first point repeated at the end)
  }
  const need = type === "wire" ? 2 : 3;
  if (points.length < need) {
    throw new ValidationError(
      "source.points",
      `a ${type} needs at least ${need} distinct points, got ${points.length}`,
    );
  }
  const current = x.current === undefined ? 1 : finiteNumber(x.current, "source.current", "a finite current in A");
  if (current === 0)
    throw new ValidationError("source.current", "is 0 A; give the transmitter current (responses are linear in it)");
  const src: Source = { type, points, current };
  let scale = 0;
  for (const p of points) scale = Math.max(scale, Math.abs(p[0]), Math.abs(p[1]));
  sourceSegments(src).forEach(([a, b], i) => {
    const l = dist(a, b);
    if (!(l > 1e-9 * Math.max(scale, 1))) {
      throw new ValidationError(
        `source.points[${i}]`,
        `segment ${i + 1} from ${show(a)} to ${show(b)} has zero length; remove the repeated point`,
      );
    }
  });
  return src;
}

function parseReceiver(x: unknown): Receiver {
  if (!isObject(x))
    throw new ValidationError(
      "receiver",
      `expected {type: "point", position, component} or {type: "dipole", points: [M, N], component: "E"}, got ${show(x)}`,
    );
  if (x.type === "point") {
    const position = point(x.position, "receiver.position");
    const comp = x.component;
    if (typeof comp !== "string" || !(POINT_COMPONENTS as readonly string[]).includes(comp)) {
      throw new ValidationError(
        "receiver.component",
        `unknown component ${show(comp)} for a point receiver; allowed ${POINT_COMPONENTS.map((c) => `"${c}"`).join(", ")}`,
      );
    }
    return { type: "point", position, component: comp as PointComponent };
  }
  if (x.type === "dipole") {
    if (!Array.isArray(x.points) || x.points.length !== 2) {
      throw new ValidationError("receiver.points", `a dipole needs exactly two points [M, N], got ${show(x.points)}`);
    }
    const m = point(x.points[0], "receiver.points[0]");
    const n = point(x.points[1], "receiver.points[1]");
    if (!(dist(m, n) > 0))
      throw new ValidationError(
        "receiver.points",
        `M and N coincide at ${show(m)}; a dipole needs two distinct electrodes`,
      );
    const comp = x.component ?? "E";
    if (comp !== "E")
      throw new ValidationError(
        "receiver.component",
        `unknown component ${show(comp)} for a dipole receiver; allowed "E" (field along M->N)`,
      );
    return { type: "dipole", points: [m, n], component: "E" };
  }
  throw new ValidationError("receiver.type", `unknown receiver type ${show(x.type)}; allowed "point" or "dipole"`);
}

function increasingPositive(v: unknown, field: string, unit: string): number[] {
  const a = numberArray(v, field);
  if (a.length === 0)
    throw new ValidationError(field, `is empty; give at least one value in ${unit} or leave the key out`);
  a.forEach((t, i) => {
    if (!(t > 0)) throw new ValidationError(`${field}[${i}]`, `${t} ${unit} is not > 0`);
    if (i > 0 && !(t > a[i - 1]))
      throw new ValidationError(
        `${field}[${i}]`,
        `${t} ${unit} does not increase (previous ${a[i - 1]}); sort the values and drop repeats`,
      );
  });
  return a;
}

function parseWaveform(x: unknown): Waveform | undefined {
  if (x === undefined || x === null) return undefined;
  if (!isObject(x))
    throw new ValidationError("waveform", `expected {type: "linear_ramp_off", ramp, repetition?}, got ${show(x)}`);
  if (x.type !== "linear_ramp_off") {
    throw new ValidationError(
      "waveform.type",
      `unknown waveform ${show(x.type)}; allowed "linear_ramp_off" (leave "waveform" out for an ideal step-off)`,
    );
  }
  const ramp = finiteNumber(x.ramp, "waveform.ramp", "a ramp length in s");
  if (ramp < 0) throw new ValidationError("waveform.ramp", `${ramp} s is negative; allowed >= 0 s`);
  const w: Waveform = { type: "linear_ramp_off", ramp };
  if (x.repetition !== undefined && x.repetition !== null) {
    const r = x.repetition;
    if (!isObject(r))
      throw new ValidationError(
        "waveform.repetition",
        `expected {type: "bipolar_half_duty", base_frequency, pulses}, got ${show(r)}`,
      );
    if (r.type !== "bipolar_half_duty") {
      throw new ValidationError(
        "waveform.repetition.type",
        `unknown repetition ${show(r.type)}; allowed "bipolar_half_duty"`,
      );
    }
    const f = finiteNumber(r.base_frequency, "waveform.repetition.base_frequency", "a base frequency in Hz");
    if (!(f > 0)) throw new ValidationError("waveform.repetition.base_frequency", `${f} Hz is not > 0`);
    const pulses = finiteNumber(r.pulses, "waveform.repetition.pulses", "a whole number of pulses");
    if (!Number.isInteger(pulses) || pulses < 1 || pulses > 100000) {
      throw new ValidationError("waveform.repetition.pulses", `${pulses}; allowed a whole number 1..100000`);
    }
    if (!(ramp < 1 / (4 * f))) {
      throw new ValidationError(
        "waveform.ramp",
        `${ramp} s is not shorter than the on-time T/4 = ${1 / (4 * f)} s at ${f} Hz`,
      );
    }
    w.repetition = { type: "bipolar_half_duty", base_frequency: f, pulses };
  }
  return w;
}

function parseGates(x: unknown): [number, number][] | undefined {
  if (x === undefined || x === null) return undefined;
  if (!Array.isArray(x) || x.length === 0)
    throw new ValidationError("gates", `expected a non-empty list of [t_open, t_close] in s, got ${show(x)}`);
  return x.map((g, i) => {
    if (!Array.isArray(g) || g.length !== 2)
      throw new ValidationError(`gates[${i}]`, `expected [t_open, t_close] in s, got ${show(g)}`);
    const a = finiteNumber(g[0], `gates[${i}][0]`);
    const b = finiteNumber(g[1], `gates[${i}][1]`);
    if (!(a > 0 && b > a)) throw new ValidationError(`gates[${i}]`, `[${a}, ${b}] s; allowed 0 < t_open < t_close`);
    return [a, b] as [number, number];
  });
}

/**
 * Validate a survey (a reference case's JSON; `model`, `outputs`, `precision` and other keys are
 * ignored) and return a typed copy. Throws a ValidationError naming field, value and allowed range.
 */
export function parseSurvey(x: unknown): Survey {
  if (!isObject(x))
    throw new ValidationError(
      "survey",
      `expected an object {source, receiver, times?, frequencies?, waveform?, gates?}, got ${show(x)}`,
    );
  const source = parseSource(x.source);
  const receiver = parseReceiver(x.receiver);
  const survey: Survey = { source, receiver };
  if (x.times !== undefined && x.times !== null) survey.times = increasingPositive(x.times, "times", "s");
  if (x.frequencies !== undefined && x.frequencies !== null)
    survey.frequencies = increasingPositive(x.frequencies, "frequencies", "Hz");
  const wf = parseWaveform(x.waveform);
  if (wf) survey.waveform = wf;
  const gates = parseGates(x.gates);
  if (gates) survey.gates = gates;
  if (!survey.times && !survey.frequencies && !survey.gates) {
    throw new ValidationError("times", "the survey has no times, gates or frequencies; give at least one");
  }
  if (survey.waveform && !survey.times && !survey.gates) {
    throw new ValidationError("waveform", "a waveform applies to time-domain outputs; give times or gates");
  }
  // geometry: the receiver must not touch the wire
  const segs = sourceSegments(source);
  let scale = 1;
  for (const p of source.points) scale = Math.max(scale, Math.abs(p[0]), Math.abs(p[1]));
  const tol = 1e-6 * scale;
  segs.forEach(([a, b], i) => {
    const d =
      receiver.type === "point"
        ? pointSegmentDistance(receiver.position, a, b)
        : segmentSegmentDistance(receiver.points[0], receiver.points[1], a, b);
    if (d <= tol) {
      const what =
        receiver.type === "point" ? `receiver at ${show(receiver.position)}` : `dipole ${show(receiver.points)}`;
      throw new ValidationError(
        receiver.type === "point" ? "receiver.position" : "receiver.points",
        `${what} lies on source segment ${i + 1} (${show(a)} -> ${show(b)}), distance ${d.toExponential(2)} m; the field is singular there, move the receiver off the wire`,
      );
    }
  });
  return survey;
}
