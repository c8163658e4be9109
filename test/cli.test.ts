import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as path from "path";
import { main } from "../src/cli/main";
import { parseArgs, UsageError } from "../src/cli/registry";

const root = path.resolve(__dirname, "..");

async function run(argv: string[]) {
  let out = "", err = "";
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

test("--help lists verbs; unknown verbs exit 2 on stderr", async () => {
  const h = await run(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.out, /data check/);
  const u = await run(["nope"]);
  assert.equal(u.code, 2);
  assert.equal(u.out, "");
  assert.match(u.err, /unknown verb 'nope'/);
});

test("data check verifies the bundled files", async () => {
  const r = await run(["data", "check"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\d+ files OK/);
});

test("flag parser: values, booleans, unknown flags", () => {
  assert.deepEqual(parseArgs(["a", "--out", "x", "--quick", "--n=3"], { booleans: ["quick"] }), { positional: ["a"], flags: { out: "x", quick: true, n: "3" } });
  assert.throws(() => parseArgs(["--zz"], { known: ["out"] }), UsageError);
  assert.throws(() => parseArgs(["--out"]), /needs a value/);
});

test("bin/geoinv.js runs with plain node", () => {
  const out = execFileSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "--help"], { encoding: "utf8" });
  assert.match(out, /usage: geoinv/);
  const bad = spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "data", "check", "--bogus"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --bogus/);
});
