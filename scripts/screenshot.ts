/**
 * `npm run screenshot -- out/notebooks/NAME.html [OUT.png] [--height PX]`: render an exported
 * notebook in headless Chromium (Debian's `chromium`) and save a PNG, to check that plots render
 * offline. Chromium runs with the network switched off.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--height");
const hi = process.argv.indexOf("--height");
const height = hi >= 0 ? Number(process.argv[hi + 1]) : 4000;
if (args.length < 1) {
  console.error("usage: npm run screenshot -- FILE.html [OUT.png] [--height PX]");
  process.exit(2);
}
const input = path.resolve(args[0]);
const out = path.resolve(args[1] ?? input.replace(/\.html$/, ".png"));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-chromium-"));
const r = spawnSync("chromium", [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
  "--disable-component-update", "--disable-sync", "--disable-quic", `--user-data-dir=${profile}`,
  `--window-size=1200,${height}`, "--virtual-time-budget=20000", `--screenshot=${out}`, `file://${input}`,
], { encoding: "utf8", timeout: 180000 });
fs.rmSync(profile, { recursive: true, force: true });
if (r.error || !fs.existsSync(out)) {
  console.error(`chromium failed: ${r.error?.message ?? r.stderr.slice(-500)} (install Debian's chromium)`);
  process.exit(1);
}
console.log(`wrote ${out}`);
