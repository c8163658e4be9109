import { progress, Progress } from "./progress";

/** What a training loop reports after each epoch (tcn's EpochLog has these fields). */
export interface EpochReport {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number;
}

/**
 * A per-epoch callback that drives one progress display (in place in Jupyter, on stderr elsewhere)
 * with the training and, when present, validation loss; it closes itself after the last epoch.
 * Use as `onEpoch: epochProgress("pre-training")`.
 */
export function epochProgress(label: string, opts: { stream?: NodeJS.WriteStream } = {}): (l: EpochReport) => void {
  let bar: Progress | undefined;
  return (l) => {
    bar ??= progress(label, l.epochs, opts);
    bar.update(l.epoch, `train ${l.trainLoss.toPrecision(4)}${Number.isFinite(l.valLoss) ? `, val ${l.valLoss.toPrecision(4)}` : ""}`);
    if (l.epoch >= l.epochs) {
      bar.done();
      bar = undefined;
    }
  };
}
