import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
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
  assert.deepEqual(ipynbs.map((f) => f.replace(/\.ipynb$/, "")).sort(), srcs.map((f) => f.replace(/\.ts$/, "")).sort(), "a notebook without a source");
});

test("the kernelspec launcher starts tslab at the repository root", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(root, "kernel/kernels/geoinv-tslab/kernel.json"), "utf8"));
  assert.deepEqual(spec.argv.slice(1), ["{resource_dir}/launch.sh", "{connection_file}"]);
  const sh = fs.readFileSync(path.join(root, "kernel/kernels/geoinv-tslab/launch.sh"), "utf8");
  assert.match(sh, /cd "\$root"/);
  assert.match(sh, /tslab\/bin\/tslab" kernel --config-path/);
});
