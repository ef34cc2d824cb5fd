// Ordinary least squares for the benchmark's ANOVA. Only two things are
// needed from a fit: the residual sum of squares and the rank of the design.
// Designs of one-hot factors are often rank deficient (a technique that only
// exists in one pipeline, a level missing from a bootstrap resample), so the
// fit projects y onto the column space through an eigendecomposition of the
// Gram matrix, dropping directions with (near) zero eigenvalue, instead of
// inverting X'X.
//
// Why the Gram matrix and not an SVD of X: the ANOVA bootstrap refits every
// model a few thousand times, and X'X is p x p (p ~ 20) however many
// organisms there are; an SVD of the n x p design with its left vectors was
// ~50x slower. Centring y and the columns (the intercept is always in the
// model) keeps the squared condition number harmless for these designs.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface OlsFit {
  /** residual sum of squares */
  rss: number;
  /** rank of the design, intercept included (parameters actually estimated) */
  rank: number;
}

/**
 * Eigenvalues of the centred Gram matrix below this share of the largest count
 * as zero. Exact collinearity leaves ~1e-15 of the largest; a real direction
 * this weak (singular value ~3e-5 of the largest) carries no usable information.
 */
const RELATIVE_TOLERANCE = 1e-9;

function centred(xs: readonly number[]): Float64Array {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = xs[i] - m;
  return out;
}

/**
 * A design's cross-products, computed once so that the full model and every
 * model without some columns (type-II SS) are fitted from sub-matrices.
 */
export class OlsDesign {
  private readonly gram: Float64Array;
  private readonly xty: Float64Array;
  private readonly yy: number;
  readonly n: number;
  readonly p: number;

  /** y on an intercept plus the given columns (each of length y.length). */
  constructor(columns: readonly (readonly number[])[], y: readonly number[]) {
    this.n = y.length;
    this.p = columns.length;
    const { n, p } = this;
    this.gram = new Float64Array(p * p);
    this.xty = new Float64Array(p);
    if (n === 0) {
      this.yy = 0;
      return;
    }
    const yc = centred(y);
    let yy = 0;
    for (let i = 0; i < n; i++) yy += yc[i] * yc[i];
    this.yy = yy;
    const xs = columns.map(centred);
    for (let j = 0; j < p; j++) {
      const xj = xs[j];
      let s = 0;
      for (let i = 0; i < n; i++) s += xj[i] * yc[i];
      this.xty[j] = s;
      for (let k = j; k < p; k++) {
        const xk = xs[k];
        let g = 0;
        for (let i = 0; i < n; i++) g += xj[i] * xk[i];
        this.gram[j * p + k] = g;
        this.gram[k * p + j] = g;
      }
    }
  }

  /** The fit on the intercept and the columns `keep` (default: all). */
  fit(keep?: readonly number[]): OlsFit {
    if (this.n === 0) return { rss: 0, rank: 0 };
    const cols = keep ?? Array.from({ length: this.p }, (_, j) => j);
    const q = cols.length;
    if (q === 0) return { rss: this.yy, rank: 1 };
    const sub = new Matrix(q, q);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) sub.set(a, b, this.gram[cols[a] * this.p + cols[b]]);
    const evd = new EigenvalueDecomposition(sub, { assumeSymmetric: true });
    const lambda = evd.realEigenvalues;
    const V = evd.eigenvectorMatrix;
    const tol = RELATIVE_TOLERANCE * Math.max(0, ...lambda);
    // explained SS = sum over kept directions v of (v'X'y)^2 / lambda
    let explained = 0;
    let rank = 1;
    for (let k = 0; k < q; k++) {
      if (!(lambda[k] > tol)) continue;
      rank++;
      let proj = 0;
      for (let a = 0; a < q; a++) proj += V.get(a, k) * this.xty[cols[a]];
      explained += (proj * proj) / lambda[k];
    }
    return { rss: Math.max(0, this.yy - explained), rank };
  }
}

/** Fit y on an intercept plus the given columns (each of length y.length). */
export function olsFit(columns: readonly (readonly number[])[], y: readonly number[]): OlsFit {
  return new OlsDesign(columns, y).fit();
}
