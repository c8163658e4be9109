/**
 * The results record (issue 15): notebooks record their key numbers, tables and figures with
 * `openResults(NOTEBOOK)` into out/results/; `npm run results` collects them into docs/results/;
 * `compareResults` checks a new run against the committed record within each number's band.
 */
export { checkTolerance, openResults, readResultsDir, resultsDir } from "./record";
export type { Cell, NotebookResults, RecordOptions, Recorder, ResultEntry, Tolerance } from "./record";
export { checkReport, compareResults, withinBand } from "./compare";
export type { Check, CollectedNotebook, CollectedResults } from "./compare";
