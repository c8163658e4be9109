/**
 * Source and receiver discretisation: wire segments integrated by Gauss-Legendre quadrature
 * (seed paper eq. 2), with the number of points chosen from the distance to the receiver when
 * not fixed, and the finite MN dipole averaged the same way.
 */
import { gaussLegendre } from "./quadrature";
import { Point2, Receiver, Source, sourceSegments } from "./survey";

/** A quadrature point of the source: position, weight (m; sums to the wire length) and tangent. */
export interface SourcePoint {
  x: number;
  y: number;
  w: number;
  tx: number;
  ty: number;
}

/** A receiver sample: position and weight (weights sum to 1: a point, or the MN average). */
export interface ReceiverPoint {
  x: number;
  y: number;
  w: number;
}

/**
 * Number of Gauss-Legendre points that integrate an integrand with branch points at distance d
 * from a segment to relative accuracy tol: the points of the segment map to [-1, 1], the receiver
 * to z; the error falls like rho^(-2n) with rho = |z + sqrt(z^2 - 1)| the Bernstein ellipse
 * through z (Trefethen 2008, "Is Gauss quadrature better than Clenshaw-Curtis?").
 */
export function glPointsFor(a: Point2, b: Point2, p: Point2, tol: number): number {
  const L = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const tx = (b[0] - a[0]) / L;
  const ty = (b[1] - a[1]) / L;
  const px = p[0] - (a[0] + b[0]) / 2;
  const py = p[1] - (a[1] + b[1]) / 2;
  const zr = (2 * (px * tx + py * ty)) / L;
  const zi = Math.max((2 * Math.abs(-px * ty + py * tx)) / L, 1e-12);
  // w = sqrt(z^2 - 1), branch with |z + w| > 1
  const qr = zr * zr - zi * zi - 1;
  const qi = 2 * zr * zi;
  const m = Math.hypot(qr, qi);
  const wr = Math.sqrt(Math.max(0, (m + qr) / 2));
  let wi = Math.sqrt(Math.max(0, (m - qr) / 2));
  if (qi < 0) wi = -wi;
  let rho = Math.hypot(zr + wr, zi + wi);
  const rho2 = Math.hypot(zr - wr, zi - wi);
  if (rho2 > rho) rho = rho2;
  return Math.ceil(Math.log(1 / tol) / (2 * Math.log(rho)));
}

export interface QuadratureOptions {
  /** Fixed points per segment (the paper's n in eq. 2), or "auto" (from the receiver distance). */
  points: number | "auto";
  /** Target relative accuracy of the automatic choice. */
  tol: number;
  /** Largest number of points on one panel before the automatic choice splits it. */
  maxPerPanel: number;
}

/**
 * Gauss-Legendre points of every source segment (seed paper eq. 2: Y = l sum_i a_i F_i, here
 * with weights a_i L/2 on each straight segment of length L). With `points: "auto"`, a segment
 * whose receivers sit close to it is split into panels graded towards the nearest receiver.
 */
export function wireSource(src: Source, receivers: ReceiverPoint[], q: QuadratureOptions): SourcePoint[] {
  const out: SourcePoint[] = [];
  forEachPanel(src, receivers, q, (a, b, n) => {
    const g = gaussLegendre(n, "options.quadPoints");
    const L = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const tx = (b[0] - a[0]) / L;
    const ty = (b[1] - a[1]) / L;
    const cx = (a[0] + b[0]) / 2;
    const cy = (a[1] + b[1]) / 2;
    for (let i = 0; i < n; i++) {
      out.push({ x: cx + (g.x[i] * L * tx) / 2, y: cy + (g.x[i] * L * ty) / 2, w: (g.w[i] * L) / 2, tx, ty });
    }
  });
  return out;
}

/** The number of points wireSource returns, counted without allocating them (memory estimates). */
export function countSourcePoints(src: Source, receivers: ReceiverPoint[], q: QuadratureOptions): number {
  let n = 0;
  forEachPanel(src, receivers, q, (_a, _b, k) => {
    n += k;
  });
  return n;
}

/** The panels of wireSource, each with its number of Gauss-Legendre points. */
function forEachPanel(
  src: Source,
  receivers: ReceiverPoint[],
  q: QuadratureOptions,
  visit: (a: Point2, b: Point2, n: number) => void,
): void {
  const need = (a: Point2, b: Point2) => {
    let n = 2;
    for (const r of receivers) n = Math.max(n, glPointsFor(a, b, [r.x, r.y], q.tol));
    return n;
  };
  const panel = (a: Point2, b: Point2, depth: number) => {
    const n = need(a, b);
    if (n <= q.maxPerPanel || depth > 40) {
      visit(a, b, Math.max(4, Math.min(n, q.maxPerPanel)));
      return;
    }
    const mid: Point2 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    panel(a, mid, depth + 1);
    panel(mid, b, depth + 1);
  };
  for (const [a, b] of sourceSegments(src)) {
    if (q.points === "auto") panel(a, b, 0);
    else visit(a, b, q.points);
  }
}

/** Receiver samples: one point, or n Gauss-Legendre points along M->N with weights summing to 1. */
export function receiverPoints(
  rec: Receiver,
  src: Source,
  q: QuadratureOptions,
): { points: ReceiverPoint[]; cx: number; cy: number } {
  if (rec.type === "point") {
    const [x, y] = rec.position;
    const cx = rec.component === "Ex" ? 1 : 0;
    const cy = rec.component === "Ey" ? 1 : 0;
    return { points: [{ x, y, w: 1 }], cx, cy };
  }
  const [m, nn] = rec.points;
  const L = Math.hypot(nn[0] - m[0], nn[1] - m[1]);
  const cx = (nn[0] - m[0]) / L;
  const cy = (nn[1] - m[1]) / L;
  let n: number;
  if (q.points === "auto") {
    n = 3;
    // the field along MN is smooth unless the source is near: same rule, roles swapped
    for (const [a, b] of sourceSegments(src)) {
      for (let k = 0; k <= 64; k++) {
        const s = k / 64;
        n = Math.max(n, glPointsFor(m, nn, [a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])], q.tol));
      }
    }
    n = Math.min(n, 64);
  } else n = q.points;
  const g = gaussLegendre(n, "options.quadPoints");
  const points: ReceiverPoint[] = [];
  for (let i = 0; i < n; i++) {
    const s = (g.x[i] + 1) / 2;
    points.push({ x: m[0] + s * (nn[0] - m[0]), y: m[1] + s * (nn[1] - m[1]), w: g.w[i] / 2 });
  }
  return { points, cx, cy };
}
