/**
 * The 1-D earth model: layers under non-conducting air, each with a Pelton Cole-Cole resistivity
 * (seed paper eq. 1), and its conductivity (Cole-Cole sigma) form.
 */
import { isObject, numberArray, show, ValidationError } from "./errors";

/**
 * Layered earth, the same keys and units as a reference case's `model`:
 * `thickness` (m, one fewer than the layers; empty for a half-space), per layer `rho0` (ohm-m),
 * chargeability `m` in [0, 1), time constant `tau` (s), exponent `c` in (0, 1].
 */
export interface EarthModel {
  thickness: number[];
  rho0: number[];
  m: number[];
  tau: number[];
  c: number[];
}

/**
 * The same earth in the conductivity (Cole-Cole sigma) form, per layer
 * `sigma(w) = sigmaInf + (sigma0 - sigmaInf) / (1 + (i w tauSigma)^c)` (S/m, s).
 */
export interface EarthModelSigma {
  thickness: number[];
  sigma0: number[];
  sigmaInf: number[];
  tauSigma: number[];
  c: number[];
}

/** A complex number as a plain pair. */
export interface Complex {
  re: number;
  im: number;
}

/**
 * Pelton Cole-Cole complex resistivity, seed paper eq. (1) (with the "1 -" the printed equation
 * drops; docs/METHODS.md, "Conventions and error metric of the TEM cases"): rho(w) = rho0 (1 - m
 * (1 - 1 / (1 + (i w tau)^c))),
 * for time dependence e^{+i w t}. m = 0 gives rho0 at every frequency.
 */
export function coleCole(rho0: number, m: number, tau: number, c: number, omega: number): Complex {
  if (m === 0 || omega === 0) return { re: rho0, im: 0 };
  // (i w tau)^c = (w tau)^c e^{i pi c / 2}
  const a = Math.pow(omega * tau, c);
  const xr = 1 + a * Math.cos((Math.PI * c) / 2);
  const xi = a * Math.sin((Math.PI * c) / 2);
  const d = xr * xr + xi * xi;
  // 1 / (1 + x) = (xr - i xi) / d
  return { re: rho0 * (1 - m + (m * xr) / d), im: (-rho0 * m * xi) / d };
}

/**
 * The Pelton Cole-Cole resistivity at a complex frequency p (p = i w on the real axis):
 * rho0 (1 - m (1 - 1 / (1 + (p tau)^c))), principal power. Used by the damped time transform.
 */
export function coleColeP(rho0: number, m: number, tau: number, c: number, pRe: number, pIm: number): Complex {
  if (m === 0 || (pRe === 0 && pIm === 0)) return { re: rho0, im: 0 };
  // (p tau)^c = |p tau|^c e^{i c arg p}
  const a = Math.pow(Math.hypot(pRe, pIm) * tau, c);
  const ph = c * Math.atan2(pIm, pRe);
  const xr = 1 + a * Math.cos(ph);
  const xi = a * Math.sin(ph);
  const d = xr * xr + xi * xi;
  return { re: rho0 * (1 - m + (m * xr) / d), im: (-rho0 * m * xi) / d };
}

/**
 * Cole-Cole conductivity, sigma(w) = sigmaInf + (sigma0 - sigmaInf) / (1 + (i w tauSigma)^c)
 * (the conductivity form of Tarasov & Titov 2013, "On the use of the Cole-Cole equations in
 * spectral induced polarization", Geophys. J. Int. 195).
 */
export function coleColeSigma(sigma0: number, sigmaInf: number, tauSigma: number, c: number, omega: number): Complex {
  if (omega === 0 || sigma0 === sigmaInf) return { re: omega === 0 ? sigma0 : sigmaInf, im: 0 };
  const a = Math.pow(omega * tauSigma, c);
  const xr = 1 + a * Math.cos((Math.PI * c) / 2);
  const xi = a * Math.sin((Math.PI * c) / 2);
  const d = xr * xr + xi * xi;
  const s = sigma0 - sigmaInf;
  return { re: sigmaInf + (s * xr) / d, im: (-s * xi) / d };
}

/**
 * Pelton (rho0, m, tau, c) -> sigma form: sigma0 = 1/rho0, sigmaInf = sigma0 / (1 - m),
 * tauSigma = tau (1 - m)^(1/c), same c. Exact: 1/rho(w) equals sigma(w) at every w
 * (1/rho = sigma0 (1 + x) / (1 + (1 - m) x) with x = (i w tau)^c, and (1 - m) x = (i w tauSigma)^c).
 */
export function peltonToSigma(
  rho0: number,
  m: number,
  tau: number,
  c: number,
): { sigma0: number; sigmaInf: number; tauSigma: number; c: number } {
  const sigma0 = 1 / rho0;
  return { sigma0, sigmaInf: sigma0 / (1 - m), tauSigma: tau * Math.pow(1 - m, 1 / c), c };
}

/** The inverse of peltonToSigma: rho0 = 1/sigma0, m = 1 - sigma0/sigmaInf, tau = tauSigma (1 - m)^(-1/c). */
export function sigmaToPelton(
  sigma0: number,
  sigmaInf: number,
  tauSigma: number,
  c: number,
): { rho0: number; m: number; tau: number; c: number } {
  const m = 1 - sigma0 / sigmaInf;
  return { rho0: 1 / sigma0, m, tau: tauSigma * Math.pow(1 - m, -1 / c), c };
}

/** Convert a whole model to the sigma form. */
export function modelToSigma(model: EarthModel): EarthModelSigma {
  const out: EarthModelSigma = { thickness: model.thickness.slice(), sigma0: [], sigmaInf: [], tauSigma: [], c: [] };
  for (let j = 0; j < model.rho0.length; j++) {
    const s = peltonToSigma(model.rho0[j], model.m[j], model.tau[j], model.c[j]);
    out.sigma0.push(s.sigma0);
    out.sigmaInf.push(s.sigmaInf);
    out.tauSigma.push(s.tauSigma);
    out.c.push(s.c);
  }
  return out;
}

/** Convert a sigma-form model to the Pelton form used by the engine. */
export function modelFromSigma(model: EarthModelSigma): EarthModel {
  const out: EarthModel = { thickness: model.thickness.slice(), rho0: [], m: [], tau: [], c: [] };
  for (let j = 0; j < model.sigma0.length; j++) {
    const p = sigmaToPelton(model.sigma0[j], model.sigmaInf[j], model.tauSigma[j], model.c[j]);
    out.rho0.push(p.rho0);
    out.m.push(p.m);
    out.tau.push(p.tau);
    out.c.push(p.c);
  }
  return out;
}

function layerCheck(arr: number[], name: string, ok: (v: number) => boolean, range: string, fix: string): void {
  arr.forEach((v, j) => {
    if (!ok(v))
      throw new ValidationError(
        `model.${name}[${j}]`,
        `layer ${j + 1} has ${name} = ${show(v)}; allowed ${range}. ${fix}`,
      );
  });
}

/**
 * Validate a model (Pelton keys `thickness, rho0, m, tau, c`, or the sigma form
 * `thickness, sigma0, sigmaInf, tauSigma, c`, converted) and return a typed copy.
 * Throws a ValidationError naming parameter, layer, value and allowed range.
 */
export function parseEarthModel(x: unknown): EarthModel {
  if (!isObject(x))
    throw new ValidationError("model", `expected an object {thickness, rho0, m, tau, c}, got ${show(x)}`);
  if ("sigma0" in x && !("rho0" in x)) {
    const s = parseSigmaModel(x);
    return modelFromSigma(s);
  }
  const [thickness, rho0, m, tau, c] = layerArrays(
    x,
    ["thickness", "rho0", "m", "tau", "c"],
    'a model needs thickness, rho0, m, tau, c (same keys as a reference case\'s "model")',
  );
  layerCheck(rho0, "rho0", (v) => v > 0, "> 0 ohm-m", "Resistivities are positive.");
  layerCheck(m, "m", (v) => v >= 0 && v < 1, "0 <= m < 1", "Use m = 0 for a non-polarisable layer.");
  layerCheck(
    tau,
    "tau",
    (v) => v > 0,
    "> 0 s",
    "The time constant is positive even when m = 0 (any value, e.g. 1e-3).",
  );
  layerCheck(c, "c", (v) => v > 0 && v <= 1, "0 < c <= 1", "The Cole-Cole exponent lies in (0, 1].");
  return { thickness, rho0, m, tau, c };
}

/**
 * The layer arrays named by keys (thickness first, then one value per layer), checked for
 * presence, finiteness, consistent lengths and positive thicknesses.
 */
function layerArrays(x: Record<string, unknown>, keys: string[], need: string): number[][] {
  for (const k of keys) if (x[k] === undefined) throw new ValidationError(`model.${k}`, `missing; ${need}`);
  const arrays = keys.map((k) => numberArray(x[k], `model.${k}`));
  const n = arrays[1].length;
  if (n < 1) throw new ValidationError(`model.${keys[1]}`, "needs at least one layer (a half-space)");
  keys.slice(2).forEach((k, i) => {
    if (arrays[i + 2].length !== n)
      throw new ValidationError(
        `model.${k}`,
        `has ${arrays[i + 2].length} entries but ${keys[1]} has ${n}; give one value per layer`,
      );
  });
  if (arrays[0].length !== n - 1) {
    throw new ValidationError(
      "model.thickness",
      `has ${arrays[0].length} entries for ${n} layers; it needs ${n - 1} (the last layer is a half-space)`,
    );
  }
  layerCheck(arrays[0], "thickness", (v) => v > 0, "> 0 m", "Merge or drop zero-thickness layers.");
  return arrays;
}

function parseSigmaModel(x: Record<string, unknown>): EarthModelSigma {
  const [thickness, sigma0, sigmaInf, tauSigma, c] = layerArrays(
    x,
    ["thickness", "sigma0", "sigmaInf", "tauSigma", "c"],
    "the sigma form needs thickness, sigma0, sigmaInf, tauSigma, c",
  );
  layerCheck(sigma0, "sigma0", (v) => v > 0, "> 0 S/m", "Conductivities are positive.");
  sigmaInf.forEach((v, j) => {
    if (!(v >= sigma0[j])) {
      throw new ValidationError(
        `model.sigmaInf[${j}]`,
        `layer ${j + 1} has sigmaInf = ${v} below sigma0 = ${sigma0[j]}; allowed sigmaInf >= sigma0 (chargeability m = 1 - sigma0/sigmaInf in [0, 1))`,
      );
    }
  });
  layerCheck(tauSigma, "tauSigma", (v) => v > 0, "> 0 s", "The time constant is positive.");
  layerCheck(c, "c", (v) => v > 0 && v <= 1, "0 < c <= 1", "The Cole-Cole exponent lies in (0, 1].");
  return { thickness, sigma0, sigmaInf, tauSigma, c };
}
