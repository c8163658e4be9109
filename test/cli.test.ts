import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../src/cli/main";
import { parseArgs, UsageError } from "../src/cli/registry";

const root = path.resolve(__dirname, "..");

async function run(argv: string[]) {
  let out = "",
    err = "";
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

test("tem forward names the case file that holds no object; data check's problems start with one line naming the verb", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-cli-"));
  try {
    const f = path.join(dir, "case.json");
    fs.writeFileSync(f, "[[1]]");
    const r = await run(["tem", "forward", f]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^geoinv tem forward: \S+case\.json: the case file must hold a JSON object .*got an array/);
    const m = path.join(dir, "MANIFEST.json");
    const real = JSON.parse(fs.readFileSync(path.join(root, "data", "MANIFEST.json"), "utf8"));
    const [k, v] = Object.entries(real.files)[0] as [string, { sha256: string; bytes: number }];
    fs.writeFileSync(m, JSON.stringify({ ...real, files: { ...real.files, [k]: { ...v, bytes: v.bytes + 1 } } }));
    const prev = process.env.GEOINV_MANIFEST;
    process.env.GEOINV_MANIFEST = m;
    try {
      const c = await run(["data", "check"]);
      assert.equal(c.code, 2);
      assert.match(
        c.err,
        new RegExp(
          `^geoinv data check: 1 problem in \\S+ against the manifest:\\n\\S+${k.split("/").pop()!.replace(".", "\\.")}: checksum`,
        ),
      );
    } finally {
      if (prev === undefined) delete process.env.GEOINV_MANIFEST;
      else process.env.GEOINV_MANIFEST = prev;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("flag parser: values, booleans, unknown flags", () => {
  assert.deepEqual(parseArgs(["a", "--out", "x", "--quick", "--n=3"], { booleans: ["quick"] }), {
    positional: ["a"],
    flags: { out: "x", quick: true, n: "3" },
  });
  assert.throws(() => parseArgs(["--zz"], { known: ["out"] }), UsageError);
  assert.throws(() => parseArgs(["--out"]), /needs a value/);
  // a stray word (e.g. a value given to a boolean flag) is refused naming it when the verb takes none
  assert.throws(
    () => parseArgs(["--force", "yes"], { booleans: ["force"], positional: 0 }),
    /^UsageError: yes: unexpected argument; this verb takes only --options/,
  );
  assert.throws(() => parseArgs(["a", "b"], { positional: 1 }), /b: unexpected argument; this verb takes 1 argument/);
  assert.deepEqual(parseArgs(["a"], { positional: 1 }).positional, ["a"]);
});

test("survey invert --workers 1e9 is refused naming --workers (it started a billion threads and hung)", async () => {
  const r = await run([
    "survey",
    "invert",
    path.join(root, "examples", "survey_rankin.json"),
    "--out",
    path.join(os.tmpdir(), "geoinv-never-written"),
    "--workers",
    "1e9",
  ]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--workers 1e9: at most \d+ threads here/);
});

test("data check and the tcn verbs refuse a stray argument (exit 2 naming it) instead of ignoring it", async () => {
  const d = await run(["data", "check", "extra"]);
  assert.equal(d.code, 2);
  assert.match(d.err, /^geoinv data check: extra: unexpected argument/);
  const never = path.join(os.tmpdir(), "geoinv-never-written");
  for (const [verb, file, more] of [
    ["tem invert", "examples/tem_h3_ip_top.json", ["--quiet"]],
    ["tem forward", "test/fixtures/tem-reference/hs_loop_central.json", []],
    ["survey invert", "examples/survey_rankin.json", ["--quiet", "--out", never]],
  ] as const) {
    const r = await run([...verb.split(" "), path.join(root, file), ...more, "yes"]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, new RegExp(`^geoinv ${verb}: yes: unexpected argument`), verb);
  }
  const t = await run(["tcn", "pretrain", "--out", "/tmp/geoinv-never", "extra"]);
  assert.equal(t.code, 2);
  assert.match(t.err, /^geoinv tcn pretrain: extra: unexpected argument/);
});

test("bin/geoinv.js runs with plain node", () => {
  const out = execFileSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "--help"], { encoding: "utf8" });
  assert.match(out, /usage: geoinv/);
  const bad = spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), "data", "check", "--bogus"], {
    encoding: "utf8",
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --bogus/);
});

test("a bad GEOINV_SIZE and a corrupted DLF filter file under GEOINV_DATA exit 2 naming the variable or the file, not an internal error", () => {
  const geoinv = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(root, "bin", "geoinv.js"), ...args], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
  const s = geoinv(["tcn", "pretrain", "--out", path.join(os.tmpdir(), "geoinv-never-written")], {
    GEOINV_SIZE: "huge",
  });
  assert.equal(s.status, 2, s.stderr);
  assert.match(s.stderr, /^geoinv tcn pretrain: GEOINV_SIZE: must be 'quick' or 'full' \(or unset\), got 'huge'/);
  // a data root whose dlf/ holds a filter file with one flipped bit (the other folders linked)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-dlf-"));
  try {
    const data = path.join(root, "data");
    for (const e of fs.readdirSync(data)) if (e !== "dlf") fs.symlinkSync(path.join(data, e), path.join(dir, e));
    fs.mkdirSync(path.join(dir, "dlf"));
    for (const f of fs.readdirSync(path.join(data, "dlf"))) {
      const b = fs.readFileSync(path.join(data, "dlf", f));
      if (/\.txt$/.test(f)) b[Math.floor(b.length / 2)] ^= 4;
      fs.writeFileSync(path.join(dir, "dlf", f), b);
    }
    const r = geoinv(["tem", "forward", path.join(root, "test", "fixtures", "tem-reference", "hs_loop_central.json")], {
      GEOINV_DATA: dir,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^geoinv tem forward: \S+\/dlf\/\w+\.txt: checksum: /);
    assert.doesNotMatch(r.stderr, /internal error/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("geoinv worker --queue with no Redis there: exit 2 naming --queue, the connection error in one line, no stack trace", async () => {
  const net = await import("net");
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const r = spawnSync(
    process.execPath,
    [path.join(__dirname, "..", "bin", "geoinv.js"), "worker", "--queue", `redis://127.0.0.1:${port}`],
    { encoding: "utf8", timeout: 60000 },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--queue: cannot reach Redis at 127\.0\.0\.1:\d+ within 10 s \(connect ECONNREFUSED/);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
});
