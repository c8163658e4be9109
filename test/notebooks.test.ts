import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { notebookJson, percentToNotebook } from "../scripts/notebook-format";

const root = path.resolve(__dirname, "..");

test("percent format: markdown and code cells", () => {
  const nb = percentToNotebook("header\n// %% [markdown]\n// # Title\n// text\n\n// %%\nconst a = 1;\n\na;\n", "x");
  assert.equal(nb.cells.length, 2);
  assert.equal(nb.cells[0].cell_type, "markdown");
  assert.deepEqual(nb.cells[0].source, ["# Title\n", "text"]);
  assert.deepEqual(nb.cells[1].source, ["const a = 1;\n", "\n", "a;"]);
  assert.equal((nb.metadata.kernelspec as { name: string }).name, "geoinv-tslab");
  assert.throws(() => percentToNotebook("// %% [markdown]\nno prefix\n", "y"), /y: markdown line/);
});

test("every notebooks/*.ipynb is built from its notebooks/percent/*.ts (run npm run notebooks:build)", () => {
  const srcDir = path.join(root, "notebooks", "percent");
  const srcs = fs.readdirSync(srcDir).filter((f) => f.endsWith(".ts"));
  assert.ok(srcs.length >= 1);
  for (const f of srcs) {
    const name = f.replace(/\.ts$/, "");
    const want = notebookJson(percentToNotebook(fs.readFileSync(path.join(srcDir, f), "utf8"), name));
    const have = fs.readFileSync(path.join(root, "notebooks", `${name}.ipynb`), "utf8");
    assert.equal(have, want, `notebooks/${name}.ipynb is stale`);
  }
  const ipynbs = fs.readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb"));
  assert.deepEqual(
    ipynbs.map((f) => f.replace(/\.ipynb$/, "")).sort(),
    srcs.map((f) => f.replace(/\.ts$/, "")).sort(),
    "a notebook without a source",
  );
});

test("the kernelspec launcher starts tslab at the repository root", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(root, "kernel/kernels/geoinv-tslab/kernel.json"), "utf8"));
  assert.deepEqual(spec.argv.slice(1), ["{resource_dir}/launch.sh", "{connection_file}"]);
  const sh = fs.readFileSync(path.join(root, "kernel/kernels/geoinv-tslab/launch.sh"), "utf8");
  assert.match(sh, /cd "\$root"/);
  assert.match(sh, /tslab\/bin\/tslab" kernel --config-path/);
});

test("the runner fails an executed notebook over 1 MB and names what made it big", async () => {
  const { sizeProblem, notebookSize, DEFAULT_MAX_BYTES } = await import("../scripts/run-notebooks");
  assert.equal(DEFAULT_MAX_BYTES, 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-nbsize-"));
  try {
    const nb = (outputs: unknown[]) =>
      JSON.stringify({
        cells: [{ cell_type: "code", source: [], outputs }],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      });
    const fig = {
      output_type: "display_data",
      metadata: {},
      data: { "application/vnd.plotly.v1+json": { data: [{ y: [1, 2, 3] }], layout: {} }, "text/plain": "[figure]" },
    };
    const small = path.join(dir, "small.ipynb");
    fs.writeFileSync(small, nb([fig, fig]));
    assert.equal(sizeProblem(small), undefined);
    assert.equal(notebookSize(small).figures, 2);
    // a notebook carrying a 5 MB script in text/html, as the old per-notebook plotly.js bundle did
    const big = path.join(dir, "big.ipynb");
    fs.writeFileSync(
      big,
      nb([
        fig,
        { output_type: "display_data", metadata: {}, data: { "text/html": "x".repeat(5_000_000), "text/plain": "" } },
      ]),
    );
    const msg = sizeProblem(big);
    assert.ok(msg);
    assert.match(msg!, /big\.ipynb is 5\.\d\d MB, over the 1\.00 MB limit/);
    assert.match(msg!, /text\/html 5\.00 MB/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("Lab's pre-save hook drops the renderer's PNG from plotly outputs only", async () => {
  const { spawnSync } = await import("child_process");
  const cfg = path.join(root, "kernel", "config", "jupyter_server_config.py");
  const py = `
import json, sys
class C:
    def __getattr__(self, k):
        v = C(); object.__setattr__(self, k, v); return v
c = C()
ns = {"get_config": lambda: c}
exec(open(sys.argv[1]).read(), ns)
hook = c.ContentsManager.pre_save_hook
fig = {"output_type": "display_data", "metadata": {"image/png": {"width": 10}}, "data": {"application/vnd.plotly.v1+json": {"data": []}, "image/png": "AAAA", "text/plain": "[figure]"}}
img = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "BBBB", "text/plain": "x"}}
model = {"type": "notebook", "content": {"cells": [{"cell_type": "code", "outputs": [fig, img]}, {"cell_type": "markdown"}]}}
hook(model=model, path="x.ipynb", contents_manager=None)
hook(model={"type": "file", "content": "text"}, path="y.txt", contents_manager=None)
print(json.dumps(model["content"]["cells"][0]["outputs"]))
`;
  const r = spawnSync("python3", ["-c", py, cfg], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const outs = JSON.parse(r.stdout) as { data: Record<string, unknown>; metadata: Record<string, unknown> }[];
  assert.deepEqual(Object.keys(outs[0].data).sort(), ["application/vnd.plotly.v1+json", "text/plain"]);
  assert.deepEqual(outs[0].metadata, {});
  assert.equal(outs[1].data["image/png"], "BBBB");
});

test("a kernel that does not start is started once more, and the retry is noted", async (t) => {
  const { spawnSync } = await import("child_process");
  const { findJupyterPython } = await import("../scripts/run-notebooks");
  const py = findJupyterPython();
  if (!py) return t.skip("no Python with nbclient/nbconvert here");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-kernel-"));
  try {
    // a kernel spec whose process exits at once: it never answers kernel_info
    fs.mkdirSync(path.join(dir, "kernels", "geoinv-tslab"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "kernels", "geoinv-tslab", "kernel.json"),
      JSON.stringify({ argv: ["false", "{connection_file}"], display_name: "dead", language: "typescript" }),
    );
    const nb = path.join(dir, "one.ipynb");
    fs.writeFileSync(
      nb,
      JSON.stringify({
        cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: "1 + 1" }],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    const r = spawnSync(py, [path.join(root, "scripts", "run_notebook.py"), nb, path.join(dir, "out")], {
      encoding: "utf8",
      env: { ...process.env, JUPYTER_PATH: dir },
    });
    assert.equal(r.status, 1, r.stderr);
    const notes = r.stderr.split("\n").filter((l) => l.startsWith("geoinv-note: "));
    assert.equal(notes.length, 1, r.stderr);
    assert.match(
      notes[0],
      /the kernel did not start \(RuntimeError: Kernel died before replying to kernel_info\); retried once/,
    );
    assert.match(r.stderr, /--- one: cell -1 failed ---/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
