/**
 * TCN inference without tfjs: the trained network's effective weights, run trace by trace through
 * one WebAssembly SIMD kernel (conv1d.wat) that fuses each dilated convolution with its bias, ReLU
 * and the residual sum. It computes what the tfjs layers compute in inference mode (dropout off):
 *
 *   TemporalBlock:     h = ReLU(conv1(x)),  z = ReLU(conv2(h)),  y = ReLU(z + skip(x)),
 *                      skip = the 1x1 downsample where the channels change, else x;
 *   WeightNormConv1D:  y = act(conv(x)) (the head: 1x1, linear);
 *   conv(x)[o][t] = b[o] + sum_{c,j} w[j][c][o] x[c][t - padLeft + j d], x zero outside the trace,
 *   w = g v / ||v|| per output channel (weight norm), formed exactly as weightNormConv1d forms it.
 *
 * Only the summation order differs from tfjs's XNNPACK convolutions, so outputs agree to float32
 * rounding (test/tcn-kernel.test.ts). Why a kernel of our own: issue 16 asks for inference at least
 * as fast as PyTorch. The network has 3-6 channels, so XNNPACK's GEMM tiles run mostly empty and
 * every layer's activations of a whole batch go through memory; one trace's activations (a few
 * tens of kB) stay in cache here (bench/README.md, "Inference at equal thread counts").
 */
import * as tf from "@tensorflow/tfjs";
import { ValidationError } from "../../core";
import { convPadding } from "../conv";
import { TemporalBlock, WeightNormConv1D } from "../layers";
import { CONV1D_WASM_BASE64 } from "./conv1d-wasm";

/** One convolution with its effective weights in the kernel's layout [cout][cin][k]. */
interface ConvStep {
  cin: number;
  cout: number;
  k: number;
  dilation: number;
  padLeft: number;
  padRight: number;
  relu: boolean;
  w: Float32Array;
  b: Float32Array;
}

/** A residual block (conv1, conv2, optional downsample) or a single convolution. */
type Step = { conv1: ConvStep; conv2: ConvStep; down: ConvStep | null } | { conv: ConvStep };

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  conv1d: (...args: number[]) => void;
}

/** The part of the WebAssembly global used here (the project's lib settings do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let shared: KernelExports | undefined;
/** The activation layout the shared instance's memory is zeroed for (weights, channels, margin, samples). */
let sharedLayout = "";

/**
 * The thread's kernel instance, made on first use and shared by every TcnKernel of the thread: each
 * predict writes its weights first and runs to the end synchronously, so they cannot interleave.
 */
function kernelInstance(): KernelExports {
  shared ??= new wasmApi.Instance(new wasmApi.Module(Buffer.from(CONV1D_WASM_BASE64, "base64")), {})
    .exports as KernelExports;
  return shared;
}

/** Weights of a layer by their short names (conv1_v, g, bias, ...). */
function weightsOf(layer: tf.layers.Layer): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const w of layer.weights) {
    const short = w.originalName.split("/").pop()!;
    out.set(short, { data: w.read().dataSync() as Float32Array, shape: w.shape as number[] });
  }
  return out;
}

/**
 * The effective kernel of a [K, Cin, Cout] weight v (with gain g: weight norm, as weightNormConv1d
 * forms it: norm and scale in float64, each weight rounded to float32), reordered to [Cout][Cin][K].
 */
function effectiveKernel(v: Float32Array, shape: number[], g: Float32Array | undefined): Float32Array {
  const [K, Cin, Cout] = shape;
  const n = K * Cin * Cout;
  const w = new Float32Array(n);
  if (g) {
    const norm = new Float64Array(Cout);
    for (let i = 0; i < n; i++) norm[i % Cout] += v[i] * v[i];
    for (let i = 0; i < n; i++) w[i] = v[i] * (g[i % Cout] / Math.sqrt(norm[i % Cout]));
  } else w.set(v);
  const out = new Float32Array(n);
  for (let j = 0; j < K; j++)
    for (let c = 0; c < Cin; c++)
      for (let o = 0; o < Cout; o++) out[(o * Cin + c) * K + j] = w[(j * Cin + c) * Cout + o];
  return out;
}

function convStep(
  v: { data: Float32Array; shape: number[] },
  g: Float32Array | undefined,
  b: Float32Array,
  dilation: number,
  padding: "same" | "causal",
  relu: boolean,
): ConvStep {
  const [k, cin, cout] = v.shape;
  const [padLeft, padRight] = convPadding(k, dilation, padding);
  return { cin, cout, k, dilation, padLeft, padRight, relu, w: effectiveKernel(v.data, v.shape, g), b };
}

function blockStep(layer: TemporalBlock): Step {
  const ws = weightsOf(layer);
  const get = (n: string) => ws.get(n)!;
  const conv = (p: string) =>
    convStep(get(`${p}_v`), get(`${p}_g`).data, get(`${p}_b`).data, layer.dilationRate, layer.padding, true);
  const down = ws.get("down_w");
  return {
    conv1: conv("conv1"),
    conv2: conv("conv2"),
    down: down
      ? convStep({ data: down.data, shape: [1, ...down.shape] }, undefined, get("down_b").data, 1, "same", false)
      : null,
  };
}

function layerStep(layer: WeightNormConv1D): Step {
  const ws = weightsOf(layer);
  return {
    conv: convStep(
      ws.get("kernel")!,
      ws.get("g")?.data,
      ws.get("bias")!.data,
      layer.dilationRate,
      layer.padding,
      layer.activation === "relu",
    ),
  };
}

const convsOf = (s: Step): ConvStep[] => ("conv" in s ? [s.conv] : [s.conv1, s.conv2, ...(s.down ? [s.down] : [])]);

/** Floats, rounded up to a multiple of 4 (16-byte alignment of every region). */
const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** Samples the kernel computes for a trace: rounded up to its blocks of 16. */
const blockSamples = (samples: number) => Math.ceil(samples / 16) * 16;

/** Byte addresses stay below 2^31, where the kernel's i32 arithmetic is exact. */
const MAX_KERNEL_BYTES = 2 ** 31;

/**
 * A TCN compiled for the wasm inference kernel: `TcnKernel.fromModel(model)`, then
 * `predict(rows)`. Reads the model's weights once; a later change of the weights needs a new one.
 */
export class TcnKernel {
  private readonly k = kernelInstance();
  /** Float offsets of each conv's weights and biases in the kernel's memory. */
  private readonly at = new Map<ConvStep, { w: number; b: number }>();
  private readonly weightFloats: number;
  private readonly channels: number;
  private readonly margin: number;

  private constructor(private readonly steps: Step[]) {
    const convs = steps.flatMap(convsOf);
    let off = 4; // address 0 means "no residual" to the kernel
    for (const c of convs) {
      this.at.set(c, { w: off, b: off + align4(c.w.length) });
      off += align4(c.w.length) + align4(c.b.length);
    }
    this.weightFloats = off;
    this.channels = Math.max(...convs.map((c) => Math.max(c.cin, c.cout)));
    // zeros each side of a channel: the widest padding, plus the 15 samples past the trace's
    // end that the last 16-sample block computes
    this.margin = align4(Math.max(...convs.map((c) => Math.max(c.padLeft, c.padRight))) + 16);
  }

  /**
   * The kernel form of a geoinv TCN (a Sequential of TemporalBlock and WeightNormConv1D layers,
   * one input and one output channel), or null for any other model.
   */
  static fromModel(model: tf.LayersModel): TcnKernel | null {
    const steps: Step[] = [];
    for (const l of model.layers) {
      if (l instanceof TemporalBlock) steps.push(blockStep(l));
      else if (l instanceof WeightNormConv1D) steps.push(layerStep(l));
      else return null;
    }
    if (steps.length === 0) return null;
    const first = convsOf(steps[0])[0];
    const last = convsOf(steps[steps.length - 1])[0];
    if (first.cin !== 1 || last.cout !== 1) return null;
    return new TcnKernel(steps);
  }

  private heap(): Float32Array {
    return new Float32Array(this.k.memory.buffer);
  }

  private grow(bytes: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (bytes > have) this.k.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /** Channel stride in floats for traces of `samples` samples: the 16-sample blocks and both margins. */
  private stride(samples: number): number {
    return blockSamples(samples) + 2 * this.margin;
  }

  /**
   * Make room for the weights and four activation buffers for traces of `samples` samples, zeroed
   * when the layout changed (the kernel never writes the margins, so they stay zero while it holds).
   */
  private layout(samples: number): void {
    const key = `${this.weightFloats}:${this.channels}:${this.margin}:${samples}`;
    if (key === sharedLayout) return;
    const bytes = 4 * (this.weightFloats + 4 * this.channels * this.stride(samples));
    if (bytes > MAX_KERNEL_BYTES)
      throw new ValidationError(
        "seismic",
        `traces of ${samples} samples need ${bytes} bytes of kernel memory, over 2^31; predict shorter windows`,
      );
    this.grow(bytes);
    this.heap().fill(0, this.weightFloats);
    sharedLayout = key;
  }

  /** Write this network's weights into the shared instance's memory. */
  private writeWeights(): void {
    this.grow(4 * this.weightFloats);
    const heap = this.heap();
    for (const [c, a] of this.at) {
      heap.set(c.w, a.w);
      heap.set(c.b, a.b);
    }
  }

  /** Run one convolution from buffer x into buffer y (float offsets of sample 0 of channel 0). */
  private run(c: ConvStep, x: number, y: number, samples: number, residual: number | null): void {
    const s = this.stride(samples);
    const tn = blockSamples(samples);
    const a = this.at.get(c)!;
    this.k.conv1d(
      4 * x,
      c.cin,
      4 * y,
      c.cout,
      4 * a.w,
      4 * a.b,
      c.k,
      c.dilation,
      c.padLeft,
      tn,
      s,
      c.relu ? 1 : 0,
      residual === null ? 0 : 4 * residual,
    );
    // the samples computed past the trace's end are the next layer's zero padding
    if (tn > samples) {
      const heap = this.heap();
      for (let o = 0; o < c.cout; o++) heap.fill(0, y + o * s + samples, y + o * s + tn);
    }
  }

  /** The network's output for one trace (a copy). */
  private predictOne(trace: Float32Array): Float32Array {
    const L = trace.length;
    const s = this.stride(L);
    const size = this.channels * s;
    // four buffers: the current activation, the block's hidden one, its downsampled skip, the next
    const [a, hid, skip, b] = [0, 1, 2, 3].map((i) => this.weightFloats + i * size + this.margin);
    let [cur, next] = [a, b];
    this.heap().set(trace, cur);
    for (const st of this.steps) {
      if ("conv" in st) {
        this.run(st.conv, cur, next, L, null);
      } else {
        this.run(st.conv1, cur, hid, L, null);
        if (st.down) this.run(st.down, cur, skip, L, null);
        this.run(st.conv2, hid, next, L, st.down ? skip : cur);
      }
      [cur, next] = [next, cur];
    }
    return this.heap().slice(cur, cur + L);
  }

  /** The output of every trace (one input channel each), as the model in inference mode gives it. */
  predict(rows: Float32Array[]): Float32Array[] {
    this.writeWeights();
    const out: Float32Array[] = [];
    for (const r of rows) {
      if (r.length === 0) throw new ValidationError("seismic", "a trace has no samples");
      this.layout(r.length);
      out.push(this.predictOne(r));
    }
    return out;
  }
}
