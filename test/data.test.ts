import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DataFileError, loadNpy, loadRankinSounding, manifest, parseNpy, toNpy, verifyAll } from "../src/data";
import { parseRankinCsv, REPO_ROOT } from "../src/data/internal";

function withDataDir<T>(dir: string, f: () => T): T {
  const old = process.env.GEOINV_DATA;
  process.env.GEOINV_DATA = dir;
  try {
    return f();
  } finally {
    if (old === undefined) delete process.env.GEOINV_DATA;
    else process.env.GEOINV_DATA = old;
  }
}

test("every bundled file matches the manifest", () => {
  assert.deepEqual(verifyAll(), []);
  assert.ok(Object.keys(manifest().files).length >= 40);
});

test("manifest hashes equal the sha256 listed in each SOURCE.md (originals' bytes kept)", () => {
  let checked = 0;
  for (const [rel, e] of Object.entries(manifest().files)) {
    const [folder, file] = rel.split("/");
    const src = fs.readFileSync(path.join(REPO_ROOT, "data", folder, "SOURCE.md"), "utf8");
    const line = src.split("\n").find((l) => l.includes(file) && /[0-9a-f]{64}/.test(l));
    if (line === undefined) continue;
    assert.ok(line.includes(e.sha256), `${rel}: SOURCE.md lists another sha256`);
    checked++;
  }
  assert.ok(checked >= 40, `only ${checked} files cross-checked`);
});

test("Marmousi-2 and Overthrust load with the documented shapes and ranges", () => {
  const ip = loadNpy("marmousi2/ip.npy");
  assert.deepEqual(ip.shape, [1701, 351]);
  let mn = Infinity,
    mx = -Infinity,
    s = 0;
  for (const v of ip.data) {
    mn = Math.min(mn, v);
    mx = Math.max(mx, v);
    s += v;
  }
  assert.ok(Math.abs(mn - 1515) < 1 && Math.abs(mx - 12346.9) < 0.1 && Math.abs(s / ip.data.length - 5828.39) < 0.01);
  assert.deepEqual(loadNpy("overthrust/ip.npy").shape, [801, 187]);
  assert.deepEqual(loadNpy("overthrust/seismic_ricker30_reskan.npy").shape, [801, 186]);
});

test("npy reader: v1/v2/v3 headers, f4/f8, C and Fortran order", () => {
  const c = Float64Array.from([1, 2, 3, 4, 5, 6]); // C order of [[1,2,3],[4,5,6]]
  for (const version of [1, 2, 3] as const) {
    const a = parseNpy(toNpy(c, [2, 3], { version }));
    assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
    assert.equal(a.dtype, "<f8");
  }
  // the same matrix stored column-major
  const f = Float32Array.from([1, 4, 2, 5, 3, 6]);
  const b = parseNpy(toNpy(f, [2, 3], { fortran: true }));
  assert.deepEqual(b.shape, [2, 3]);
  assert.deepEqual([...b.data], [1, 2, 3, 4, 5, 6]);
  assert.ok(b.data instanceof Float32Array);
});

test("npy reader rejects big-endian, object, other dtypes, truncated data and bad magic with named errors", () => {
  const good = toNpy(Float32Array.from([1, 2, 3]), [3]);
  const swap = (from: string, to: string) => {
    const s = Buffer.from(good).toString("latin1").replace(from, to);
    return Buffer.from(s, "latin1");
  };
  assert.throws(() => parseNpy(swap("'<f4'", "'>f4'"), "be.npy"), /be\.npy.*big-endian/);
  assert.throws(() => parseNpy(swap("'<f4'", "'|O4'"), "obj.npy"), /obj\.npy.*object dtype/);
  assert.throws(() => parseNpy(swap("'<f4'", "'<i4'"), "int.npy"), /int\.npy.*dtype <i4 is not supported/);
  assert.throws(
    () => parseNpy(good.subarray(0, good.length - 2), "short.npy"),
    (e: unknown) => e instanceof DataFileError && e.problem === "truncated" && /short\.npy/.test(e.message),
  );
  const bad = Uint8Array.from(good);
  bad[1] = 0;
  assert.throws(() => parseNpy(bad, "magic.npy"), /magic\.npy.*magic/);
});

test("missing and corrupt data files name the file, directory, problem and source", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-data-"));
  try {
    withDataDir(tmp, () => {
      assert.throws(
        () => loadNpy("marmousi2/ip.npy"),
        (e: unknown) => {
          const m = (e as Error).message;
          return (
            e instanceof DataFileError &&
            e.problem === "missing" &&
            m.includes("ip.npy") &&
            m.includes(tmp) &&
            m.includes("Marmousi-2")
          );
        },
      );
      fs.mkdirSync(path.join(tmp, "marmousi2"));
      const orig = fs.readFileSync(path.join(REPO_ROOT, "data", "marmousi2", "ip.npy"));
      const corrupt = Buffer.from(orig);
      corrupt[5000] ^= 0xff;
      fs.writeFileSync(path.join(tmp, "marmousi2", "ip.npy"), corrupt);
      assert.throws(
        () => loadNpy("marmousi2/ip.npy"),
        (e: unknown) => e instanceof DataFileError && e.problem === "checksum" && /sha256/.test((e as Error).message),
      );
      fs.writeFileSync(path.join(tmp, "marmousi2", "ip.npy"), orig.subarray(0, 1000));
      assert.throws(() => loadNpy("marmousi2/ip.npy"), /size 1000 bytes/);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("Rankin Inlet CSV: six blocks of 20 gates, V and noise in mV/(A m2)", () => {
  const s = loadRankinSounding(1);
  assert.equal(s.blocks.length, 6);
  assert.deepEqual(
    s.blocks.map((b) => b.baseFrequency),
    [285, 75, 30, 30, 7.5, 3],
  );
  const b = s.blocks[0];
  assert.equal(b.time.length, 20);
  assert.equal(b.time[0], 6.813e-6);
  assert.equal(b.v[0], 0.4739);
  assert.equal(b.noise[0], 7.9e-4);
  // V = Vsys / (I * NA * 52.08 * 2^Gain), the PROTEM normalisation stated in SOURCE.md
  assert.ok(Math.abs(b.vsys[0] / (b.current * b.receiverArea * 52.08 * 2 ** b.gain[0]) / b.v[0] - 1) < 2e-3);
  assert.throws(() => loadRankinSounding(23), /site: must be an integer 1\.\.22/);
  assert.throws(() => parseRankinCsv("a,b\n1,2\n", "x.csv"), /x\.csv: header/);
  const hdr = "TEM,f (Hz),I (A),NA (m2),Gain,Gate,Vsys (mV),N (%),Time (s),V (mV/Am2),b (mV/Am2),N (mV/Am2)";
  assert.throws(
    () => parseRankinCsv(`${hdr}\n47,285,3,31.42,2,1,9306,0.17,abc,0.47,5e-7,7.9e-4\n`, "y.csv"),
    /y\.csv.*Time \(s\).*'abc'/,
  );
});

test("Volve: well log, line and cube crop with their documented shapes and axes", async () => {
  const { loadVolve } = await import("../src/data");
  const v = loadVolve();
  assert.equal(v.well.timeMs.length, 381);
  assert.equal(v.well.dtMs, 1);
  assert.equal(v.well.timeMs[0], 2340);
  assert.ok(Math.abs(v.well.ip.reduce((a, b) => a + b, 0) / 381 - 9.69223) < 1e-3);
  assert.equal(v.section.traces.length, 145);
  assert.equal(v.section.traces[0].length, 39);
  assert.equal(v.section.dtMs, 4);
  assert.equal(v.cube.traces.length, 1533);
  assert.equal(v.cube.nInline, 21);
  assert.equal(v.cube.nXline, 73);
  // crossline fastest: the first 73 traces share one inline
  assert.equal(new Set(v.cube.inline.subarray(0, 73)).size, 1);
  assert.equal(v.wavelets.statistical1ms.t.length, 129);
});
