/**
 * Wavenumber-domain responses of a layered earth under non-conducting air, quasi-static, for
 * sources and receivers on the surface z = 0, time dependence e^{+i w t}.
 *
 * Per layer j (conductivity sigma_j(w) = 1 / rho_j(w), thickness h_j) the vertical wavenumber is
 * u_j = sqrt(l^2 + i w mu0 sigma_j) (Re u_j > 0). Looking down from the surface, the TE mode sees
 * the admittance-like wavenumber Y_1 and the TM mode the impedance Z_1 of the layer stack
 * (transmission-line recursion, Ward & Hohmann 1988, "Electromagnetic theory for geophysical
 * applications", eqs. 4.63-4.66 written for the surface):
 *
 *   Y_N = u_N,          Y_j = u_j (Y_{j+1} + u_j tanh(u_j h_j)) / (u_j + Y_{j+1} tanh(u_j h_j))
 *   Z_N = u_N rho_N,    Z_j = z_j (Z_{j+1} + z_j tanh(u_j h_j)) / (z_j + Z_{j+1} tanh(u_j h_j)), z_j = u_j rho_j
 *
 * The air above is a TE admittance l and an open circuit for TM (no displacement currents). A
 * horizontal surface current sheet J then produces, at the surface, the horizontal field
 * E(k) = -Z_TE J_perp - Z_TM J_par, with Z_TE = i w mu0 / (l + Y_1) and Z_TM = Z_1
 * (J_par: the part of J along the horizontal wavenumber vector). The engine uses two scalar
 * kernels built from them, each without the part that has a closed-form transform (added back
 * in halfspace.ts and plan.ts):
 *
 *   D(l)   = (l - Y_1) / (l + Y_1)                  TE "reflection" term; D_1(l) = (l - u_1) / (l + u_1)
 *                                                   is the same for a half-space of layer 1
 *   K_B(l) = Z_1 - i w mu0 / (l + Y_1) - rho_1 l    galvanic (TM - TE) term, ~ l^-3, 0 for a half-space
 *
 * Here Z_TE = i w mu0 (1 + D) / (2 l) and Z_TM - Z_TE = K_B + rho_1 l. The Hankel transforms of
 * 1 + D_1 are the closed-form half-space fields; only D - D_1 (which vanishes for l -> 0, for
 * l -> inf and for a half-space) and K_B go through the DLF.
 */

/** Magnetic permeability of free space (H/m), the value used throughout (mu = mu0 everywhere). */
export const MU0 = 4e-7 * Math.PI;

/**
 * Per-frequency layer properties at the complex frequency p (p = i w on the real-frequency axis,
 * p = eps + i w for the damped transform of plan.ts): complex resistivity rho_j(p), the squared
 * wavenumber a_j = p mu0 sigma_j(p), and the thicknesses.
 */
export interface LayerState {
  n: number;
  rhoRe: Float64Array;
  rhoIm: Float64Array;
  aRe: Float64Array;
  aIm: Float64Array;
  h: Float64Array;
}

export function newLayerState(n: number): LayerState {
  return {
    n,
    rhoRe: new Float64Array(n),
    rhoIm: new Float64Array(n),
    aRe: new Float64Array(n),
    aIm: new Float64Array(n),
    h: new Float64Array(Math.max(n - 1, 0)),
  };
}

/** Output sums of one frequency: SD = sum_k pd_k (D - D_1)(l_k), SB = sum_k pb_k K_B(l_k). */
export interface KernelSums {
  sdRe: number;
  sdIm: number;
  sbRe: number;
  sbIm: number;
}

/**
 * Principal square root (Re >= 0) of ar + i ai into out. (The kernel loops inline the same lines:
 * they run tens of thousands of times per transient.)
 */
export function csqrt(ar: number, ai: number, out: { re: number; im: number }): void {
  const mod = Math.sqrt(ar * ar + ai * ai);
  if (ar >= 0) {
    out.re = Math.sqrt(0.5 * (mod + ar));
    out.im = out.re > 0 ? ai / (2 * out.re) : 0;
  } else {
    out.im = Math.sqrt(0.5 * (mod - ar));
    if (ai < 0) out.im = -out.im;
    out.re = ai / (2 * out.im);
  }
}

/** Attenuation e^{-x} below which deeper layers are invisible (e^-30 ~ 1e-13). */
const SCREEN = 30;

/** Scratch storage for the vertical wavenumbers of one wavenumber (grown on demand). */
let uRe = new Float64Array(64);
let uIm = new Float64Array(64);

/**
 * Evaluate the layered-earth kernels D(l) - D_1(l) and K_B(l) at every wavenumber l_k of a grid
 * for one complex frequency p (pmRe + i pmIm = p mu0; the layers' a_j = p mu0 sigma_j in L), and
 * contract them at once with the survey's wavenumber weights (pd for D, pb for K_B; pb may be
 * null when the survey has no galvanic part, which skips the TM recursion). Implements the
 * recursions in this file's header; one shared kernel per frequency serves every quadrature
 * point of the source and receiver.
 *
 * Screening: going down, once the accumulated attenuation sum 2 Re(u_j) h_j exceeds SCREEN the
 * layers below cannot be seen (their reflection is below e^-SCREEN) and the recursion starts
 * there with a half-space. When layer 1 alone screens (large l: Re u_1 grows with l), D = D_1
 * and K_B = 0 exactly, for this and every larger l, and the loop stops.
 */
export function layeredKernelSums(
  lambda: Float64Array,
  k0: number,
  k1: number,
  pmRe: number,
  pmIm: number,
  L: LayerState,
  pd: Float64Array,
  pb: Float64Array | null,
  out: KernelSums,
): void {
  const n = L.n;
  const aRe = L.aRe;
  const aIm = L.aIm;
  const rhoRe = L.rhoRe;
  const rhoIm = L.rhoIm;
  const h = L.h;
  const tm = pb !== null;
  if (uRe.length < n) {
    uRe = new Float64Array(2 * n);
    uIm = new Float64Array(2 * n);
  }
  const ur_ = uRe;
  const ui_ = uIm;
  let sdRe = 0;
  let sdIm = 0;
  let sbRe = 0;
  let sbIm = 0;
  for (let k = k0; k < k1; k++) {
    const l = lambda[k];
    const l2 = l * l;
    // vertical wavenumbers from the top, until the layers below are screened
    let bottom = n - 1;
    let att = 0;
    for (let j = 0; j < n; j++) {
      const ar = l2 + aRe[j];
      const ai = aIm[j];
      const mod = Math.sqrt(ar * ar + ai * ai);
      let ur: number;
      let ui: number;
      if (ar >= 0) {
        ur = Math.sqrt(0.5 * (mod + ar));
        ui = ur > 0 ? ai / (2 * ur) : 0;
      } else {
        ui = Math.sqrt(0.5 * (mod - ar));
        if (ai < 0) ui = -ui;
        ur = ai / (2 * ui);
      }
      ur_[j] = ur;
      ui_[j] = ui;
      if (j < n - 1) {
        att += 2 * ur * h[j];
        if (att > SCREEN) {
          bottom = j;
          break;
        }
      }
    }
    if (bottom === 0) break; // D = D_1, K_B = 0 here and beyond
    let yr = ur_[bottom];
    let yi = ui_[bottom];
    let zr = 0;
    let zi = 0;
    if (tm) {
      zr = yr * rhoRe[bottom] - yi * rhoIm[bottom];
      zi = yr * rhoIm[bottom] + yi * rhoRe[bottom];
    }
    let ur = yr;
    let ui = yi;
    for (let j = bottom - 1; j >= 0; j--) {
      ur = ur_[j];
      ui = ui_[j];
      // tanh(u h) = (1 - e) / (1 + e), e = exp(-2 u h)
      const x = 2 * ur * h[j];
      const ea = Math.exp(-x);
      const ph = 2 * ui * h[j];
      const er = ea * Math.cos(ph);
      const ei = -ea * Math.sin(ph);
      const dr = 1 + er;
      const di = ei;
      let dd = 1 / (dr * dr + di * di);
      const nr = 1 - er;
      const ni = -ei;
      const thr = (nr * dr + ni * di) * dd;
      const thi = (ni * dr - nr * di) * dd;
      // Y = u (Y + u th) / (u + Y th)
      let numr = yr + ur * thr - ui * thi;
      let numi = yi + ur * thi + ui * thr;
      let denr = ur + yr * thr - yi * thi;
      let deni = ui + yr * thi + yi * thr;
      dd = 1 / (denr * denr + deni * deni);
      let fr = (numr * denr + numi * deni) * dd;
      let fi = (numi * denr - numr * deni) * dd;
      yr = ur * fr - ui * fi;
      yi = ur * fi + ui * fr;
      if (tm) {
        // z_j = u rho_j; Z = z (Z + z th) / (z + Z th)
        const cr = ur * rhoRe[j] - ui * rhoIm[j];
        const ci = ur * rhoIm[j] + ui * rhoRe[j];
        numr = zr + cr * thr - ci * thi;
        numi = zi + cr * thi + ci * thr;
        denr = cr + zr * thr - zi * thi;
        deni = ci + zr * thi + zi * thr;
        dd = 1 / (denr * denr + deni * deni);
        fr = (numr * denr + numi * deni) * dd;
        fi = (numi * denr - numr * deni) * dd;
        zr = cr * fr - ci * fi;
        zi = cr * fi + ci * fr;
      }
    }
    // D - D_1 = (l - Y) / (l + Y) - (l - u_1) / (l + u_1) = 2 l (u_1 - Y) / ((l + Y)(l + u_1))
    const sr = l + yr;
    const s1r = l + ur;
    const pr2 = sr * s1r - yi * ui;
    const pi2 = sr * ui + yi * s1r;
    const dq = (2 * l) / (pr2 * pr2 + pi2 * pi2);
    const mr = ur - yr;
    const mi = ui - yi;
    const w = pd[k];
    sdRe += w * (mr * pr2 + mi * pi2) * dq;
    sdIm += w * (mi * pr2 - mr * pi2) * dq;
    if (tm) {
      // K_B = Z - p mu0 / (l + Y) - rho_1 l ; 1/(l+Y) = (sr - i yi) / |l + Y|^2
      const inv = 1 / (sr * sr + yi * yi);
      const ter = (pmRe * sr + pmIm * yi) * inv;
      const tei = (pmIm * sr - pmRe * yi) * inv;
      const v = (pb as Float64Array)[k];
      sbRe += v * (zr - ter - rhoRe[0] * l);
      sbIm += v * (zi - tei - rhoIm[0] * l);
    }
  }
  out.sdRe = sdRe;
  out.sdIm = sdIm;
  out.sbRe = sbRe;
  out.sbIm = sbIm;
}

/**
 * The electric-field kernels for a source and receiver buried at the same depth z in layer 1
 * (0 < z < h_1; the reference code's convention puts electric sources and receivers at 1 mm).
 * Seen from the current sheet at depth z, the TE mode has the admittances
 *   Y_up   = u_1 (l + u_1 tanh(u_1 z)) / (u_1 + l tanh(u_1 z))   (layer 1 above, then air)
 *   Y_down = the recursion of the header with layer 1 shortened to h_1 - z
 * and the TM mode the impedances Z_up = z_1 coth(u_1 z) (open circuit above) and Z_down alike, so
 *   Z_TE = p mu0 / (Y_up + Y_down),   Z_TM = z_1 Z_down / (z_1 + Z_down tanh(u_1 z)).
 * With 1 + D~ = 2 l / (Y_up + Y_down) the sums are those of layeredKernelSums with
 *   D~ - D_1  and  K_B = Z_TM - Z_TE - rho_1 l (1 + e^{-2 l z}) / 2,
 * the last term being the DC half-space TM kernel at depth z (closed form: image source at 2z).
 * For z -> 0 both reduce to layeredKernelSums. (The stack recursion repeats layeredKernelSums's
 * lines without its screening: this variant serves the few frequencies of a `freq` output.)
 *
 * The TE and TM steps (X <- c (X + c th) / (c + X th), here and in layeredKernelSums) stay written
 * out on purpose. A shared step function gave bit-identical numbers and V8 inlined it, but
 * handing back its complex result through an object (out.re, out.im) cost 1.24-1.46x the CPU
 * time per transient (geometric mean 1.35x) on five layered reference cases with both presets;
 * with Y and Z kept in module objects, 1.38-1.60x. Measured 2026-12-03, load average 6-8 on the
 * 2 cores: both kernels loaded in one process, 12 alternating batches, the best of each (on a
 * half-space case, which never reaches this file, the same method read 0.92-1.12: its bias).
 * `npx tsx bench/em.ts --repeat 7`, 4 runs alternating between two copies of the tree, best per
 * row: 1.51x (geometric mean over its 41 rows) for the module-object version.
 */
export function layeredKernelSumsBuried(
  lambda: Float64Array,
  k0: number,
  k1: number,
  pmRe: number,
  pmIm: number,
  L: LayerState,
  z: number,
  pd: Float64Array,
  pb: Float64Array | null,
  out: KernelSums,
): void {
  const n = L.n;
  const aRe = L.aRe;
  const aIm = L.aIm;
  const rhoRe = L.rhoRe;
  const rhoIm = L.rhoIm;
  const h = L.h;
  const tm = pb !== null;
  let sdRe = 0;
  let sdIm = 0;
  let sbRe = 0;
  let sbIm = 0;
  const last = n - 1;
  // complex helpers on locals
  let ur = 0;
  let ui = 0;
  const q = { re: 0, im: 0 };
  const sqrtA = (ar: number, ai: number) => {
    csqrt(ar, ai, q);
    ur = q.re;
    ui = q.im;
  };
  // tanh(u d) -> thr, thi (accurate for small |u d| through expm1)
  let thr = 0;
  let thi = 0;
  const tanhUD = (d: number) => {
    const x = 2 * ur * d;
    if (x >= 700) {
      thr = 1;
      thi = 0;
      return;
    }
    const b = 2 * ui * d;
    // e = exp(-x - i b); 1 - e = -expm1(-x) cos b + 2 sin^2(b/2) + i e^{-x} sin b
    const em = Math.expm1(-x);
    const ea = em + 1;
    const sb2 = Math.sin(b / 2);
    const nr = -em * Math.cos(b) + 2 * sb2 * sb2;
    const ni = ea * Math.sin(b);
    const dr = 2 - nr;
    const di = -ni;
    const dd = 1 / (dr * dr + di * di);
    thr = (nr * dr + ni * di) * dd;
    thi = (ni * dr - nr * di) * dd;
  };
  for (let k = k0; k < k1; k++) {
    const l = lambda[k];
    const l2 = l * l;
    sqrtA(l2 + aRe[last], aIm[last]);
    let yr = ur;
    let yi = ui;
    let zr = ur * rhoRe[last] - ui * rhoIm[last];
    let zi = ur * rhoIm[last] + ui * rhoRe[last];
    for (let j = last - 1; j >= 0; j--) {
      sqrtA(l2 + aRe[j], aIm[j]);
      tanhUD(j === 0 ? h[0] - z : h[j]);
      // Y = u (Y + u th) / (u + Y th)
      let numr = yr + ur * thr - ui * thi;
      let numi = yi + ur * thi + ui * thr;
      let denr = ur + yr * thr - yi * thi;
      let deni = ui + yr * thi + yi * thr;
      let dd = 1 / (denr * denr + deni * deni);
      let fr = (numr * denr + numi * deni) * dd;
      let fi = (numi * denr - numr * deni) * dd;
      yr = ur * fr - ui * fi;
      yi = ur * fi + ui * fr;
      if (tm) {
        const cr = ur * rhoRe[j] - ui * rhoIm[j];
        const ci = ur * rhoIm[j] + ui * rhoRe[j];
        numr = zr + cr * thr - ci * thi;
        numi = zi + cr * thi + ci * thr;
        denr = cr + zr * thr - zi * thi;
        deni = ci + zr * thi + zi * thr;
        dd = 1 / (denr * denr + deni * deni);
        fr = (numr * denr + numi * deni) * dd;
        fi = (numi * denr - numr * deni) * dd;
        zr = cr * fr - ci * fi;
        zi = cr * fi + ci * fr;
      }
    }
    // (a half-space keeps Y_down = u_1, Z_down = z_1 from above) layer 1: u_1 in ur, ui; tanh(u_1 z)
    tanhUD(z);
    // Y_up = u (l + u th) / (u + l th)
    let numr = l + ur * thr - ui * thi;
    let numi = ur * thi + ui * thr;
    let denr = ur + l * thr;
    let deni = ui + l * thi;
    let dd = 1 / (denr * denr + deni * deni);
    const fr = (numr * denr + numi * deni) * dd;
    const fi = (numi * denr - numr * deni) * dd;
    const yur = ur * fr - ui * fi;
    const yui = ur * fi + ui * fr;
    // S = Y_up + Y_down; D~ - D_1 = 2 l (l + u_1 - S) / (S (l + u_1))
    const sr = yur + yr;
    const si = yui + yi;
    const qr = sr * (l + ur) - si * ui;
    const qi = sr * ui + si * (l + ur);
    const mr = l + ur - sr;
    const mi = ui - si;
    dd = (2 * l) / (qr * qr + qi * qi);
    const dRe = (mr * qr + mi * qi) * dd;
    const dIm = (mi * qr - mr * qi) * dd;
    const w = pd[k];
    sdRe += w * dRe;
    sdIm += w * dIm;
    if (tm) {
      // Z_TM = z_1 Z_down / (z_1 + Z_down th)
      const cr = ur * rhoRe[0] - ui * rhoIm[0];
      const ci = ur * rhoIm[0] + ui * rhoRe[0];
      numr = cr * zr - ci * zi;
      numi = cr * zi + ci * zr;
      denr = cr + zr * thr - zi * thi;
      deni = ci + zr * thi + zi * thr;
      dd = 1 / (denr * denr + deni * deni);
      const ztr = (numr * denr + numi * deni) * dd;
      const zti = (numi * denr - numr * deni) * dd;
      // Z_TE = p mu0 / S
      dd = 1 / (sr * sr + si * si);
      const ter = (pmRe * sr + pmIm * si) * dd;
      const tei = (pmIm * sr - pmRe * si) * dd;
      const g = 0.5 * l * (1 + Math.exp(-2 * l * z));
      const v = (pb as Float64Array)[k];
      sbRe += v * (ztr - ter - rhoRe[0] * g);
      sbIm += v * (zti - tei - rhoIm[0] * g);
    }
  }
  out.sdRe = sdRe;
  out.sdIm = sdIm;
  out.sbRe = sbRe;
  out.sbIm = sbIm;
}
