import { ValidationError } from "./errors";

/** Box bounds of a search space: lower[j] < upper[j], both finite. */
export interface Bounds {
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Check and copy bounds given as arrays or as a list of [lower, upper] pairs.
 * Throws a ValidationError naming the offending index, its values and the rule.
 */
export function makeBounds(
  b: Bounds | { lower: ArrayLike<number>; upper: ArrayLike<number> } | [number, number][],
  field = "bounds",
): Bounds {
  let lower: ArrayLike<number>;
  let upper: ArrayLike<number>;
  if (Array.isArray(b)) {
    lower = b.map((p) => p[0]);
    upper = b.map((p) => p[1]);
  } else {
    lower = b.lower;
    upper = b.upper;
  }
  if (lower.length !== upper.length) {
    throw new ValidationError(
      field,
      `lower has ${lower.length} entries but upper has ${upper.length}; give one [lower, upper] pair per parameter`,
    );
  }
  if (lower.length === 0) throw new ValidationError(field, "no parameters (empty bounds)");
  const lo = new Float64Array(lower.length);
  const hi = new Float64Array(lower.length);
  for (let j = 0; j < lower.length; j++) {
    const l = Number(lower[j]);
    const u = Number(upper[j]);
    if (!Number.isFinite(l) || !Number.isFinite(u)) {
      throw new ValidationError(`${field}[${j}]`, `bounds must be finite numbers, got [${lower[j]}, ${upper[j]}]`);
    }
    if (!(l < u)) {
      throw new ValidationError(
        `${field}[${j}]`,
        `lower ${l} must be below upper ${u}; swap them, or fix the parameter instead of giving equal bounds`,
      );
    }
    lo[j] = l;
    hi[j] = u;
  }
  return { lower: lo, upper: hi };
}

/**
 * How a mutant coordinate that left the box is brought back. Never clipping: clipping piles the
 * population on the bound and makes the bound an attractor.
 * - "midpoint" (JADE, Zhang & Sanderson 2009, sect. III-D): halfway between the violated bound and
 *   the parent's coordinate, v = (bound + x_parent) / 2. The default.
 * - "reflect": mirrored back into the box across the violated bound (repeated until inside).
 * - "random": redrawn uniformly in [lower, upper].
 */
export type BoundRule = "midpoint" | "reflect" | "random";

export const BOUND_RULES: readonly BoundRule[] = ["midpoint", "reflect", "random"];

/** Repair mutant `v` in place against the box, using parent `x` where the rule needs it. */
export function repairBounds(
  v: Float64Array,
  parent: Float64Array,
  bounds: Bounds,
  rule: BoundRule,
  rand: () => number,
): void {
  const { lower, upper } = bounds;
  for (let j = 0; j < v.length; j++) {
    const l = lower[j];
    const u = upper[j];
    let y = v[j];
    if (y >= l && y <= u) continue;
    if (rule === "midpoint") {
      y = y < l ? 0.5 * (l + parent[j]) : 0.5 * (u + parent[j]);
    } else if (rule === "reflect") {
      const w = u - l;
      // fold into [0, 2w) then mirror the upper half
      let t = (y - l) % (2 * w);
      if (t < 0) t += 2 * w;
      y = t <= w ? l + t : u - (t - w);
    } else {
      y = l + rand() * (u - l);
    }
    v[j] = y;
  }
}
