/**
 * Closed-form surface fields of a homogeneous half-space (wavenumber k = sqrt(i w mu0 sigma),
 * Re k > 0), used (1) as the part of a layered earth's TE response that the engine does not
 * transform numerically, and (2) as an independent check in the tests.
 *
 * With D_1(l) = (l - u)/(l + u), u = sqrt(l^2 + k^2), and the integrals
 *   int l^2 J0(lR) dl = -1/R^3,  int l u J0(lR) dl = -(k/R^2 + 1/R^3) e^{-kR}
 * (limits z -> 0 of the Sommerfeld-type integrals of l u e^{-u z}/u J0, Ward & Hohmann 1988,
 * ch. 4), since (l - u)/(l + u) = -(2 l^2 + k^2 - 2 l u)/k^2:
 *
 *   A(R) = int (1 + D_1) J0(lR) dl     = (2 / (k^2 R^3)) [1 - (1 + kR) e^{-kR}]
 *   B(R) = int l (1 + D_1) J1(lR) dl   = -dA/dR = (2 / (k^2 R^4)) [3 - (3 + 3kR + k^2 R^2) e^{-kR}]
 *
 * The TE electric field of a surface current element I ds t on the half-space is
 * E = -(i w mu0 I ds / 4 pi) A(R) t, the classic [1 - (1 + ikr) e^{-ikr}] form; for k -> 0 A -> 1/R
 * and B -> 1/R^2 (free space, Biot-Savart).
 */

/** phi(x) = 1 - (1 + x) e^{-x} and psi(x) = 3 - (3 + 3x + x^2) e^{-x}, complex x, series near 0. */
function phiPsi(xr: number, xi: number, out: Float64Array): void {
  const m2 = xr * xr + xi * xi;
  if (m2 < 0.25) {
    // phi = sum_{n>=2} (-1)^n (n-1)/n! x^n ; psi = -sum_{n>=2} (-1)^n (n-1)(n-3)/n! x^n
    let pr = xr * xr - xi * xi; // x^n, starting n = 2
    let pi = 2 * xr * xi;
    let f = 0.5; // 1/n!
    let ar = 0;
    let ai = 0;
    let br = 0;
    let bi = 0;
    for (let n = 2; n <= 22; n++) {
      const s = n % 2 === 0 ? f : -f;
      const ca = s * (n - 1);
      const cb = -s * (n - 1) * (n - 3);
      ar += ca * pr;
      ai += ca * pi;
      br += cb * pr;
      bi += cb * pi;
      const nr = pr * xr - pi * xi;
      pi = pr * xi + pi * xr;
      pr = nr;
      f /= n + 1;
    }
    out[0] = ar;
    out[1] = ai;
    out[2] = br;
    out[3] = bi;
    return;
  }
  const e = Math.exp(-xr);
  const er = e * Math.cos(xi);
  const ei = -e * Math.sin(xi);
  // (1 + x) e^{-x}
  const ar = 1 + xr;
  out[0] = 1 - (ar * er - xi * ei);
  out[1] = -(ar * ei + xi * er);
  // (3 + 3x + x^2) e^{-x}
  const qr = 3 + 3 * xr + xr * xr - xi * xi;
  const qi = 3 * xi + 2 * xr * xi;
  out[2] = 3 - (qr * er - qi * ei);
  out[3] = -(qr * ei + qi * er);
}

const scratch = new Float64Array(4);

/**
 * sum_p c_p A(R_p) (which = 0) or sum_p c_p B(R_p) (which = 1) for the half-space wavenumber
 * k = kr + i ki; the closed forms in this file's header.
 */
export function halfSpaceSum(
  R: Float64Array,
  coef: Float64Array,
  kr: number,
  ki: number,
  which: 0 | 1,
  out: { re: number; im: number },
): void {
  if (kr === 0 && ki === 0) {
    // DC limit: A = 1/R, B = 1/R^2
    let s = 0;
    for (let p = 0; p < R.length; p++) s += which === 0 ? coef[p] / R[p] : coef[p] / (R[p] * R[p]);
    out.re = s;
    out.im = 0;
    return;
  }
  // 1/k^2
  const k2r = kr * kr - ki * ki;
  const k2i = 2 * kr * ki;
  const d = 1 / (k2r * k2r + k2i * k2i);
  const ik2r = k2r * d;
  const ik2i = -k2i * d;
  let sr = 0;
  let si = 0;
  for (let p = 0; p < R.length; p++) {
    const r = R[p];
    phiPsi(kr * r, ki * r, scratch);
    let vr: number;
    let vi: number;
    if (which === 0) {
      const g = (2 * coef[p]) / (r * r * r);
      vr = g * scratch[0];
      vi = g * scratch[1];
    } else {
      const g = (2 * coef[p]) / (r * r * r * r);
      vr = g * scratch[2];
      vi = g * scratch[3];
    }
    sr += vr * ik2r - vi * ik2i;
    si += vr * ik2i + vi * ik2r;
  }
  out.re = sr;
  out.im = si;
}

/** A(R) alone (for tests and notebooks): the half-space TE integral int (1 + D_1) J0(lR) dl. */
export function halfSpaceA(R: number, kr: number, ki: number): { re: number; im: number } {
  const o = { re: 0, im: 0 };
  halfSpaceSum(Float64Array.of(R), Float64Array.of(1), kr, ki, 0, o);
  return o;
}

/** B(R) alone: int l (1 + D_1) J1(lR) dl = -dA/dR. */
export function halfSpaceB(R: number, kr: number, ki: number): { re: number; im: number } {
  const o = { re: 0, im: 0 };
  halfSpaceSum(Float64Array.of(R), Float64Array.of(1), kr, ki, 1, o);
  return o;
}
