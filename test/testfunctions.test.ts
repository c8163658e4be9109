import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../src/config";
import {
  ackley,
  asymmetricBox,
  opposite,
  makeBounds,
  randomRotation,
  rastrigin,
  rosenbrock,
  rotate,
  shiftedRotated,
  sphere,
  testProblem,
  TestFunctionName,
} from "../src/optim";
import { problemObjective } from "../src/optim/internal";

const NAMES: TestFunctionName[] = ["sphere", "rastrigin", "ackley", "rosenbrock"];

test("classic functions: closed-form values", () => {
  assert.equal(sphere([3, 4]), 25);
  assert.equal(rosenbrock([1, 1, 1]), 0);
  assert.equal(rosenbrock([0, 0]), 1); // 100 (0 - 0)^2 + (1 - 0)^2
  assert.ok(Math.abs(rastrigin([0, 0, 0])) < 1e-12);
  assert.ok(Math.abs(rastrigin([1, 0]) - 1) < 1e-12); // 20 + 1 - 10 cos(2pi) - 10 = 1
  assert.ok(Math.abs(ackley([0, 0])) < 1e-12);
});

test("randomRotation is orthogonal (R R^T = I), deterministic from the seed, and not the identity", () => {
  for (const d of [1, 2, 10, 30]) {
    const r = randomRotation(d, 7);
    let worst = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += r[i * d + k] * r[j * d + k];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    assert.ok(worst < 1e-12, `d=${d}: max |R R^T - I| = ${worst}`);
    // R^T R = I as well (square, so it follows, but check the columns independently)
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += r[k * d + i] * r[k * d + i];
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
    assert.deepEqual(Array.from(randomRotation(d, 7)), Array.from(r));
  }
  const a = randomRotation(10, 1);
  const b = randomRotation(10, 2);
  assert.notDeepEqual(Array.from(a), Array.from(b));
  let offDiag = 0;
  for (let i = 0; i < 10; i++)
    for (let j = 0; j < 10; j++) if (i !== j) offDiag = Math.max(offDiag, Math.abs(a[i * 10 + j]));
  assert.ok(offDiag > 0.1, "a random rotation mixes coordinates");
  // rotation preserves length
  const x = Float64Array.from({ length: 10 }, (_, j) => j - 4.5);
  assert.ok(Math.abs(sphere(rotate(a, x)) - sphere(x)) < 1e-9);
});

for (const name of NAMES) {
  test(`shifted-rotated ${name}: 0 at the optimum, > 0 elsewhere, optimum inside the box and off its centre`, () => {
    for (const d of [2, 10, 30]) {
      const p = shiftedRotated(name, d, 3);
      assert.equal(p.bounds.length, d);
      assert.ok(Math.abs(p.f(p.optimum)) < 1e-10, `${name} d=${d}: f(o) = ${p.f(p.optimum)}`);
      for (let j = 0; j < d; j++) {
        const [lo, hi] = p.bounds[j];
        assert.ok(p.optimum[j] > lo && p.optimum[j] < hi);
        // toward the upper corner: at least 70 % of the way up, so the box is not symmetric about it
        assert.ok(p.optimum[j] >= lo + 0.7 * (hi - lo) - 1e-9);
      }
      // small perturbations are worse (it is the global minimum)
      const rand = mulberry32(11);
      for (let k = 0; k < 20; k++) {
        const x = Float64Array.from(p.optimum, (v) => v + (rand() - 0.5));
        assert.ok(p.f(x) > 0, `${name} d=${d}: f(o + e) = ${p.f(x)}`);
      }
      // deterministic from the seed, different for another seed
      const q = shiftedRotated(name, d, 3);
      assert.deepEqual(Array.from(q.optimum), Array.from(p.optimum));
      const x0 = Float64Array.from({ length: d }, (_, j) => 10 * Math.sin(j + 1));
      assert.equal(q.f(x0), p.f(x0));
      assert.notDeepEqual(Array.from(shiftedRotated(name, d, 4).optimum), Array.from(p.optimum));
    }
  });

  test(`shifted-rotated ${name}: f(x) != f(-x) and f(x) != f(opposite x) in general`, () => {
    const d = 10;
    const p = shiftedRotated(name, d, 5);
    const bounds = makeBounds(p.bounds);
    const rand = mulberry32(99);
    let differ = 0;
    let oppositeBetter = 0;
    for (let k = 0; k < 50; k++) {
      const x = Float64Array.from({ length: d }, () => -100 + 200 * rand());
      const neg = Float64Array.from(x, (v) => -v);
      const opp = opposite(x, bounds);
      assert.deepEqual(Array.from(opp), Array.from(neg)); // box symmetric about 0: the opposite is -x
      if (Math.abs(p.f(x) - p.f(neg)) > 1e-9 * Math.max(1, Math.abs(p.f(x)))) differ++;
      if (p.f(opp) < p.f(x)) oppositeBetter++;
    }
    assert.equal(differ, 50, "every random pair differs");
    // neither x nor its opposite is always the better one: opposition picks the right half
    assert.ok(oppositeBetter > 0 && oppositeBetter < 50, `opposite better in ${oppositeBetter}/50`);
  });

  test(`shifted-rotated ${name} equals the classic function of R (c (x - o)) (+1 for Rosenbrock)`, () => {
    const d = 6;
    const p = shiftedRotated(name, d, 8);
    const r = randomRotation(d, 8);
    const c = { sphere: 1, rosenbrock: 0.02048, rastrigin: 0.0512, ackley: 0.32 }[name];
    const base = { sphere: sphere, rosenbrock: rosenbrock, rastrigin: rastrigin, ackley: ackley }[name];
    const rand = mulberry32(3);
    for (let k = 0; k < 10; k++) {
      const x = Float64Array.from({ length: d }, () => -100 + 200 * rand());
      const z = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) z[i] += r[i * d + j] * c * (x[j] - p.optimum[j]);
        if (name === "rosenbrock") z[i] += 1;
      }
      const want = base(z);
      assert.ok(Math.abs(p.f(x) - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${p.f(x)} vs ${want}`);
    }
    // the shifted-only variant has no rotation: g(c (x - o) + b) separable
    const s = shiftedRotated(name, d, 8, { rotate: false });
    assert.equal(s.rotation, null);
    assert.ok(Math.abs(s.f(s.optimum)) < 1e-12);
  });

  test(`asymmetric-box ${name}: optimum a quarter of the way up, 0 there, opposite no mirror image`, () => {
    const d = 5;
    const p = asymmetricBox(name, d);
    assert.ok(Math.abs(p.f(p.optimum)) < 1e-12);
    for (let j = 0; j < d; j++) {
      const [lo, hi] = p.bounds[j];
      assert.ok(Math.abs((p.optimum[j] - lo) / (hi - lo) - 0.25) < 1e-12);
    }
    const bounds = makeBounds(p.bounds);
    const rand = mulberry32(5);
    let differ = 0;
    for (let k = 0; k < 30; k++) {
      const x = Float64Array.from(p.bounds, ([lo, hi]) => lo + (hi - lo) * rand());
      if (p.f(x) !== p.f(opposite(x, bounds))) differ++;
    }
    assert.ok(differ >= 29);
  });
}

test("testProblem and problemObjective agree; unknown names fail loudly", () => {
  const p = testProblem("shifted-rotated", "rastrigin", 4, 2);
  const obj = problemObjective({ family: "shifted-rotated", name: "rastrigin", dim: 4, seed: 2 });
  const x = Float64Array.from([1, 2, 3, 4]);
  assert.deepEqual(obj([x, p.optimum]), [p.f(x), p.f(p.optimum)]);
  assert.equal(testProblem("classic", "sphere", 3).f([1, 1, 1]), 3);
  assert.throws(() => shiftedRotated("nope" as TestFunctionName, 3, 1), /unknown test function 'nope'/);
  assert.throws(() => testProblem("weird" as never, "sphere", 3), /unknown problem family/);
  assert.throws(() => shiftedRotated("sphere", 0, 1), /dim/);
  assert.throws(() => p.f([1, 2]), /2 coordinates/);
});
