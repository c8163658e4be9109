import { progress, Progress } from "./progress";

/** What a training loop reports after each epoch (tcn's EpochLog has these fields). */
export interface EpochReport {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number;
  /** Set on the last epoch of a run that stops before `epochs` (e.g. early stopping): the reason. */
  stopped?: string;
}

/** The per-epoch callback of epochProgress, with `finish` to close the display after an early stop. */
export interface EpochCallback {
  (l: EpochReport): void;
  /** Close the display at the last epoch reported (no-op when already closed), e.g. "early stopping". */
  finish(message?: string): void;
}

/**
 * A per-epoch callback that drives one progress display (in place in Jupyter, on stderr elsewhere)
 * with the training and, when present, validation loss. It closes itself after the last epoch, on
 * a report with `stopped`, or when a new run starts (epoch 1 again: the previous run stopped
 * early and its display ends at its real epoch count); `finish()` closes it by hand.
 * Use as `onEpoch: epochProgress("pre-training")`.
 */
export function epochProgress(label: string, opts: { stream?: NodeJS.WriteStream } = {}): EpochCallback {
  let bar: Progress | undefined;
  let last = 0;
  const cb = ((l: EpochReport) => {
    if (bar && l.epoch <= last) {
      bar.done(`stopped early at epoch ${last} of ${l.epochs}`);
      bar = undefined;
    }
    bar ??= progress(label, l.epochs, opts);
    last = l.epoch;
    bar.update(
      l.epoch,
      `train ${l.trainLoss.toPrecision(4)}${Number.isFinite(l.valLoss) ? `, val ${l.valLoss.toPrecision(4)}` : ""}`,
    );
    if (l.epoch >= l.epochs || l.stopped) {
      bar.done(l.stopped);
      bar = undefined;
    }
  }) as EpochCallback;
  cb.finish = (message?: string) => {
    if (bar) bar.done(message);
    bar = undefined;
  };
  return cb;
}
