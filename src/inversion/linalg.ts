/** Small dense linear algebra for the Occam inversion (row-major number[][]). */

/** A^T A and A^T b for A (m x n), b (m). */
export function normalEquations(A: number[][], b: ArrayLike<number>): { G: number[][]; g: number[] } {
  const m = A.length;
  const n = m > 0 ? A[0].length : 0;
  const G = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const g = new Array<number>(n).fill(0);
  for (let r = 0; r < m; r++) {
    const row = A[r];
    for (let i = 0; i < n; i++) {
      const ai = row[i];
      if (ai === 0) continue;
      g[i] += ai * b[r];
      const Gi = G[i];
      for (let j = i; j < n; j++) Gi[j] += ai * row[j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) G[i][j] = G[j][i];
  return { G, g };
}

/**
 * Solve S x = b for a symmetric positive definite S by Cholesky factorisation. A non-positive
 * pivot (S only semi-definite) is an error.
 */
export function choleskySolve(S: number[][], b: ArrayLike<number>): number[] {
  const n = S.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`choleskySolve: matrix not positive definite (pivot ${i}: ${s})`);
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

/** The first-difference roughness operator's normal matrix D^T D (n x n, tridiagonal). */
export function firstDifferenceGram(n: number): number[][] {
  const R = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i + 1 < n; i++) {
    R[i][i] += 1;
    R[i + 1][i + 1] += 1;
    R[i][i + 1] -= 1;
    R[i + 1][i] -= 1;
  }
  return R;
}
