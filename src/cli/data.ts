import { dataDir, manifest, verifyAll } from "../data";
import { parseArgs, Verb } from "./registry";

/** `geoinv data check`: verify every bundled data file against the manifest. */
export const dataVerbs: Verb[] = [
  {
    path: ["data", "check"],
    summary: "verify the bundled data files (size and sha256) against data/MANIFEST.json",
    usage:
      "geoinv data check\n\nChecks every file listed in data/MANIFEST.json under the data directory (GEOINV_DATA or the repository's data/).",
    run: async (args, io) => {
      parseArgs(args, { known: [], positional: 0 });
      const problems = verifyAll();
      const n = Object.keys(manifest().files).length;
      if (problems.length > 0) {
        // one message: the verb and the count first, then each file with its problem
        io.stderr(
          `geoinv data check: ${problems.length} problem${problems.length > 1 ? "s" : ""} in ${dataDir()} against the manifest:\n` +
            problems.join("\n") +
            "\n",
        );
        return 2;
      }
      io.stdout(`${n} files OK in ${dataDir()}\n`);
      return 0;
    },
  },
];
