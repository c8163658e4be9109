import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../config";
import { addRelu, weightNormConv1d } from "./conv";

/**
 * Custom tfjs layers of the TCN, registered with tf.serialization so that a saved model loads back
 * with tf.loadLayersModel and no special code (the classes register when this module loads).
 *
 * - WeightNormConv1D: a 1-D (dilated) convolution with weight normalisation (Salimans & Kingma
 *   2016: w = g v / ||v||, the norm per output channel over taps and input channels, as PyTorch's
 *   weight_norm on Conv1d), explicit causal or symmetric padding, and the custom gradient of
 *   dilatedConv1d. With weightNorm false and kernel 1 it is the linear 1x1 convolution used for
 *   the output head.
 * - TemporalBlock: one residual block of Bai et al. (2018) — dilated conv -> weight norm -> ReLU ->
 *   dropout -> dilated conv -> weight norm -> ReLU -> dropout, plus a 1x1 conv on the skip path
 *   when the channel count changes, then ReLU of the sum (METHODS.md part A, "Network"). One layer
 *   per block keeps the graph short and makes "freeze the first k blocks" a flag per layer.
 */

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Parameters<tf.layers.Layer["call"]>[1];
type Shape = (number | null)[];

export type Padding = "causal" | "same";

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor3D {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x.rank !== 3)
    throw new Error(
      `TCN layer: expected input of rank 3 [batch, samples, channels], got shape [${x.shape.join(", ")}]`,
    );
  return x as tf.Tensor3D;
}

function shapeOf(s: Shape | Shape[]): Shape {
  return (Array.isArray(s[0]) ? s[0] : s) as Shape;
}

/** w = g * v / ||v||, norm over axes 0 (taps) and 1 (input channels), one per output channel. */
export function weightNorm(v: tf.Tensor3D, g: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => tf.mul(v, tf.div(g, tf.sqrt(tf.sum(tf.square(v), [0, 1])))) as tf.Tensor3D);
}

/** 1x1 convolution as a matrix product: x [B, L, Cin], w [Cin, Cout], b [Cout]. */
export function pointwise(x: tf.Tensor3D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor3D {
  const [B, L, Cin] = x.shape;
  const Cout = w.shape[1];
  const y = tf.fused.matMul({ a: tf.reshape(x, [B * L, Cin]) as tf.Tensor2D, b: w, bias: b });
  return tf.reshape(y, [B, L, Cout]) as tf.Tensor3D;
}

/**
 * Inverted dropout with a seeded mask: during training each call draws a fresh mask from
 * mulberry32(seed, call counter), keeps a unit with probability 1 - rate and scales it by
 * 1 / (1 - rate); at inference it is the identity.
 */
export function seededDropout(x: tf.Tensor3D, rate: number, seed: number): tf.Tensor3D {
  if (!(rate > 0)) return x;
  const n = x.size;
  const keep = 1 / (1 - rate);
  if (maskScratch.length < n) maskScratch = new Float32Array(n);
  const m = maskScratch; // reused: tf.tensor copies the values
  // xorshift32 seeded by mulberry32(seed); two 16-bit uniforms per draw, drop when u < rate
  // (rate resolved to 1/65536). Inline because this loop runs for every activation of every step.
  let s = (mulberry32(seed)() * 4294967296) >>> 0 || 0x9e3779b9;
  const thr = Math.round(rate * 65536);
  for (let i = 0; i < n; i += 2) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    m[i] = (s & 0xffff) >= thr ? keep : 0;
    if (i + 1 < n) m[i + 1] = s >>> 16 >= thr ? keep : 0;
  }
  return applyMask(x, tf.tensor(m.subarray(0, n), x.shape, "float32"));
}
let maskScratch = new Float32Array(0);

/** x * mask with the gradient dy * mask for x only (the mask is a constant). */
const applyMask = tf.customGrad((x, mask, save) => {
  (save as tf.GradSaveFunc)([mask as tf.Tensor]);
  return {
    value: tf.mul(x as tf.Tensor, mask as tf.Tensor),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]), tf.zerosLike(saved[0])],
  };
}) as (x: tf.Tensor3D, mask: tf.Tensor) => tf.Tensor3D;

/** Mix a layer seed and a call counter into one 32-bit seed. */
function mixSeed(seed: number, counter: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(counter + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 12)) >>> 0;
}

/** Shared by the TCN layers: [batch, samples, channels] in, `filters` channels out. */
abstract class ChannelsLayer extends tf.layers.Layer {
  abstract readonly filters: number;
  abstract readonly kernelSize: number;
  abstract readonly dilationRate: number;
  abstract readonly padding: Padding;

  /** The serialised convolution settings common to both layers. */
  protected convConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      dilationRate: this.dilationRate,
      padding: this.padding,
    };
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = shapeOf(inputShape);
    return [s[0], s[1], this.filters];
  }

  /** The input's channel count, which must be known when the layer is built. */
  protected channelsIn(inputShape: Shape | Shape[]): number {
    const cin = shapeOf(inputShape)[2];
    if (cin == null) throw new Error(`${this.name}: the channel dimension of the input must be known`);
    return cin;
  }
}

/** Layers run their inference path unless called with { training: true }. */
function isInference(kwargs: Kwargs): boolean {
  return !(kwargs && kwargs["training"] === true);
}

export interface WeightNormConv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  dilationRate?: number;
  padding?: Padding;
  /** Weight normalisation (default true). */
  weightNorm?: boolean;
  /** Output activation (default linear). */
  activation?: "relu" | "linear";
}

/** A weight-normalised, dilated 1-D convolution with a gradient that works on every backend. */
export class WeightNormConv1D extends ChannelsLayer {
  static className = "GeoinvWeightNormConv1D";
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly padding: Padding;
  readonly useWeightNorm: boolean;
  readonly activation: "relu" | "linear";
  private v?: tf.LayerVariable;
  private g?: tf.LayerVariable;
  private b?: tf.LayerVariable;

  constructor(args: WeightNormConv1DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.dilationRate = args.dilationRate ?? 1;
    this.padding = args.padding ?? "same";
    this.useWeightNorm = args.weightNorm ?? true;
    this.activation = args.activation ?? "linear";
  }

  build(inputShape: Shape | Shape[]): void {
    const cin = this.channelsIn(inputShape);
    const zeros = tf.initializers.zeros();
    this.v = this.addWeight("kernel", [this.kernelSize, cin, this.filters], "float32", zeros);
    if (this.useWeightNorm) this.g = this.addWeight("g", [this.filters], "float32", zeros);
    this.b = this.addWeight("bias", [this.filters], "float32", zeros);
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const inference = isInference(kwargs);
      const v = this.v!.read() as tf.Tensor3D;
      let y: tf.Tensor3D;
      if (this.kernelSize === 1 && !this.useWeightNorm) {
        y = pointwise(x, tf.reshape(v, [v.shape[1], v.shape[2]]) as tf.Tensor2D, this.b!.read() as tf.Tensor1D);
        return this.activation === "relu" ? tf.relu(y) : y;
      }
      const g = this.useWeightNorm ? (this.g!.read() as tf.Tensor1D) : null;
      return weightNormConv1d(
        x,
        v,
        g,
        this.b!.read() as tf.Tensor1D,
        this.dilationRate,
        this.padding,
        this.activation === "relu",
        inference,
      );
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.convConfig(), weightNorm: this.useWeightNorm, activation: this.activation };
  }
}

export interface TemporalBlockArgs extends LayerArgs {
  filters: number;
  kernelSize: number;
  dilationRate: number;
  padding?: Padding;
  dropout?: number;
  /** Seed of the dropout masks. */
  seed?: number;
}

/** One residual TCN block (see the file comment). Weights: conv1 v/g/b, conv2 v/g/b, [down w/b]. */
export class TemporalBlock extends ChannelsLayer {
  static className = "GeoinvTemporalBlock";
  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly padding: Padding;
  readonly dropout: number;
  seed: number;
  /**
   * Restart this block's dropout stream from `seed`, so a fine-tuning run of a copied model draws
   * masks from its own seed instead of continuing the pre-trained model's stream.
   */
  reseedDropout(seed: number): void {
    this.seed = seed | 0;
    this.calls = 0;
  }
  /** Number of training calls so far (advances the dropout masks). */
  calls = 0;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: TemporalBlockArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.dilationRate = args.dilationRate;
    this.padding = args.padding ?? "same";
    this.dropout = args.dropout ?? 0;
    this.seed = args.seed ?? 0;
  }

  build(inputShape: Shape | Shape[]): void {
    const cin = this.channelsIn(inputShape);
    const z = tf.initializers.zeros();
    const k = this.kernelSize;
    const f = this.filters;
    this.w.conv1_v = this.addWeight("conv1_v", [k, cin, f], "float32", z);
    this.w.conv1_g = this.addWeight("conv1_g", [f], "float32", z);
    this.w.conv1_b = this.addWeight("conv1_b", [f], "float32", z);
    this.w.conv2_v = this.addWeight("conv2_v", [k, f, f], "float32", z);
    this.w.conv2_g = this.addWeight("conv2_g", [f], "float32", z);
    this.w.conv2_b = this.addWeight("conv2_b", [f], "float32", z);
    if (cin !== f) {
      this.w.down_w = this.addWeight("down_w", [cin, f], "float32", z);
      this.w.down_b = this.addWeight("down_b", [f], "float32", z);
    }
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const inference = isInference(kwargs);
      const training = !inference && this.dropout > 0;
      const r = (n: string) => this.w[n].read();
      const conv = (h: tf.Tensor3D, p: string) =>
        weightNormConv1d(
          h,
          r(p + "_v") as tf.Tensor3D,
          r(p + "_g") as tf.Tensor1D,
          r(p + "_b") as tf.Tensor1D,
          this.dilationRate,
          this.padding,
          true,
          inference,
        );
      let h = conv(x, "conv1");
      if (training) h = seededDropout(h, this.dropout, mixSeed(this.seed, 2 * this.calls));
      h = conv(h, "conv2");
      if (training) h = seededDropout(h, this.dropout, mixSeed(this.seed, 2 * this.calls + 1));
      if (training) this.calls++;
      const skip = this.w.down_w ? pointwise(x, r("down_w") as tf.Tensor2D, r("down_b") as tf.Tensor1D) : x;
      return inference ? tf.relu(tf.add(h, skip)) : addRelu(h, skip);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.convConfig(), dropout: this.dropout, seed: this.seed };
  }
}

tf.serialization.registerClass(WeightNormConv1D);
tf.serialization.registerClass(TemporalBlock);
