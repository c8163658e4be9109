import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as geo from "../src";

/** The curated public surface (issue 16): every domain at the top level, no name meaning two things. */
const SRC = path.join(__dirname, "..", "src");
const domains = fs.readdirSync(SRC).filter((d) => fs.existsSync(path.join(SRC, d, "index.ts")));

test("src/index.ts exports every domain that has an index.ts, as a namespace", () => {
  assert.deepEqual(Object.keys(geo).sort(), domains.slice().sort());
});

test("no exported name means two different things in two domains (re-exports of one object are fine)", () => {
  const seen = new Map<string, { domain: string; value: unknown }>();
  const clashes: string[] = [];
  for (const [domain, mod] of Object.entries(geo)) {
    for (const [name, value] of Object.entries(mod as Record<string, unknown>)) {
      const first = seen.get(name);
      if (!first) seen.set(name, { domain, value });
      else if (first.value !== value) clashes.push(`${name}: ${first.domain} and ${domain}`);
    }
  }
  assert.deepEqual(clashes, []);
});

test("internals stay out of the public indexes", () => {
  for (const d of domains) {
    const file = path.join(SRC, d, "internal.ts");
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const internal = require(file) as Record<string, unknown>;
    const pub = (geo as Record<string, Record<string, unknown>>)[d];
    const leaked = Object.keys(internal).filter((n) => n in pub);
    assert.deepEqual(leaked, [], `${d}: exported by both index.ts and internal.ts`);
  }
});

test("no exported type name is declared in two domains (re-exporting another domain's type is fine)", () => {
  const owner = new Map<string, string>();
  const clashes: string[] = [];
  for (const d of domains) {
    const text = fs.readFileSync(path.join(SRC, d, "index.ts"), "utf8");
    for (const m of text.matchAll(/export\s+type\s+\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
      if (m[2].startsWith("../")) continue; // another domain's type, re-exported
      for (const item of m[1].split(",")) {
        const name = item
          .trim()
          .split(/\s+as\s+/)
          .pop();
        if (!name) continue;
        const first = owner.get(name);
        if (first && first !== d) clashes.push(`${name}: ${first} and ${d}`);
        else owner.set(name, d);
      }
    }
  }
  assert.deepEqual(clashes, []);
});
