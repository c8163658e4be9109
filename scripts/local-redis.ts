/**
 * A private redis-server on 127.0.0.1 for the survey queue's test (test/survey-queue.test.ts) and
 * benchmark (bench/survey.ts): a free port, no persistence, daemonised into a temporary folder,
 * stopped by its pid file. Not library code: the package never starts a Redis itself.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface LocalRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  /** Stops the server this module started (nothing for one given by URL); quiet if it is gone. */
  stop: () => void;
}

/** A TCP port on 127.0.0.1 that nothing listens on (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}

/** A Redis someone else runs, by URL: `stop` leaves it alone. */
export function externalRedis(url: string): LocalRedis {
  return { url, stop: () => undefined };
}

/**
 * Starts redis-server on a free port of 127.0.0.1 (folder `prefix*` under the OS temp folder for
 * its pid and log) and waits up to 5 s for it to answer PING.
 */
export async function startLocalRedis(prefix = "geoinv-redis-"): Promise<LocalRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const pidFile = path.join(dir, "redis.pid");
  execFileSync("redis-server", [
    ...["--port", String(port), "--bind", "127.0.0.1"],
    ...["--save", "", "--appendonly", "no", "--daemonize", "yes"],
    ...["--dir", dir, "--pidfile", pidFile, "--logfile", path.join(dir, "redis.log")],
  ]);
  const ping = () =>
    spawnSync("redis-cli", ["-p", String(port), "ping"])
      .stdout?.toString()
      .trim();
  for (let i = 0; i < 50 && ping() !== "PONG"; i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      try {
        process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGTERM");
      } catch {
        /* already gone */
      }
    },
  };
}
