// ESLint flat config (npm run lint). typescript-eslint's recommended rules plus size limits; the
// limits are ones the code meets today, recorded in docs/CONTRIBUTING.md ("Lint and format").
// Layout (spaces, quotes, wrapping) is prettier's job (npm run format), not ESLint's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/**", "out/**", "data/**", "bench/results/**", "notebooks/*.ipynb", "kernel/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: [
      "src/**/*.ts",
      "src/**/*.js",
      "test/**/*.ts",
      "bench/**/*.ts",
      "scripts/**/*.ts",
      "notebooks/percent/**/*.ts",
    ],
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Unused names: the compiler's noUnusedLocals/noUnusedParameters report them already; here
      // only for the `_` convention (a required but unused parameter is named `_x`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // `let x: T;` read by a closure before its one assignment (a callback that needs the object it
      // is passed to) cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Size limits (docs/CONTRIBUTING.md).
      complexity: ["error", { max: 40 }],
      "max-len": [
        "error",
        {
          code: 120,
          tabWidth: 2,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      "max-lines-per-function": ["error", { max: 200, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Worker-thread entries: plain CommonJS JavaScript, so that a thread starts from any host.
    files: ["src/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests build and mutate arbitrary JSON configs.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
