/**
 * Input validation of the EM domain: every bad model, survey or option throws an error named
 * "ValidationError" whose message names the parameter, the layer or point, the value and the
 * allowed range.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSurvey, forward, parseEarthModel, parseSurvey } from "../src/em";
import { broadsideWire, dipoleReceiver, rampOff, sourceThrough } from "./support/fixtures";

const goodModel = {
  thickness: [200, 300],
  rho0: [100, 20, 200],
  m: [0, 0.3, 0],
  tau: [1e-3, 5e-3, 1e-3],
  c: [0.5, 0.5, 0.5],
};
const goodSurvey = broadsideWire([1e-5, 1e-4, 1e-3]);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
/** parseSurvey of goodSurvey with some of its parts replaced, to be called by throwsValidation. */
const surveyWith = (parts: Record<string, unknown>) => () => parseSurvey({ ...goodSurvey, ...parts });

function throwsValidation(f: () => unknown, ...patterns: RegExp[]): void {
  let err: Error | undefined;
  try {
    f();
  } catch (e) {
    err = e as Error;
  }
  assert.ok(err, "expected an error");
  assert.equal(err.name, "ValidationError", `error name ${err.name}: ${err.message}`);
  for (const p of patterns) assert.match(err.message, p);
}

test("valid inputs parse to typed copies", () => {
  const m = parseEarthModel(goodModel);
  assert.deepEqual(m, goodModel);
  const s = parseSurvey(goodSurvey);
  assert.equal(s.source.type, "wire");
  assert.deepEqual(s.times, goodSurvey.times);
});

test("model: layer arrays of consistent length", () => {
  throwsValidation(
    () => parseEarthModel({ ...goodModel, thickness: [200] }),
    /model\.thickness/,
    /1 entries for 3 layers/,
    /needs 2/,
  );
  throwsValidation(() => parseEarthModel({ ...goodModel, m: [0, 0.3] }), /model\.m/, /2 entries but rho0 has 3/);
  throwsValidation(() => parseEarthModel({ ...goodModel, tau: undefined }), /model\.tau/, /missing/);
  throwsValidation(() => parseEarthModel({ ...goodModel, rho0: [] }), /model\.rho0/);
  throwsValidation(() => parseEarthModel("nope"), /model/);
});

test("model: ranges name the layer, the value and the allowed range", () => {
  const bad = (k: keyof typeof goodModel, j: number, v: unknown) => {
    const m = clone(goodModel) as Record<string, unknown[]>;
    m[k][j] = v;
    return m;
  };
  throwsValidation(() => parseEarthModel(bad("thickness", 1, 0)), /model\.thickness\[1\]/, /layer 2/, /= 0/, /> 0 m/);
  throwsValidation(() => parseEarthModel(bad("rho0", 0, -5)), /model\.rho0\[0\]/, /layer 1/, /-5/, /> 0 ohm-m/);
  throwsValidation(() => parseEarthModel(bad("m", 1, 1)), /model\.m\[1\]/, /layer 2/, /= 1/, /0 <= m < 1/);
  throwsValidation(() => parseEarthModel(bad("m", 2, -0.1)), /model\.m\[2\]/, /-0\.1/);
  throwsValidation(() => parseEarthModel(bad("tau", 1, 0)), /model\.tau\[1\]/, /> 0 s/);
  throwsValidation(() => parseEarthModel(bad("c", 0, 0)), /model\.c\[0\]/, /0 < c <= 1/);
  throwsValidation(() => parseEarthModel(bad("c", 0, 1.5)), /model\.c\[0\]/, /1\.5/);
  throwsValidation(() => parseEarthModel(bad("rho0", 1, "x")), /model\.rho0\[1\]/, /finite number/, /"x"/);
  throwsValidation(() => parseEarthModel(bad("rho0", 1, Infinity)), /model\.rho0\[1\]/);
});

test("model: the sigma form is accepted and checked", () => {
  const m = parseEarthModel({ thickness: [], sigma0: [0.01], sigmaInf: [0.0125], tauSigma: [1e-3], c: [0.5] });
  assert.ok(Math.abs(m.rho0[0] - 100) < 1e-9 && Math.abs(m.m[0] - 0.2) < 1e-12);
  throwsValidation(
    () => parseEarthModel({ thickness: [], sigma0: [0.01], sigmaInf: [0.005], tauSigma: [1e-3], c: [0.5] }),
    /sigmaInf\[0\]/,
    /below sigma0/,
  );
});

test("forward checks a model too (without copying it)", () => {
  const plan = compileSurvey(goodSurvey);
  throwsValidation(() => forward(plan, { ...goodModel, m: [0, 1.2, 0] }), /layer 2/, /m=1\.2/, /0 <= m < 1/);
  throwsValidation(() => forward(plan, { ...goodModel, c: [0.5, 0.5] }), /inconsistent layer arrays/);
  const fplan = compileSurvey({ ...goodSurvey, frequencies: [10] });
  throwsValidation(() => forward(fplan, { ...goodModel, thickness: [0.0005, 300] }), /thickness\[0\]/, /electricDepth/);
});

test("times and frequencies: finite, > 0, increasing", () => {
  throwsValidation(surveyWith({ times: [1e-5, 1e-5] }), /times\[1\]/, /does not increase/);
  throwsValidation(surveyWith({ times: [-1e-5, 1e-3] }), /times\[0\]/, /not > 0/);
  throwsValidation(surveyWith({ times: [1e-5, NaN] }), /times\[1\]/, /finite/);
  throwsValidation(surveyWith({ times: [] }), /times/, /empty/);
  throwsValidation(surveyWith({ times: undefined }), /no times, gates or frequencies/);
  throwsValidation(surveyWith({ frequencies: [10, 1] }), /frequencies\[1\]/);
});

test("geometry: zero-length segments, receivers on the wire, degenerate loops and dipoles", () => {
  throwsValidation(
    surveyWith({ source: sourceThrough("wire", 1, [0, 0], [0, 0], [100, 0]) }),
    /source\.points\[0\]/,
    /zero length/,
  );
  throwsValidation(
    surveyWith({ receiver: { type: "point", position: [100, 0], component: "Ex" } }),
    /receiver\.position/,
    /lies on source segment 1/,
  );
  throwsValidation(
    surveyWith({ receiver: { type: "point", position: [500, 0], component: "Ex" } }),
    /lies on source segment/,
  );
  throwsValidation(surveyWith({ source: sourceThrough("loop", 1, [0, 0], [10, 0]) }), /at least 3/);
  throwsValidation(surveyWith({ receiver: dipoleReceiver("E", [0, 50], [0, 50]) }), /M and N coincide/);
  throwsValidation(
    surveyWith({ receiver: dipoleReceiver("E", [0, -50], [0, 50]) }),
    /receiver\.points/,
    /lies on source segment/,
  );
  throwsValidation(
    surveyWith({ source: sourceThrough("wire", 1, [0, 0], [1, 2, 3]) }),
    /source\.points\[1\]\[2\]/,
    /z = 0/,
  );
  throwsValidation(surveyWith({ source: sourceThrough("wire", 0, [-1, 0], [1, 0]) }), /source\.current/);
  // a loop listed closed (first point repeated) is accepted
  const s = parseSurvey({
    ...goodSurvey,
    source: sourceThrough("loop", 1, [0, 0], [10, 0], [10, 10], [0, 0]),
    receiver: { type: "point", position: [3, 2], component: "dBz/dt" },
  });
  assert.equal(s.source.points.length, 3);
});

test("unknown names: source type, receiver type, component, waveform, repetition, options", () => {
  throwsValidation(
    surveyWith({ source: { ...goodSurvey.source, type: "cable" } }),
    /source\.type/,
    /"cable"/,
    /"wire"/,
  );
  throwsValidation(surveyWith({ receiver: { type: "coil", position: [0, 1], component: "Ex" } }), /receiver\.type/);
  throwsValidation(
    surveyWith({ receiver: { type: "point", position: [0, 500], component: "Ez" } }),
    /receiver\.component/,
    /"Ez"/,
    /"Ex", "Ey"/,
  );
  throwsValidation(surveyWith({ receiver: dipoleReceiver("Ex", [0, 500], [10, 500]) }), /receiver\.component/, /"E"/);
  throwsValidation(surveyWith({ waveform: { type: "triangle", ramp: 1e-5 } }), /waveform\.type/, /"triangle"/);
  throwsValidation(surveyWith({ waveform: rampOff(-1) }), /waveform\.ramp/, /negative/);
  throwsValidation(surveyWith({ waveform: rampOff(1e-5, "unipolar", 4) }), /repetition\.type/);
  throwsValidation(surveyWith({ waveform: rampOff(1e-5, "bipolar_half_duty", 2.5) }), /pulses/);
  throwsValidation(surveyWith({ waveform: rampOff(0.1, "bipolar_half_duty", 4) }), /waveform\.ramp/, /on-time/);
  throwsValidation(surveyWith({ gates: [[2e-5, 1e-5]] }), /gates\[0\]/, /t_open < t_close/);
  throwsValidation(
    () => compileSurvey(goodSurvey, { hankel: "nope" } as never),
    /options\.hankel/,
    /"nope"/,
    /key_51_2012/,
  );
  throwsValidation(() => compileSurvey(goodSurvey, { speed: 3 } as never), /options\.speed/, /unknown option/);
  throwsValidation(() => compileSurvey(goodSurvey, { lambdaOrder: 5 }), /options\.lambdaOrder/);
  throwsValidation(() => compileSurvey(goodSurvey, { timeOrder: 7 }), /options\.timeOrder/, /even number/);
  throwsValidation(() => compileSurvey(goodSurvey, { timeOrder: 14 }), /options\.timeOrder/);
});

test("a SurveyPlan is opaque: forward refuses an object that compileSurvey did not make, naming the plan", () => {
  const plan = compileSurvey(goodSurvey);
  const fake = { survey: plan.survey, options: plan.options, kind: plan.kind, nTime: plan.nTime, info: plan.info };
  const model = parseEarthModel({ thickness: [], rho0: [100], m: [0], tau: [1e-3], c: [0.5] });
  assert.ok(forward(plan, model).time_off);
  throwsValidation(() => forward(fake, model), /^plan/, /compileSurvey/);
});
