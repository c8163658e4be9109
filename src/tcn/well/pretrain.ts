import { mulberry32 } from "../../config";
import {
  DatasetSpec,
  loadDataset,
  makeDataset,
  rowStats,
  SeismicDataset,
  splitTraces,
  ValidationError,
} from "../../seismic";
import { initBackend } from "../backend";
import { trainOpts } from "../experiment";
import { TcnBundle } from "../io";
import { EpochLog, TrainCheckpoint, TrainHistory } from "../train";
import { evaluateTcn, Evaluation, fitTcn } from "../workflow";
import { SourceConfig } from "./config";

/** Pre-training on windows of synthetic traces, cut like the target's training windows. */

/**
 * Cut `perTrace` windows of `length` samples at seeded random depths from each trace in `idx`,
 * skipping near-constant impedance (e.g. water).
 */
export function randomWindows(
  data: SeismicDataset,
  idx: number[],
  length: number,
  perTrace: number,
  seed: number,
): { seismic: Float32Array[]; impedance: Float32Array[]; origin: [number, number][] } {
  const ns = data.seismic[0].length;
  if (length > ns) throw new ValidationError(`window length ${length} exceeds the ${ns} samples of ${data.name}`);
  const rand = mulberry32(seed);
  const seismic: Float32Array[] = [];
  const impedance: Float32Array[] = [];
  const origin: [number, number][] = [];
  for (const i of idx) {
    let got = 0;
    for (let tries = 0; got < perTrace && tries < 20 * perTrace; tries++) {
      const s = Math.floor(rand() * (ns - length + 1));
      const z = data.impedance[i].subarray(s, s + length);
      const st = rowStats([z]);
      if (!(st.std > 0.01 * st.mean)) continue;
      seismic.push(data.seismic[i].slice(s, s + length));
      impedance.push(data.impedance[i].slice(s, s + length));
      origin.push([i, s]);
      got++;
    }
  }
  return { seismic, impedance, origin };
}

export interface WindowPretrain {
  bundle: TcnBundle;
  history: TrainHistory;
  /** Scores on windows of the test traces. */
  test: Evaluation;
  windows: { train: number; val: number; test: number };
  data: string;
  freqHz: number;
}

/** Pre-train on synthetic windows (SourceConfig) and score on windows of held-out traces. */
export async function pretrainWindows(
  src: SourceConfig,
  freqHz: number,
  seed: number,
  onEpoch?: (l: EpochLog) => void,
  checkpoint?: TrainCheckpoint,
): Promise<WindowPretrain> {
  await initBackend();
  const spec: DatasetSpec = { ...src.data, freqHz };
  const data = loadDataset(spec);
  const split = splitTraces(data.seismic.length, { seed, ...src.split });
  const L = src.window.length;
  const k = src.window.perTrace;
  const tr = randomWindows(data, split.train, L, k, seed * 3 + 1);
  const va = randomWindows(data, split.val, L, k, seed * 3 + 2);
  const te = randomWindows(data, split.test, L, 1, seed * 3 + 3);
  const all = makeDataset(
    `${data.name} windows`,
    [...tr.seismic, ...va.seismic, ...te.seismic],
    [...tr.impedance, ...va.impedance, ...te.impedance],
    {
      description: `${data.description}; cut into ${L}-sample windows at random depths (${k} per training/validation trace, 1 per test trace)`,
    },
  );
  const nTr = tr.seismic.length,
    nVa = va.seismic.length,
    nTe = te.seismic.length;
  const trIdx = Array.from({ length: nTr }, (_, i) => i);
  const vaIdx = Array.from({ length: nVa }, (_, i) => nTr + i);
  const teIdx = Array.from({ length: nTe }, (_, i) => nTr + nVa + i);
  const { bundle, history } = await fitTcn(all, trIdx, vaIdx.length ? vaIdx : undefined, {
    ...trainOpts(src.train, seed, onEpoch),
    checkpoint,
    config: { ...src.model, seed: src.model.seed ?? seed },
    meta: { source: all.description, freqHz, windows: { length: L, train: nTr, val: nVa, test: nTe } },
  });
  const test = evaluateTcn(bundle, all, teIdx.length ? teIdx : vaIdx);
  return { bundle, history, test, windows: { train: nTr, val: nVa, test: nTe }, data: all.description, freqHz };
}
