/**
 * `npm run notebooks:build [-- --check]`: convert notebooks/percent/*.ts (percent format) into
 * notebooks/*.ipynb. With --check, report notebooks that are out of date and exit 1.
 */
import * as fs from "fs";
import * as path from "path";
import { notebookJson, percentToNotebook } from "./notebook-format";

const root = path.resolve(__dirname, "..");
const srcDir = path.join(root, "notebooks", "percent");
const check = process.argv.includes("--check");
let stale = 0;
for (const f of fs
  .readdirSync(srcDir)
  .filter((f) => f.endsWith(".ts"))
  .sort()) {
  const name = f.replace(/\.ts$/, "");
  const json = notebookJson(percentToNotebook(fs.readFileSync(path.join(srcDir, f), "utf8"), name));
  const out = path.join(root, "notebooks", `${name}.ipynb`);
  const old = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
  if (old === json) continue;
  if (check) {
    console.error(`notebooks/${name}.ipynb is out of date with notebooks/percent/${f}: run npm run notebooks:build`);
    stale++;
  } else {
    fs.writeFileSync(out, json);
    console.log(`wrote notebooks/${name}.ipynb`);
  }
}
if (stale > 0) process.exitCode = 1;
