import * as tf from "@tensorflow/tfjs";

/**
 * Adam (Kingma & Ba 2015) with L2 weight decay added to the gradient, as PyTorch's
 * torch.optim.Adam(weight_decay=...):
 *   g <- g + wd * theta;  m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
 *   theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 *
 * The TCN has ~2400 parameters in ~56 small tensors; tfjs's own Adam would run a dozen tiny kernels
 * per tensor per step, which costs more than the convolutions. Here the gradients are concatenated
 * into one tensor, read once, updated in a plain Float32Array loop, and written back with one
 * upload per weight tensor.
 */
export class FlatAdam {
  readonly vars: tf.Variable[];
  private readonly sizes: number[];
  private readonly theta: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(
    vars: tf.Variable[],
    public lr = 1e-3,
    public weightDecay = 0,
    public beta1 = 0.9,
    public beta2 = 0.999,
    public eps = 1e-8,
  ) {
    this.vars = vars;
    this.sizes = vars.map((v) => v.size);
    const n = this.sizes.reduce((a, b) => a + b, 0);
    this.theta = new Float32Array(n);
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
    let o = 0;
    vars.forEach((v, i) => {
      this.theta.set(v.dataSync() as Float32Array, o);
      o += this.sizes[i];
    });
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.t;
  }

  /** The moments and step count (copies), for a training checkpoint. */
  exportState(): { t: number; m: Float32Array; v: Float32Array } {
    return { t: this.t, m: this.m.slice(), v: this.v.slice() };
  }

  /**
   * Continue from `exportState()`: moments and step count, and the parameters re-read from the
   * variables (set them to the checkpoint's weights first).
   */
  importState(s: { t: number; m: Float32Array; v: Float32Array }): void {
    if (s.m.length !== this.m.length || s.v.length !== this.v.length || !Number.isInteger(s.t) || s.t < 0) {
      throw new Error(
        `Adam state of ${s.m.length} parameters (step ${s.t}) does not fit an optimiser of ${this.m.length}`,
      );
    }
    this.t = s.t;
    this.m.set(s.m);
    this.v.set(s.v);
    let o = 0;
    this.vars.forEach((v, i) => {
      this.theta.set(v.dataSync() as Float32Array, o);
      o += this.sizes[i];
    });
  }

  /** Apply one update from gradients given in the order of `vars` (the tensors are not disposed). */
  step(grads: tf.Tensor[]): void {
    const flat = tf.tidy(() => tf.concat(grads.map((g) => tf.reshape(g, [-1]))));
    const g = flat.dataSync() as Float32Array;
    flat.dispose();
    this.t++;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, lr, theta, m, v } = this;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    for (let i = 0; i < theta.length; i++) {
      const gi = g[i] + wd * theta[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      theta[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
    let o = 0;
    this.vars.forEach((variable, i) => {
      const t = tf.tensor(theta.subarray(o, o + this.sizes[i]), variable.shape, "float32");
      variable.assign(t);
      t.dispose();
      o += this.sizes[i];
    });
  }
}
