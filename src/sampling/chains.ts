import { decodeState, encodeState, ValidationError } from "../optim";
import { diagnoseChains } from "./diagnostics";

/**
 * The stored states of a multi-chain MCMC run and its convergence checks, shared by the samplers
 * (DREAM(ZS) in ./dream.ts; the experimental Gauss-Newton manifold MALA of
 * bench/experiments/manifold.ts): thinning that doubles
 * to bound memory, burn-in = the first half of each chain, rank-normalised split-R-hat and bulk
 * ESS per parameter on the second half [Vehtari21], and the stop rule "every R-hat < target and
 * every ESS >= target" checked at a gap that grows with the run.
 */

/** What a sampler reports at each convergence check (the argument of `onCheck`). */
export interface CheckInfo {
  /** Iterations (generations of all chains) so far. */
  iteration: number;
  /** Log-likelihood (or forward) evaluations so far (including the initial states). */
  evaluations: number;
  /** Largest rank-normalised split-R-hat over the parameters (NaN while undefined). */
  rhatMax: number;
  /** Smallest bulk ESS over the parameters (0 while undefined). */
  essMin: number;
  rhat: number[];
  ess: number[];
  /** Fraction of proposals accepted so far. */
  acceptance: number;
}

export type SampleStopReason = "converged" | "budget" | "callback";

export interface StopRule {
  rhatTarget: number;
  essTarget: number;
  checkEvery: number;
  checkGrowth: number;
}

/**
 * A ChainStore's state, JSON-safe (`JSON.parse(JSON.stringify(s))` restores it exactly: optim's
 * encodeState keeps Float64Arrays, NaN, Infinity and -0).
 */
export type ChainStoreSnapshot = { format: string; [key: string]: unknown };

const STORE_FORMAT = "geoinv.sampling.ChainStore/1";

/** Only the stop rule's own fields (a sampler passes its whole options object as the rule). */
function stopRule(r: StopRule): Record<keyof StopRule, number> {
  return { rhatTarget: r.rhatTarget, essTarget: r.essTarget, checkEvery: r.checkEvery, checkGrowth: r.checkGrowth };
}

export class ChainStore {
  /** Stored (thinned) states per chain and their log-likelihoods. */
  stored: Float64Array[][];
  storedLogLik: number[][];
  thin: number;
  thinIncreased = false;
  /** Iteration of the next convergence check. */
  nextCheck: number;
  lastCheck: CheckInfo | null = null;

  constructor(
    readonly chains: number,
    readonly dim: number,
    thin: number,
    private readonly maxStoredPerChain: number,
    private readonly rule: StopRule,
  ) {
    this.thin = thin;
    this.nextCheck = rule.checkEvery;
    this.stored = Array.from({ length: chains }, () => []);
    this.storedLogLik = Array.from({ length: chains }, () => []);
  }

  /** The whole state (stored states, thinning, next check, last check) as a JSON-safe object. */
  snapshot(): ChainStoreSnapshot {
    return encodeState({
      format: STORE_FORMAT,
      chains: this.chains,
      dim: this.dim,
      maxStoredPerChain: this.maxStoredPerChain,
      rule: stopRule(this.rule),
      stored: this.stored,
      storedLogLik: this.storedLogLik,
      thin: this.thin,
      thinIncreased: this.thinIncreased,
      nextCheck: this.nextCheck,
      lastCheck: this.lastCheck,
    }) as ChainStoreSnapshot;
  }

  /**
   * A store continued from `snapshot()`. Chains, dimension, memory bound and stop rule must be
   * the snapshot's (a ValidationError naming `field`.key otherwise): they decide what is stored
   * and when the run stops.
   */
  static restore(
    snapshot: ChainStoreSnapshot,
    chains: number,
    dim: number,
    maxStoredPerChain: number,
    rule: StopRule,
    field = "posterior",
  ): ChainStore {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- decoded JSON, checked below
    const s = decodeState(snapshot) as Record<string, any>;
    if (!s || typeof s !== "object" || s.format !== STORE_FORMAT) {
      throw new ValidationError(
        "snapshot",
        `not a ChainStore snapshot (format '${s && s.format}', expected '${STORE_FORMAT}')`,
      );
    }
    const mine: Record<string, number> = { chains, dim, maxStoredPerChain, ...stopRule(rule) };
    const theirs: Record<string, unknown> = {
      chains: s.chains,
      dim: s.dim,
      maxStoredPerChain: s.maxStoredPerChain,
      ...(s.rule ?? {}),
    };
    for (const k of Object.keys(mine)) {
      if (mine[k] !== theirs[k])
        throw new ValidationError(
          `${field}.${k}`,
          `${mine[k]} differs from the snapshot's ${String(theirs[k])}; pass the options of the interrupted run`,
        );
    }
    const ok =
      Array.isArray(s.stored) &&
      s.stored.length === chains &&
      Array.isArray(s.storedLogLik) &&
      s.storedLogLik.length === chains;
    const n = ok ? s.stored[0].length : -1;
    const shaped =
      ok &&
      s.stored.every(
        (c: unknown[], i: number) =>
          Array.isArray(c) &&
          c.length === n &&
          s.storedLogLik[i].length === n &&
          c.every((x) => x instanceof Float64Array && x.length === dim),
      );
    if (!shaped || !Number.isInteger(s.thin) || s.thin < 1 || typeof s.nextCheck !== "number") {
      throw new ValidationError(
        "snapshot",
        "ChainStore snapshot is damaged (stored states of the wrong shape or a bad thinning); delete it and start afresh",
      );
    }
    const st = new ChainStore(chains, dim, s.thin, maxStoredPerChain, rule);
    st.stored = s.stored;
    st.storedLogLik = s.storedLogLik;
    st.thinIncreased = s.thinIncreased === true;
    st.nextCheck = s.nextCheck;
    st.lastCheck = s.lastCheck ?? null;

    return st;
  }

  /** Record the chains' states after iteration t (t >= 1 counts the iterations that are recorded). */
  record(t: number, xs: Float64Array[], lls: number[]): void {
    if (t % this.thin !== 0) return;
    for (let i = 0; i < this.chains; i++) {
      this.stored[i].push(Float64Array.from(xs[i]));
      this.storedLogLik[i].push(lls[i]);
    }
    if (this.stored[0].length > this.maxStoredPerChain) {
      // double the thinning: keep the states at iterations that are multiples of 2 thin,
      // i.e. stored index k (iteration (k+1) thin) with k odd
      for (let i = 0; i < this.chains; i++) {
        this.stored[i] = this.stored[i].filter((_, k) => k % 2 === 1);
        this.storedLogLik[i] = this.storedLogLik[i].filter((_, k) => k % 2 === 1);
      }
      this.thin *= 2;
      this.thinIncreased = true;
    }
  }

  /** Number of stored states per chain discarded as burn-in: the first half. */
  burnInCount(): number {
    return Math.floor(this.stored[0].length / 2);
  }

  /** Diagnostics on the second half of each chain [Vehtari21]. */
  diagnose(iteration: number, evaluations: number, acceptance: number): CheckInfo {
    const b = this.burnInCount();
    const n = this.stored[0].length - b;
    const rh: number[] = [];
    const es: number[] = [];
    for (let j = 0; j < this.dim; j++) {
      if (n < 4) {
        rh.push(NaN);
        es.push(0);
        continue;
      }
      const chains = this.stored.map((c) => {
        const v = new Float64Array(n);
        for (let k = 0; k < n; k++) v[k] = c[b + k][j];
        return v;
      });
      const dg = diagnoseChains(chains);
      rh.push(dg.rhat);
      es.push(Number.isFinite(dg.essBulk) ? dg.essBulk : 0);
    }
    let rhatMax = -Infinity;
    for (const r of rh) rhatMax = Number.isNaN(r) || Number.isNaN(rhatMax) ? NaN : Math.max(rhatMax, r);
    return { iteration, evaluations, rhatMax, essMin: Math.min(...es), rhat: rh, ess: es, acceptance };
  }

  /**
   * The convergence check at iteration t when one is due (the gap is max(checkEvery,
   * checkGrowth x t)): "converged" when every R-hat < target and every ESS >= target, "callback"
   * when onCheck returns "stop", else null.
   */
  check(
    t: number,
    evaluations: number,
    acceptance: number,
    onCheck?: (info: CheckInfo) => void | "stop",
  ): SampleStopReason | null {
    if (!(t > 0 && t >= this.nextCheck)) return null;
    const r = this.rule;
    this.nextCheck = t + Math.max(r.checkEvery, Math.ceil(r.checkGrowth * t));
    const info = this.diagnose(t, evaluations, acceptance);
    this.lastCheck = info;
    let reason: SampleStopReason | null = null;
    if (info.rhat.every((v) => v < r.rhatTarget) && info.ess.every((e) => e >= r.essTarget)) reason = "converged";
    if (onCheck && onCheck(info) === "stop" && reason === null) reason = "callback";
    return reason;
  }

  /**
   * What a sampler's result reports of its chains at iteration t: the kept draws (burn-in
   * removed) and their log-likelihoods, the final diagnostics, the thinning and the burn-in in
   * iterations.
   */
  finalDraws(t: number, evaluations: number, acceptance: number) {
    const info = this.finalInfo(t, evaluations, acceptance);
    const b = this.burnInCount();
    return {
      draws: this.stored.map((c) => c.slice(b)),
      logLik: this.storedLogLik.map((c) => c.slice(b)),
      rhat: info.rhat,
      ess: info.ess,
      rhatMax: info.rhatMax,
      essMin: info.essMin,
      acceptance: info.acceptance,
      thin: this.thin,
      thinIncreased: this.thinIncreased,
      burnIn: b * this.thin,
    };
  }

  /** The last check if it was made at iteration t, else a fresh diagnosis. */
  finalInfo(t: number, evaluations: number, acceptance: number): CheckInfo {
    return this.lastCheck && this.lastCheck.iteration === t
      ? this.lastCheck
      : this.diagnose(t, evaluations, acceptance);
  }
}
