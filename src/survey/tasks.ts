import { LciForwardResult, LciForwardTask, runLciForward } from "./lci";
import { invertSounding, SoundingRun, SoundingTask } from "./sounding";

/** What a survey thread (or queue worker) runs: a sounding's DE inversion or an LCI forward. */
export type SurveyTask = { kind: "invert"; task: SoundingTask } | LciForwardTask;
export type SurveyTaskResult = SoundingRun | LciForwardResult;

export async function runTask(t: SurveyTask): Promise<SurveyTaskResult> {
  if (t.kind === "invert") return invertSounding(t.task);
  if (t.kind === "lci") return runLciForward(t);
  throw new Error(`unknown survey task kind '${(t as { kind: string }).kind}'`);
}
