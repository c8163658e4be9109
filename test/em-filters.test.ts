/**
 * The bundled DLF filters (byte-identical to the published files, checked by sha256, and right on
 * closed-form transform pairs), Gauss-Legendre quadrature, the Lagrange stencils and the
 * half-space closed forms of the wavenumber integrals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { FOURIER_FILTERS, HANKEL_FILTERS, ValidationError } from "../src/em";
import { fourierFilter, gaussLegendre, hankelFilter, parseDlfText } from "../src/em/internal";
import { halfSpaceA, halfSpaceB } from "../src/em/halfspace";
import { lagrangeStencil } from "../src/em/quadrature";
import { manifest, sha256 } from "../src/data";

const REPO = path.join(__dirname, "..");
const SHARED_DLF = path.join(REPO, "..", "shared", "data", "dlf");

test("bundled filter files match data/MANIFEST.json, data/dlf/SOURCE.md and (when present) the shared originals", () => {
  const files = fs.readdirSync(path.join(REPO, "data", "dlf")).filter((f) => f.endsWith(".txt") || f === "LICENSE");
  assert.ok(files.length >= 5);
  const src = fs.readFileSync(path.join(REPO, "data", "dlf", "SOURCE.md"), "utf8");
  for (const f of files) {
    const buf = fs.readFileSync(path.join(REPO, "data", "dlf", f));
    const e = manifest().files[`dlf/${f}`];
    assert.ok(e, `dlf/${f} not in the manifest`);
    assert.equal(sha256(buf), e.sha256, f);
    assert.ok(src.includes(e.sha256), `SOURCE.md lacks the sha256 of ${f}`);
    const shared = path.join(SHARED_DLF, f);
    if (fs.existsSync(shared)) assert.equal(sha256(fs.readFileSync(shared)), e.sha256, `${f} differs from ${shared}`);
  }
  assert.ok(manifest().sources.dlf.includes("libdlf"));
});

test("filter abscissae are log-uniform (the lagged and shifted-grid schemes rely on it)", () => {
  for (const b of [
    ...HANKEL_FILTERS.map((n) => hankelFilter(n).base),
    ...FOURIER_FILTERS.map((n) => fourierFilter(n).base),
  ]) {
    const d = Math.log(b[b.length - 1] / b[0]) / (b.length - 1);
    for (let i = 1; i < b.length; i++) assert.ok(Math.abs(Math.log(b[i] / b[i - 1]) - d) < 1e-9 * Math.max(1, d));
  }
});

test("Hankel filters on closed-form pairs: int l e^{-l^2} J0(lr) dl = e^{-r^2/4}/2, int l^2 e^{-l^2} J1(lr) dl = (r/4) e^{-r^2/4}", () => {
  const tol: Record<string, number> = {
    key_51_2012: 1e-4,
    key_101_2009: 1e-6,
    key_201_2009: 1e-12,
    wer_201_2018: 1e-12,
  };
  for (const n of HANKEL_FILTERS) {
    const f = hankelFilter(n);
    for (const r of [0.1, 0.5, 1, 2, 3]) {
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < f.base.length; i++) {
        const l = f.base[i] / r;
        s0 += l * Math.exp(-l * l) * f.j0[i];
        s1 += l * l * Math.exp(-l * l) * f.j1[i];
      }
      assert.ok(Math.abs(s0 / r - Math.exp((-r * r) / 4) / 2) < tol[n], `${n} J0 r=${r}`);
      assert.ok(Math.abs(s1 / r - (r / 4) * Math.exp((-r * r) / 4)) < tol[n], `${n} J1 r=${r}`);
    }
  }
});

test("Fourier filters on closed-form pairs: int e^{-w} cos(wt) dw = 1/(1+t^2), int e^{-w} sin(wt) dw = t/(1+t^2)", () => {
  for (const n of FOURIER_FILTERS) {
    const f = fourierFilter(n);
    for (const t of [0.1, 0.5, 1, 2, 5]) {
      let c = 0;
      let s = 0;
      for (let i = 0; i < f.base.length; i++) {
        const w = f.base[i] / t;
        c += Math.exp(-w) * f.cos[i];
        s += Math.exp(-w) * f.sin[i];
      }
      assert.ok(Math.abs(c / t - 1 / (1 + t * t)) < 1e-6, `${n} cos t=${t}`);
      assert.ok(Math.abs(s / t - t / (1 + t * t)) < 1e-6, `${n} sin t=${t}`);
    }
  }
});

test("parseDlfText rejects malformed rows", () => {
  assert.throws(() => parseDlfText("# c\n1 2 3\n4 5\n", 3, "bad"), /does not have 3 finite numbers/);
  assert.throws(() => parseDlfText("# only comments\n", 3, "empty"), /no coefficient rows/);
});

test("Gauss-Legendre: known 3-point rule, exact on polynomials up to degree 2n-1", () => {
  const g3 = gaussLegendre(3);
  assert.ok(
    Math.abs(g3.x[2] - Math.sqrt(3 / 5)) < 1e-15 &&
      Math.abs(g3.w[1] - 8 / 9) < 1e-15 &&
      Math.abs(g3.w[0] - 5 / 9) < 1e-15,
  );
  for (const n of [1, 2, 5, 12, 41]) {
    const g = gaussLegendre(n);
    for (let d = 0; d < 2 * n; d++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += g.w[i] * Math.pow(g.x[i], d);
      const exact = d % 2 === 1 ? 0 : 2 / (d + 1);
      assert.ok(Math.abs(s - exact) < 1e-13, `n=${n} degree ${d}`);
    }
  }
  assert.throws(
    () => gaussLegendre(0),
    (e: unknown) => e instanceof ValidationError && e.field === "quadPoints" && /1\.\.1000/.test(e.message),
  );
});

test("Lagrange stencils reproduce polynomials of their degree", () => {
  for (const m of [4, 6, 8]) {
    const w = new Float64Array(m);
    for (const u of [0.37, 2.5, 9.99]) {
      const k0 = lagrangeStencil(u, 0, 0.5, 24, m, w);
      let v = 0;
      for (let j = 0; j < m; j++) v += w[j] * Math.pow(0.5 * (k0 + j), m - 1);
      assert.ok(Math.abs(v - Math.pow(u, m - 1)) < 1e-9 * Math.pow(u, m - 1) + 1e-9, `m=${m} u=${u}`);
    }
  }
});

test("half-space closed forms: A(R) -> 1/R and B(R) -> 1/R^2 for k -> 0, and B = -dA/dR", () => {
  // A = 1/R - (2/3) k + O(k^2 R): relative correction (2/3) k R
  const a = halfSpaceA(100, 1e-9, 1e-9);
  assert.ok(Math.abs(a.re * 100 - 1 + (2 / 3) * 1e-7) < 1e-12 && Math.abs(a.im * 100 + (2 / 3) * 1e-7) < 1e-12);
  const b = halfSpaceB(100, 1e-9, 1e-9);
  assert.ok(Math.abs(b.re * 1e4 - 1) < 1e-12);
  // the two branches (series below |kR| = 0.5, direct above) agree across the switch and B = -dA/dR
  for (const [kr, ki] of [
    [0.003, 0.002],
    [0.0049, 0.0],
    [0.02, 0.015],
    [0.1, 0.1],
  ]) {
    for (const R of [50, 100.5, 300]) {
      const h = 1e-3;
      const ap = halfSpaceA(R + h, kr, ki);
      const am = halfSpaceA(R - h, kr, ki);
      const bb = halfSpaceB(R, kr, ki);
      const dre = -(ap.re - am.re) / (2 * h);
      const dim = -(ap.im - am.im) / (2 * h);
      assert.ok(Math.hypot(dre - bb.re, dim - bb.im) < 1e-6 * Math.hypot(bb.re, bb.im), `k=${kr}+${ki}i R=${R}`);
    }
  }
});
