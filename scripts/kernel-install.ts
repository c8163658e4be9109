/**
 * Register geoinv's tslab kernelspec for the current user's Jupyter (`npm run kernel:install`).
 * The installed copy of the launcher has the repository's absolute path, since
 * `jupyter kernelspec install` copies the folder elsewhere.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const src = path.join(root, "kernel", "kernels", "geoinv-tslab");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "geoinv-kernel-"));
const dst = path.join(tmp, "geoinv-tslab");
fs.mkdirSync(dst);
fs.copyFileSync(path.join(src, "kernel.json"), path.join(dst, "kernel.json"));
const launcher = fs
  .readFileSync(path.join(src, "launch.sh"), "utf8")
  .replace('root="${GEOINV_ROOT:-$(cd "$here/../../.." && pwd)}"', `root="\${GEOINV_ROOT:-${root}}"`);
fs.writeFileSync(path.join(dst, "launch.sh"), launcher, { mode: 0o755 });
try {
  execFileSync("jupyter", ["kernelspec", "install", "--user", "--replace", "--name", "geoinv-tslab", dst], {
    stdio: "inherit",
  });
  console.log(`installed kernel 'TypeScript (geoinv, tslab)' for ${root}`);
} catch (e) {
  console.error("jupyter kernelspec install failed: is Jupyter installed? See environment.md.");
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
