/**
 * A seeded random stream whose state can be read and restored, for checkpoint/resume of the
 * optimisers. `next()` produces exactly the stream of `mulberry32(seed)` from src/config and
 * `gauss()` exactly that of `gaussian(mulberry32(seed))` drawing from the same stream (Box-Muller,
 * second deviate kept as a spare), so runs are unchanged by using this class instead.
 */
export interface RandomState {
  /** mulberry32's 32-bit counter. */
  a: number;
  /** The cached second Box-Muller deviate, or null. */
  spare: number | null;
}

export class SeededRandom {
  private a: number;
  private spare: number | null = null;
  /** Bound closures, for code that takes a `() => number`. */
  readonly rand: () => number;
  readonly gauss: () => number;

  constructor(seed: number) {
    this.a = seed >>> 0;
    this.rand = () => this.next();
    this.gauss = () => this.nextGaussian();
  }

  /** A float in [0, 1), mulberry32. */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard normal deviate (Box-Muller, as src/config's `gaussian`). */
  nextGaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  get state(): RandomState {
    return { a: this.a, spare: this.spare };
  }

  set state(s: RandomState) {
    if (!s || typeof s.a !== "number" || !Number.isInteger(s.a) || s.a < 0 || s.a > 0xffffffff) {
      throw new Error(`random state: 'a' must be an unsigned 32-bit integer, got ${s && s.a}`);
    }
    if (s.spare !== null && typeof s.spare !== "number")
      throw new Error(`random state: 'spare' must be a number or null, got ${s.spare}`);
    this.a = s.a;
    this.spare = s.spare;
  }
}
