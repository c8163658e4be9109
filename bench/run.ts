/**
 * `npm run bench -- NAME [ARGS...]` runs bench/NAME.ts with its arguments; without a name it lists
 * the benchmarks and the first line of each one's description. Results and the commands that made
 * them are in bench/README.md and bench/results/.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const dir = __dirname;
const names = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const [name, ...rest] = process.argv.slice(2);

function summary(file: string): string {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  const m = text.match(/\/\*\*\s*\n\s*\*\s*(.+)/);
  return m ? m[1].trim() : "";
}

if (!name || name === "--help" || name === "-h") {
  console.log("usage: npm run bench -- NAME [ARGS...]\n\nbenchmarks:");
  for (const n of names) console.log(`  ${n.padEnd(16)} ${summary(n + ".ts")}`);
  process.exit(name ? 0 : 2);
}
if (!names.includes(name)) {
  console.error(`npm run bench: unknown benchmark '${name}'; one of ${names.join(", ")}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, name + ".ts"), ...rest], { stdio: "inherit" });
process.exit(r.status ?? 1);
