import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  assertFinite,
  atomicWriteDir,
  atomicWriteFile,
  boolean,
  checkKeys,
  checkOutputDir,
  checkOutputFile,
  FileError,
  finite,
  finiteArray,
  integerInRange,
  numberInRange,
  object,
  oneOf,
  OutputDir,
  parseNumberList,
  resultJson,
  stripBom,
  ValidationError,
  NonFiniteError,
} from "../src/core";
import { didYouMean, editDistance } from "../src/core/internal";
import { ValidationError as EmVE } from "../src/em";
import { ValidationError as InvVE } from "../src/inversion";
import { ValidationError as OptVE } from "../src/optim";
import { ValidationError as SeisVE } from "../src/seismic";
import { DataFileError } from "../src/data";

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-core-"));
}

test("one ValidationError: every domain re-exports the core class; message is 'field: detail'", () => {
  for (const C of [EmVE, InvVE, OptVE, SeisVE]) assert.equal(C, ValidationError);
  const e = new ValidationError("optimizer.c", "must be in [0, 1]");
  assert.equal(e.message, "optimizer.c: must be in [0, 1]");
  assert.equal(e.field, "optimizer.c");
  assert.equal(e.detail, "must be in [0, 1]");
  assert.equal(e.name, "ValidationError");
  // the older single-string form splits a leading field path
  const old = new ValidationError("c: must be a number in [0, 1], got 2");
  assert.equal(old.field, "c");
  assert.equal(old.under("optimizer").message, "optimizer.c: must be a number in [0, 1], got 2");
  const plain = new ValidationError("shape mismatch: seismic is (3, 4) but impedance is (3, 5)");
  assert.equal(plain.field, "");
  assert.equal(
    new ValidationError("receiver.points", "bad").under("surveys[0]").message,
    "surveys[0].receiver.points: bad",
  );
  assert.ok(new DataFileError("f", "missing", "no such file") instanceof FileError);
  assert.ok(new NonFiniteError("s", "x", NaN, "") instanceof ValidationError);
});

test("primitives: no coercion, ranges, integers, booleans, choices, arrays", () => {
  assert.equal(finite(2.5, "a"), 2.5);
  for (const bad of ["3", NaN, Infinity, null, undefined, [1], {}])
    assert.throws(() => finite(bad, "a.b"), /^ValidationError: a\.b: expected a finite number/);
  assert.equal(numberInRange(0.5, "p", 0, 1), 0.5);
  assert.throws(() => numberInRange(0, "p", 0, 1, { loOpen: true }), /p: 0 is out of range; allowed \(0, 1\]/);
  assert.throws(() => numberInRange(1.5, "p", 0, 1), /allowed \[0, 1\]/);
  assert.equal(integerInRange(3, "n", 2), 3);
  assert.throws(() => integerInRange(2.5, "occam.layers", 2), /occam\.layers: expected an integer >= 2, got 2\.5/);
  assert.throws(() => integerInRange(-1, "occam.max_iterations", 1), /-1 is out of range/);
  assert.equal(boolean(false, "x"), false);
  for (const bad of ["false", "true", 0, 1, null])
    assert.throws(() => boolean(bad, "regularisation.adaptive"), /regularisation\.adaptive: expected true or false/);
  assert.equal(oneOf("single", "workflow", ["single", "two-step"]), "single");
  assert.throws(() => oneOf("two_step", "workflow", ["single", "two-step"]), /did you mean 'two-step'\?/);
  assert.deepEqual(finiteArray([1, 2], "t"), [1, 2]);
  assert.throws(() => finiteArray([1, "2"], "times"), /times\[1\]: expected a finite number, got "2"/);
  assert.throws(() => finiteArray([], "times", { minLength: 1 }), /has 0 values/);
  assert.equal(stripBom("\ufeff{}"), "{}");
  assert.equal(stripBom("{}"), "{}");
});

test("strict keys with did-you-mean for near misses only", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(didYouMean("tims", ["times", "frequencies", "model"]), "times");
  assert.equal(didYouMean("lamda0", ["lambda0", "adaptive"]), "lambda0");
  assert.equal(didYouMean("NP", ["np", "seed"]), "np");
  assert.equal(didYouMean("bound-rule", ["bound_rule"]), "bound_rule");
  assert.equal(didYouMean("zzzzzz", ["times", "model"]), undefined);
  assert.throws(
    () => checkKeys({ tims: [] }, "", ["times", "model"]),
    /^ValidationError: tims: unknown key; did you mean 'times'\? Allowed in the config: times, model/,
  );
  assert.throws(
    () => object({ lamda0: 1 }, "regularisation", ["lambda0", "adaptive"]),
    /regularisation\.lamda0: unknown key; did you mean 'lambda0'\?/,
  );
  assert.throws(
    () => object({ qqqqqq: 1 }, "synthetic", ["relative", "floor"]),
    (e: Error) => !/did you mean/.test(e.message) && /synthetic\.qqqqqq: unknown key\./.test(e.message),
  );
  assert.throws(() => object([1], "model", ["rho0"]), /model: expected an object/);
});

test("strict number lists: empty items and junk are rejected naming the flag", () => {
  assert.deepEqual(parseNumberList("80,240, 400", "--wells", { integer: true, min: 0 }), [80, 240, 400]);
  for (const bad of ["80,,240", "80,240,", ",80", "80,x", "80,1e999", "80,2.5", "80,-1", " "]) {
    assert.throws(() => parseNumberList(bad, "--wells", { integer: true, min: 0 }), /^ValidationError: --wells: /, bad);
  }
});

test("assertFinite names the stage and the path of the first non-finite value", () => {
  const ok = { a: [1, 2], b: { c: Float64Array.from([3]) }, d: null, e: "x" };
  assert.equal(assertFinite(ok, "stage"), ok);
  assert.throws(
    () => assertFinite({ outputs: { time_off: [1, NaN] } }, "tem forward outputs", "huge coordinates?"),
    (e: Error) =>
      e instanceof NonFiniteError &&
      /tem forward outputs: outputs\.time_off\[1\] is NaN; huge coordinates\?/.test(e.message),
  );
  assert.throws(() => assertFinite({ misfit: { objective: Infinity } }, "tem invert"), /misfit\.objective is Infinity/);
  assert.throws(() => assertFinite([Float32Array.from([1, -Infinity])], "pred"), /\[0\]\[1\] is -Infinity/);
  // a documented exemption is written as null, nothing else is
  assert.equal(
    resultJson({ labelled_mean: { pcc: NaN }, x: 1 }, "m", "", 0, (w) => /labelled_mean/.test(w)),
    '{"labelled_mean":{"pcc":null},"x":1}\n',
  );
  assert.throws(
    () => resultJson({ labelled_mean: { pcc: NaN }, x: NaN }, "m", "", 0, (w) => /labelled_mean/.test(w)),
    /x is NaN/,
  );
});

test("atomicWriteFile: the previous file survives a failed write; no temporary file is left", () => {
  const d = tmpdir();
  try {
    const f = path.join(d, "result.json");
    atomicWriteFile(f, "old\n");
    assert.equal(fs.readFileSync(f, "utf8"), "old\n");
    assert.throws(
      () =>
        atomicWriteFile(f, "new but never renamed\n", {
          beforeRename: () => {
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
              code: "ENOSPC",
              syscall: "write",
            });
          },
        }),
      (e: Error) =>
        e instanceof FileError && /result\.json: write failed: ENOSPC.*previous file.*unchanged/.test(e.message),
    );
    assert.equal(fs.readFileSync(f, "utf8"), "old\n");
    assert.deepEqual(fs.readdirSync(d), ["result.json"]);
    // a real failure: the target is a non-empty directory, rename is refused by the OS
    const asDir = path.join(d, "sub");
    fs.mkdirSync(asDir);
    fs.writeFileSync(path.join(asDir, "keep"), "k");
    assert.throws(() => atomicWriteFile(asDir, "x"), FileError);
    assert.equal(fs.readFileSync(path.join(asDir, "keep"), "utf8"), "k");
    assert.deepEqual(fs.readdirSync(d).sort(), ["result.json", "sub"]);
    atomicWriteFile(f, Buffer.from("new\n"));
    assert.equal(fs.readFileSync(f, "utf8"), "new\n");
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("atomicWriteDir: a failed fill or rename keeps the previous directory", async () => {
  const d = tmpdir();
  try {
    const m = path.join(d, "model");
    await atomicWriteDir(m, (t) => fs.writeFileSync(path.join(t, "w.bin"), "v1"));
    await assert.rejects(
      atomicWriteDir(m, (t) => {
        fs.writeFileSync(path.join(t, "w.bin"), "half");
        throw new Error("killed mid-save");
      }),
      /killed mid-save/,
    );
    await assert.rejects(
      atomicWriteDir(m, (t) => fs.writeFileSync(path.join(t, "w.bin"), "v2"), {
        beforeRename: () => {
          throw new Error("rename refused");
        },
      }),
      /rename refused/,
    );
    assert.equal(fs.readFileSync(path.join(m, "w.bin"), "utf8"), "v1");
    assert.deepEqual(fs.readdirSync(d), ["model"]);
    await atomicWriteDir(m, (t) => fs.writeFileSync(path.join(t, "w.bin"), "v2"));
    assert.equal(fs.readFileSync(path.join(m, "w.bin"), "utf8"), "v2");
    assert.deepEqual(fs.readdirSync(d), ["model"]);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("checkOutputFile: refuses a missing parent, a directory, an input file, a file as parent and pseudo filesystems", () => {
  const d = tmpdir();
  try {
    const cfg = path.join(d, "config.json");
    fs.writeFileSync(cfg, "{}");
    assert.equal(checkOutputFile(path.join(d, "out.json"), { inputs: [cfg] }), path.join(d, "out.json"));
    assert.deepEqual(fs.readdirSync(d), ["config.json"], "the writability probe is removed");
    const cases: [string, RegExp][] = [
      [path.join(d, "nodir", "out.json"), /no such directory: the directory .*nodir does not exist/],
      [d, /is a directory/],
      [cfg, /is an input: it is the input file/],
      [path.join(d, ".", "config.json"), /is an input/],
      [path.join(cfg, "out.json"), /is not a directory/],
      ["/proc/self/out.json", /\/proc is a kernel pseudo filesystem/],
      ["/proc/nonexistent/deep/out.json", /\/proc is a kernel pseudo filesystem/],
      ["/sys/out.json", /\/sys is a kernel pseudo filesystem/],
      ["/dev/null", /\/dev is a kernel pseudo filesystem/],
      ["", /empty/],
    ];
    for (const [p, re] of cases)
      assert.throws(
        () => checkOutputFile(p, { inputs: [cfg] }),
        (e: Error) => e instanceof FileError && re.test(e.message),
        p,
      );
    // a symlink to the input is the input
    const link = path.join(d, "link.json");
    fs.symlinkSync(cfg, link);
    assert.throws(() => checkOutputFile(link, { inputs: [cfg] }), /is an input/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("OutputDir: staged outputs appear only on commit; abort removes what the run created and keeps earlier results", () => {
  const d = tmpdir();
  try {
    const target = path.join(d, "a", "b");
    const o = OutputDir.prepare(target);
    assert.ok(fs.existsSync(o.staging));
    fs.writeFileSync(o.path("metrics.json"), "{}");
    o.abort();
    assert.deepEqual(fs.readdirSync(d), [], "created a/ and a/b/ are removed");
    const o2 = OutputDir.prepare(target);
    fs.writeFileSync(o2.path("metrics.json"), '{"v":1}');
    fs.mkdirSync(o2.path("model"));
    fs.writeFileSync(path.join(o2.path("model"), "w"), "1");
    o2.commit();
    assert.deepEqual(fs.readdirSync(target).sort(), ["metrics.json", "model"]);
    const o3 = OutputDir.prepare(target);
    fs.writeFileSync(o3.path("metrics.json"), '{"v":2}');
    o3.abort();
    assert.equal(fs.readFileSync(path.join(target, "metrics.json"), "utf8"), '{"v":1}');
    assert.deepEqual(fs.readdirSync(target).sort(), ["metrics.json", "model"]);
    const o4 = OutputDir.prepare(target);
    fs.mkdirSync(o4.path("model"));
    fs.writeFileSync(path.join(o4.path("model"), "w"), "2");
    o4.commit();
    assert.equal(fs.readFileSync(path.join(target, "model", "w"), "utf8"), "2");
    assert.deepEqual(fs.readdirSync(target).sort(), ["metrics.json", "model"]);
    // a staging area left by a killed run (no such process) is removed by the next run
    const stale = path.join(target, ".geoinv.staging-999999999-abcd1234");
    fs.mkdirSync(stale);
    OutputDir.prepare(target).abort();
    assert.ok(!fs.existsSync(stale));
    assert.deepEqual(fs.readdirSync(target).sort(), ["metrics.json", "model"]);
    const file = path.join(d, "f");
    fs.writeFileSync(file, "");
    assert.throws(() => OutputDir.prepare(file), /not a directory/);
    assert.throws(() => OutputDir.prepare(path.join(file, "x")), /is a file, not a directory/);
    assert.throws(() => OutputDir.prepare("/proc/geoinv-test/x"), /pseudo filesystem/);
    assert.equal(checkOutputDir(path.join(d, "new", "deeper")), path.join(d, "new", "deeper"));
    assert.ok(!fs.existsSync(path.join(d, "new")), "checkOutputDir creates nothing");
    assert.throws(() => checkOutputDir(file), /not a directory/);
    assert.throws(() => checkOutputDir("/sys/kernel/x"), /pseudo filesystem/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("atomicWriteFile: a process killed mid-write leaves the previous file intact; the next check removes its temporary", async () => {
  const d = tmpdir();
  try {
    const f = path.join(d, "result.json");
    fs.writeFileSync(f, "old\n");
    // the child writes 8 MB atomically and stops for good just before the rename; it is then killed
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `
      const { atomicWriteFile } = require(${JSON.stringify(path.join(__dirname, "..", "src", "core"))});
      atomicWriteFile(${JSON.stringify(f)}, "x".repeat(8 << 20), { beforeRename: () => { process.stdout.write("at-rename\\n"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); } });
    `,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b: Buffer) => b.toString().includes("at-rename") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited ${code} before the rename`)));
    });
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    assert.equal(fs.readFileSync(f, "utf8"), "old\n", "the previous result survives");
    const left = fs.readdirSync(d).filter((n) => n !== "result.json");
    assert.equal(left.length, 1, "the killed writer's temporary file");
    assert.equal(fs.statSync(path.join(d, left[0])).size, 8 << 20);
    checkOutputFile(f);
    assert.deepEqual(fs.readdirSync(d), ["result.json"], "removed by the next run's output check");
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});
