import * as tf from "@tensorflow/tfjs";
import { integerInRange, numberInRange } from "../core";
import { permutation, Standardizer, ValidationError } from "../seismic";

/**
 * Physics-guided (semi-supervised) fine-tuning after Alfarraj & AlRegib (2019): besides the MSE on
 * the labelled (well) traces, the network's impedance on unlabelled target traces is put through
 * the project's convolutional model (normal-incidence reflectivity convolved with a wavelet, as
 * seismic/synthetic.ts makes the synthetics) and compared with the observed seismic of those traces.
 * Both terms are in standardised units (impedance by the model's yStats, seismic by its xStats).
 */

/** Physics-guided fine-tuning settings (FinetuneOptions.physics). */
export interface PhysicsOptions {
  /** Weight of the seismic misfit on unlabelled traces against the labelled MSE; 0 = plain fine-tuning. */
  weight: number;
  /** Unlabelled traces the term uses (default: every target trace that is not a training trace). */
  traces?: number[];
  /** Unlabelled traces per training batch (default 10). */
  batchSize?: number;
  /**
   * Wavelet of the forward model (odd length, at most the trace length); default estimated from the
   * training traces (estimateWavelet).
   */
  wavelet?: ArrayLike<number>;
  /** Length of the estimated wavelet (odd; default 41). */
  waveletLength?: number;
}

/** Check PhysicsOptions (field names as in a config: `finetune.physics.weight`, ...). */
export function checkPhysics(p: PhysicsOptions, samples: number, field = "physics"): void {
  numberInRange(p.weight, `${field}.weight`, 0, 1e6);
  if (p.batchSize !== undefined) integerInRange(p.batchSize, `${field}.batchSize`, 1, 100000);
  if (p.waveletLength !== undefined) {
    integerInRange(p.waveletLength, `${field}.waveletLength`, 1, samples);
    if (p.waveletLength % 2 !== 1)
      throw new ValidationError(`${field}.waveletLength`, `${p.waveletLength}; need an odd length (a centred wavelet)`);
  }
  if (p.wavelet !== undefined) checkWavelet(p.wavelet, samples, `${field}.wavelet`);
}

function checkWavelet(w: ArrayLike<number>, samples: number, field: string): void {
  if (w.length < 1 || w.length % 2 !== 1 || w.length > samples) {
    throw new ValidationError(
      field,
      `${w.length} samples; need an odd length of at most the trace length ${samples} (a centred wavelet)`,
    );
  }
  for (let i = 0; i < w.length; i++)
    if (!Number.isFinite(w[i])) throw new ValidationError(field, `sample ${i} is ${w[i]}; need finite values`);
}

/**
 * Seismic synthesised from standardised impedance [batch, L, 1], in standardised seismic units:
 * z = zStd * yStats.std + yStats.mean; r_k = (z_{k+1} - z_k) / (z_{k+1} + z_k) with r_{L-1} = 0
 * (reflectivity(z, true)); s = r * w with the centred 'same' convolution of convolveSame (a conv1d
 * with the reversed wavelet and 'same' padding, which for an odd wavelet is the same sum);
 * returned as (s - xStats.mean) / xStats.std. Differentiable, for the training loss.
 */
export function synthesizeStandardized(
  zStd: tf.Tensor3D,
  yStats: Standardizer,
  wavelet: ArrayLike<number>,
  xStats: Standardizer,
): tf.Tensor3D {
  const L = zStd.shape[1];
  checkWavelet(wavelet, L, "wavelet");
  return tf.tidy(() => {
    const z = tf.add(tf.mul(zStd, yStats.std), yStats.mean) as tf.Tensor3D;
    const a = tf.slice(z, [0, 0, 0], [-1, L - 1, -1]);
    const b = tf.slice(z, [0, 1, 0], [-1, L - 1, -1]);
    const r = tf.pad(tf.div(tf.sub(b, a), tf.add(b, a)), [
      [0, 0],
      [0, 1],
      [0, 0],
    ]) as tf.Tensor3D;
    const k = wavelet.length;
    const rev = new Float32Array(k);
    for (let i = 0; i < k; i++) rev[i] = wavelet[k - 1 - i];
    const s = tf.conv1d(r, tf.tensor3d(rev, [k, 1, 1]), 1, "same");
    return tf.div(tf.sub(s, xStats.mean), xStats.std) as tf.Tensor3D;
  });
}

/** Mean squared difference between standardised seismic and the synthetic of standardised impedance. */
export function physicsMisfit(
  zStd: tf.Tensor3D,
  xStd: tf.Tensor3D,
  yStats: Standardizer,
  wavelet: ArrayLike<number>,
  xStats: Standardizer,
): tf.Scalar {
  return tf.tidy(
    () => tf.mean(tf.squaredDifference(synthesizeStandardized(zStd, yStats, wavelet, xStats), xStd)) as tf.Scalar,
  );
}

/**
 * The extra loss term of trainModel (TrainOptions.extraLoss) for physics-guided fine-tuning: at batch
 * `step` of epoch `e`, `batchSize` unlabelled traces are drawn (epoch e's order is
 * permutation(n, seed * 104729 + e), taken cyclically), the model predicts their impedance in
 * training mode, and the term is weight * physicsMisfit. Stateless in (epoch, step), so a resumed
 * training draws the same traces. `dispose` frees the packed traces.
 */
export function physicsTerm(
  model: tf.LayersModel,
  xUnlabelled: Float32Array[],
  o: {
    weight: number;
    batchSize: number;
    seed: number;
    wavelet: ArrayLike<number>;
    xStats: Standardizer;
    yStats: Standardizer;
  },
): { term: (epoch: number, step: number) => tf.Scalar; key: string; dispose: () => void } {
  const n = xUnlabelled.length;
  if (n === 0)
    throw new ValidationError(
      "physics.traces",
      "no unlabelled traces for the physics term; leave some target traces out of the training traces",
    );
  const L = xUnlabelled[0].length;
  checkWavelet(o.wavelet, L, "physics.wavelet");
  const buf = new Float32Array(n * L);
  xUnlabelled.forEach((r, i) => buf.set(r, i * L));
  const all = tf.tensor3d(buf, [n, L, 1]);
  const b = Math.min(o.batchSize, n);
  let orderEpoch = -1;
  let order: number[] = [];
  const term = (epoch: number, step: number): tf.Scalar => {
    if (epoch !== orderEpoch) {
      order = permutation(n, (o.seed * 104729 + epoch) | 0);
      orderEpoch = epoch;
    }
    const idx = Array.from({ length: b }, (_, k) => order[(step * b + k) % n]);
    return tf.tidy(() => {
      const x = tf.gather(all, tf.tensor1d(idx, "int32")) as tf.Tensor3D;
      const z = model.apply(x, { training: true }) as tf.Tensor3D;
      return tf.mul(physicsMisfit(z, x, o.yStats, o.wavelet, o.xStats), o.weight) as tf.Scalar;
    });
  };
  const key = JSON.stringify({
    physics: o.weight,
    batch: b,
    seed: o.seed,
    n,
    wavelet: Array.from(o.wavelet),
    x: o.xStats,
    y: o.yStats,
  });
  return { term, key, dispose: () => all.dispose() };
}
