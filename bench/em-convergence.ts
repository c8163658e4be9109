/**
 * Random surveys of the kinds the reference cases do not cover (bent and oblique wires of 1-3
 * segments, Ex/Ey/dBz/dt points and MN dipoles anywhere, rectangular loops listed either way with
 * receivers inside or outside, ramps and 3-285 Hz bipolar repetitions, frequency outputs) on the
 * reference cases' earth models: each setting's worst error (the reference README's metric)
 * against CONVERGED_OPTIONS, the engine's accuracy yardstick.
 *
 *   npx tsx bench/em-convergence.ts [--seeds 1,2,3] [--n 50] [--options '{"hankel": "key_51_2012"}'] [--resistive]
 *
 * --resistive: draw the earth from three permafrost-like models instead (resistive top layers of
 * 2500-20000 ohm-m over polarisable conductors; docs/EM_ACCURACY.md), and the loops' base
 * frequencies from 1-1000 Hz with up to 200 pulses: where the former fixed lattice cut failed.
 */
import * as fs from "fs";
import * as path from "path";
import {
  compileSurvey,
  CONVERGED_OPTIONS,
  forward,
  ForwardOptions,
  parseEarthModel,
  referenceError,
  Response,
} from "../src/em";
import { arg, hasFlag } from "./support";

const n = Number(arg("--n", "50"));
const variant: ForwardOptions | undefined = hasFlag("--options") ? JSON.parse(arg("--options", "{}")) : undefined;

const dir = path.join(__dirname, "..", "test", "fixtures", "tem-reference");
const ref = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"));
const MODEL_CASES = [
  "h3_ip_top_wire",
  "h3_ip_middle_wire",
  "h3_ip_bottom_wire",
  "l10_ip2_wire",
  "h3_ip_loop_central",
  "permafrost_loop_ramp",
  "hs_wire_broadside",
];
const RESISTIVE = [
  {
    thickness: [8, 40, 100],
    rho0: [3000, 60, 20, 5000],
    m: [0, 0.1, 0.3, 0],
    tau: [1e-3, 5e-4, 2e-3, 1e-3],
    c: [0.5, 0.6, 0.4, 0.5],
  },
  {
    thickness: [10, 50, 120],
    rho0: [2500, 80, 25, 6000],
    m: [0, 0.15, 0.35, 0],
    tau: [1e-3, 1e-3, 3e-3, 1e-3],
    c: [0.5, 0.5, 0.35, 0.5],
  },
  { thickness: [15, 60], rho0: [20000, 300, 10000], m: [0, 0.2, 0], tau: [1e-3, 3e-3, 1e-3], c: [0.5, 0.5, 0.5] },
];
const resistive = hasFlag("--resistive");
const models = resistive ? RESISTIVE : MODEL_CASES.map((name) => ref(name).model);
const wireT: number[] = ref("h3_ip_top_wire").times;
const loopT: number[] = ref("h3_ip_loop_central").times;
const gateT: number[] = ref("permafrost_loop_ramp").times;
const freqs: number[] = ref("l10_ip2_wire").frequencies;

// A survey JSON built field by field; parseSurvey checks it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;

/** One random survey and the index of its earth model; rnd is drawn in a fixed order (seeded runs repeat). */
function randomCase(rnd: () => number): { c: Case; model: number } {
  const isLoop = rnd() < 0.45;
  const model = Math.floor(rnd() * models.length);
  let c: Case;
  if (isLoop) {
    const a = 25 + rnd() * 100;
    const b = 25 + rnd() * 100;
    const pts = [
      [-a, -b],
      [a, -b],
      [a, b],
      [-a, b],
    ];
    if (rnd() < 0.5) pts.reverse();
    const inside = rnd() < 0.5;
    const pos = inside
      ? [(rnd() - 0.5) * a, (rnd() - 0.5) * b]
      : [(a + 20 + rnd() * 200) * (rnd() < 0.5 ? 1 : -1), (rnd() - 0.5) * 3 * b];
    const comp = rnd() < 0.8 ? "dBz/dt" : rnd() < 0.5 ? "Ex" : "Ey";
    c = {
      source: { type: "loop", points: pts, current: 1 + rnd() * 5 },
      receiver: { type: "point", position: pos, component: comp },
    };
    const r = rnd();
    if (r < 0.2) c.frequencies = freqs;
    else if (r < 0.5) c.times = loopT;
    else {
      const f = resistive
        ? [1, 3, 10, 30, 100, 300, 1000][Math.floor(rnd() * 7)]
        : [3, 7.5, 30, 75, 285][Math.floor(rnd() * 5)];
      const sc = 285 / f;
      const ramp = (2 + rnd() * 20) * 1e-6 * Math.sqrt(sc);
      c.times = gateT.map((t) => t * sc);
      c.waveform = { type: "linear_ramp_off", ramp };
      if (rnd() < 0.6)
        c.waveform.repetition = {
          type: "bipolar_half_duty",
          base_frequency: f,
          pulses: Math.ceil(10 + rnd() * (resistive ? 190 : 100)),
        };
    }
  } else {
    const nseg = 1 + Math.floor(rnd() * 3);
    const L = 500 + rnd() * 1000;
    const th = rnd() * Math.PI;
    const pts: number[][] = [];
    for (let i = 0; i <= nseg; i++) {
      const u = -L / 2 + (L * i) / nseg;
      const off = i > 0 && i < nseg ? (rnd() - 0.5) * 300 : 0;
      pts.push([u * Math.cos(th) - off * Math.sin(th), u * Math.sin(th) + off * Math.cos(th)]);
    }
    const rr = 300 + rnd() * 1200;
    const ph = rnd() * 2 * Math.PI;
    const pos = [rr * Math.cos(ph), rr * Math.sin(ph)];
    const rx =
      rnd() < 0.2
        ? {
            type: "dipole",
            points: [pos, [pos[0] + 50 + rnd() * 100 * Math.cos(ph + 1), pos[1] + 50 * Math.sin(ph + 1)]],
            component: "E",
          }
        : { type: "point", position: pos, component: rnd() < 0.45 ? "Ex" : rnd() < 0.8 ? "Ey" : "dBz/dt" };
    c = { source: { type: "wire", points: pts, current: 1 + rnd() * 10 }, receiver: rx };
    const r2 = rnd();
    if (r2 < 0.25) c.frequencies = freqs;
    else {
      c.times = wireT;
      if (r2 < 0.5) c.waveform = { type: "linear_ramp_off", ramp: 1e-5 + rnd() * 2e-4 };
      if (r2 < 0.35) {
        c.times = wireT.filter((t) => t < 5e-3);
        c.waveform.repetition = { type: "bipolar_half_duty", base_frequency: 25, pulses: 8 };
      }
    }
  }
  return { c, model };
}

const parts = (r: Response): ArrayLike<number>[] => (r.time_off ? [r.time_off] : [r.freq!.re, r.freq!.im]);

for (const seed of arg("--seeds", "1,2,3").split(",").map(Number)) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  let worst = 0;
  const bad: string[] = [];
  for (let k = 0; k < n; k++) {
    const { c, model } = randomCase(rnd);
    const m = parseEarthModel(models[model]);
    const d = parts(forward(compileSurvey(c, variant), m));
    const a = parts(forward(compileSurvey(c, CONVERGED_OPTIONS), m));
    let e = 0;
    let at = 0;
    d.forEach((x, i) => {
      const q = referenceError(x, a[i]);
      if (q.err > e) {
        e = q.err;
        at = q.at;
      }
    });
    worst = Math.max(worst, e);
    const desc = `${k} ${c.source.type} ${c.receiver.type} ${c.receiver.component} ${c.frequencies ? "freq" : "time"} ${c.waveform ? JSON.stringify(c.waveform) : ""} model ${model}`;
    if (e > 5e-4) bad.push(`${e.toExponential(1)}@${at} ${desc}`);
  }
  console.log(`seed ${seed}: worst ${worst.toExponential(2)} over ${n} surveys`);
  if (bad.length) console.log(bad.join("\n"));
}
