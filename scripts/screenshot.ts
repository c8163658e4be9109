/**
 * `npm run screenshot -- out/notebooks/NAME.html [OUT.png] [--height PX] [--width PX] [--tiles N]`:
 * render an exported notebook in headless Chromium (Debian's `chromium`) and save a PNG, to check
 * that plots render offline. Chromium runs with the network switched off. With `--tiles N` the page
 * is cut into N screenshots of `--height` pixels each (OUT-1.png ... OUT-N.png), small enough to look at.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const valued = new Set(["--height", "--width", "--tiles"]);
const args = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !valued.has(all[i - 1]));
const opt = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const tiles = Math.max(1, Math.floor(opt("--tiles", 1)));
const height = opt("--height", tiles > 1 ? 1600 : 4000);
const width = opt("--width", 1200);
if (args.length < 1) {
  console.error("usage: npm run screenshot -- FILE.html [OUT.png] [--height PX] [--width PX] [--tiles N]");
  process.exit(2);
}
const input = path.resolve(args[0]);
const out = path.resolve(args[1] ?? input.replace(/\.html$/, ".png"));
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-chromium-"));

function shoot(file: string, png: string): boolean {
  const profile = path.join(tmp, "profile");
  const r = spawnSync(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
      "--virtual-time-budget=20000",
      `--screenshot=${png}`,
      `file://${file}`,
    ],
    { encoding: "utf8", timeout: 180000 },
  );
  if (r.error || !fs.existsSync(png)) {
    console.error(`chromium failed: ${r.error?.message ?? r.stderr.slice(-500)} (install Debian's chromium)`);
    return false;
  }
  console.log(`wrote ${png}`);
  return true;
}

let ok = true;
if (tiles === 1) ok = shoot(input, out);
else {
  const html = fs.readFileSync(input, "utf8");
  for (let k = 0; k < tiles && ok; k++) {
    // shift the page up by k tiles: the same page, another window onto it
    const shifted = html.replace(/<\/head>/i, `<style>body{margin-top:-${k * height}px !important}</style></head>`);
    const f = path.join(tmp, `tile-${k + 1}.html`);
    fs.writeFileSync(f, shifted);
    ok = shoot(f, out.replace(/\.png$/, `-${k + 1}.png`));
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
