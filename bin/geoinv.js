#!/usr/bin/env node
// geoinv command line. Runs with plain `node` after `npm install`: tsx (a dependency) compiles the
// TypeScript sources on the fly, so no build step or global tool is needed.
"use strict";
require("tsx/cjs");
const { main } = require("../src/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`geoinv: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
