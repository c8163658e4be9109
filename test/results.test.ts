import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { ValidationError } from "../src/core";
import { checkReport, CollectedResults, compareResults, openResults, readResultsDir, withinBand } from "../src/results";

const root = path.resolve(__dirname, "..");

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-results-"));
}

test("openResults writes a fresh record per notebook, rewritten on every call", () => {
  const dir = tmpDir();
  const stale = path.join(dir, "nb.json");
  fs.writeFileSync(
    stale,
    JSON.stringify({
      notebook: "nb",
      size: "quick",
      seeds: [],
      updated: "",
      entries: { old: { kind: "value", value: 1 } },
      figures: [],
    }),
  );
  const rec = openResults("nb", dir);
  assert.deepEqual(JSON.parse(fs.readFileSync(stale, "utf8")).entries, {}, "opening starts the record afresh");
  assert.equal(rec.value("a.b", 0.25, { units: "%", tol: { abs: 0.1, reason: "seeded" } }), 0.25);
  rec.value("none", null);
  rec.table(
    "t",
    [
      { case: "top", err: 1.5 },
      { case: "middle", err: null },
    ],
    { tol: { rel: 0.1, reason: "r" } },
  );
  rec.seeds([1, 2]);
  rec.figure("fig1", { data: [{ x: [1], y: [2] }], layout: { title: "t" } });
  const r = readResultsDir(dir).nb;
  assert.equal(r.entries["a.b"].value, 0.25);
  assert.equal(r.entries["a.b"].units, "%");
  assert.deepEqual(r.entries["a.b"].tol, { abs: 0.1, reason: "seeded" });
  assert.equal(r.entries.none.value, null);
  assert.deepEqual(r.entries.t.rows, [
    { case: "top", err: 1.5 },
    { case: "middle", err: null },
  ]);
  assert.deepEqual(r.seeds, [1, 2]);
  assert.deepEqual(r.figures, ["fig1"]);
  assert.ok(fs.existsSync(path.join(dir, "nb", "fig1.json")));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("bad names, values and bands are refused naming the field", () => {
  const dir = tmpDir();
  const rec = openResults("nb", dir);
  assert.throws(
    () => rec.value("has space", 1),
    (e: unknown) => e instanceof ValidationError && e.field === "name",
  );
  rec.value("nan", NaN);
  assert.equal(
    readResultsDir(dir).nb.entries.nan.value,
    null,
    "NaN is recorded as null (JSON has no NaN), not refused",
  );
  assert.throws(
    () => rec.value("x", 1, { tol: { reason: "no band" } }),
    (e: unknown) => e instanceof ValidationError && e.field === "x.tol",
  );
  assert.throws(
    () => rec.value("x", 1, { tol: { abs: -1, reason: "r" } }),
    (e: unknown) => e instanceof ValidationError && e.field === "x.tol.abs",
  );
  assert.throws(
    () => rec.value("x", 1, { tol: { abs: 1, reason: " " } }),
    (e: unknown) => e instanceof ValidationError && e.field === "x.tol.reason",
  );
  assert.throws(
    () => rec.value("x", 1, { tol: { abs: 1, reson: "r" } as never }),
    (e: unknown) => e instanceof ValidationError && /reson/.test(e.message),
  );
  assert.throws(
    () => rec.table("t", [{ a: [1, 2] }]),
    (e: unknown) => e instanceof ValidationError && e.field === "t[0].a",
  );
  assert.throws(
    () => openResults("../escape", dir),
    (e: unknown) => e instanceof ValidationError && e.field === "notebook",
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test("withinBand: |a - e| <= abs + rel |e|", () => {
  assert.ok(withinBand(1.05, 1, { abs: 0.1, reason: "" }));
  assert.ok(!withinBand(1.2, 1, { abs: 0.1, reason: "" }));
  assert.ok(withinBand(10.9, 10, { rel: 0.1, reason: "" }));
  assert.ok(!withinBand(11.1, 10, { rel: 0.1, reason: "" }));
  assert.ok(withinBand(-10.5, -10, { abs: 0.25, rel: 0.025, reason: "" }));
  assert.ok(!withinBand(-10.6, -10, { abs: 0.25, rel: 0.025, reason: "" }));
});

function collected(entries: CollectedResults["notebooks"][string]["entries"]): CollectedResults {
  return {
    size: "quick",
    generated: "",
    commit: "",
    dirty: false,
    command: "",
    machine: { cpus: 1, cpuModel: "", memoryGiB: 1, node: "", platform: "" },
    notebooks: {
      nb: {
        notebook: "nb",
        size: "quick",
        seeds: [],
        updated: "",
        entries,
        figures: [],
        wall_s: 1,
        load_before: [],
        load_after: [],
        ok: true,
      },
    },
  };
}

test("compareResults: a moved number fails, one within its band passes, unbanded ones are skipped", () => {
  const exp = collected({
    a: { kind: "value", value: 1, tol: { abs: 0.1, reason: "r" } },
    b: { kind: "value", value: 100, tol: { rel: 0.05, reason: "r" } },
    t: { kind: "table", rows: [{ c: "x", v: 2 }], tol: { abs: 0.5, reason: "r" } },
    s: { kind: "value", value: 12.3 },
    gone: { kind: "value", value: 1, tol: { abs: 1, reason: "r" } },
    label: { kind: "value", value: "target", tol: { abs: 0, reason: "r" } },
  });
  const act = {
    nb: {
      notebook: "nb",
      size: "quick" as const,
      seeds: [],
      updated: "",
      figures: [],
      entries: {
        a: { kind: "value" as const, value: 1.05 },
        b: { kind: "value" as const, value: 106 },
        t: { kind: "table" as const, rows: [{ c: "x", v: 2.4 }] },
        s: { kind: "value" as const, value: 99 },
        label: { kind: "value" as const, value: "stagnation" },
      },
    },
  };
  const byName = Object.fromEntries(compareResults(exp, act).map((c) => [c.name, c.status]));
  assert.deepEqual(byName, { a: "pass", b: "fail", t: "pass", s: "skip", gone: "fail", label: "fail" });
  act.nb.entries.t.rows[0].c = "y";
  assert.equal(compareResults(exp, act).find((c) => c.name === "t")!.status, "fail");
  assert.match(checkReport(compareResults(exp, act)), /4 outside/);
  // a notebook not run is not checked; a record of the other size fails
  assert.deepEqual(
    compareResults(exp, {}).map((c) => c.status),
    ["skip"],
  );
  assert.equal(compareResults(exp, { nb: { ...act.nb, size: "full" as const } })[0].status, "fail");
});

/**
 * The CI check: the latest quick notebook run (out/results, from `npm run notebooks -- --quick`)
 * against the committed docs/results/results-quick.json within each number's band. The notebook
 * runner does the same check at its end; this test repeats it for a local run and skips, saying
 * why, when there is no run to check.
 */
test("latest quick notebook run matches docs/results/results-quick.json within the bands", (t) => {
  const committed = path.join(root, "docs", "results", "results-quick.json");
  const dir = path.join(root, "out", "results");
  if (!fs.existsSync(committed)) return t.skip("no docs/results/results-quick.json committed");
  const actual = readResultsDir(dir);
  const quick = Object.fromEntries(Object.entries(actual).filter(([, r]) => r.size === "quick"));
  if (Object.keys(quick).length === 0)
    return t.skip(
      `no quick notebook records in ${path.relative(root, dir)}: run \`npm run notebooks -- --quick\` first`,
    );
  const checks = compareResults(JSON.parse(fs.readFileSync(committed, "utf8")) as CollectedResults, quick);
  const fails = checks.filter((c) => c.status === "fail");
  assert.equal(fails.length, 0, checkReport(checks));
});
