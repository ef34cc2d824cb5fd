// The few distribution functions the benchmark's tests need: the F
// distribution's upper tail (ANOVA p-values) through the regularized
// incomplete beta function, and the exact binomial sign test.

/** ln Gamma(x) for x > 0: Lanczos approximation (g = 7, 9 terms), ~15 significant digits. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  // reflection keeps the series accurate for small arguments
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * Continued fraction of the incomplete beta function (DLMF 8.17.22),
 * evaluated by the modified Lentz method. Converges fast for x < (a+1)/(a+b+2).
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 1000; m++) {
    // even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    c = 1 + num / c;
    if (Math.abs(d) < TINY) d = TINY;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= d * c;
    // odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    if (Math.abs(d) < TINY) d = TINY;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return f;
}

/** The regularized incomplete beta function I_x(a, b) for a, b > 0, x in [0, 1]. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // x^a (1-x)^b / (a B(a, b)) is the prefactor of the continued fraction
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  // use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the fraction converges slowly
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(F > f) for F with (d1, d2) degrees of freedom: the p-value of an F test. */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0 && d2 > 0)) return NaN;
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  return regularizedBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/**
 * Two-sided exact sign test: `lower` and `higher` are the untied pairs on
 * each side; under H0 each side is Binomial(n, 1/2).
 * p = min(1, 2 P(X <= min(lower, higher))); NaN when every pair is tied.
 */
export function signTestP(lower: number, higher: number): number {
  const n = lower + higher;
  if (n === 0) return NaN;
  const k = Math.min(lower, higher);
  // sum C(n, i) / 2^n in log space, so large n neither overflows nor underflows the sum
  const logHalfN = n * Math.LN2;
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    tail += Math.exp(logC - logHalfN);
    logC += Math.log(n - i) - Math.log(i + 1);
  }
  return Math.min(1, 2 * tail);
}
