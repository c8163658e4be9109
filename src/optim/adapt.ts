/**
 * JADE control-parameter adaptation (Zhang & Sanderson 2009; seed eqs. 6-8):
 * CR_i ~ N(mu_CR, 0.1) clipped to [0, 1]; F_i ~ Cauchy(mu_F, 0.1), redrawn while <= 0, truncated
 * at 1; after each generation mu_CR <- (1 - c) mu_CR + c mean_A(S_CR) and
 * mu_F <- (1 - c) mu_F + c mean_L(S_F), over the values of the successful trials.
 */

/** CR_i = N(mu_CR, sd) clipped to [0, 1] (seed eq. 6). */
export function sampleCR(muCR: number, gauss: () => number, sd = 0.1): number {
  const v = muCR + sd * gauss();
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A Cauchy deviate with location `mu` and scale `gamma`, by inversion of the CDF. */
export function cauchy(mu: number, gamma: number, rand: () => number): number {
  return mu + gamma * Math.tan(Math.PI * (rand() - 0.5));
}

/** F_i = Cauchy(mu_F, scale): redrawn while <= 0, truncated to 1 (seed eq. 7). */
export function sampleF(muF: number, rand: () => number, scale = 0.1): number {
  for (;;) {
    const f = cauchy(muF, scale, rand);
    if (f > 0) return f > 1 ? 1 : f;
  }
}

/** Lehmer mean sum(F^2) / sum(F) of the successful scale factors (seed eq. 8). */
export function lehmerMean(values: ArrayLike<number>): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s1 += values[i];
    s2 += values[i] * values[i];
  }
  return s1 > 0 ? s2 / s1 : 0;
}

export function arithmeticMean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length > 0 ? s / values.length : 0;
}

/**
 * One generation's update of (mu_CR, mu_F) from the successful sets S_CR, S_F with learning rate
 * c (seed eqs. 6-7). An empty success set leaves both means unchanged.
 */
export function updateMeans(
  muCR: number,
  muF: number,
  sCR: ArrayLike<number>,
  sF: ArrayLike<number>,
  c: number,
): { muCR: number; muF: number } {
  if (sCR.length === 0) return { muCR, muF };
  return {
    muCR: (1 - c) * muCR + c * arithmeticMean(sCR),
    muF: (1 - c) * muF + c * lehmerMean(sF),
  };
}
