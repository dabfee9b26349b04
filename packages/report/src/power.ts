/**
 * The minimum detectable difference of a paired comparison: the smallest true mean difference a
 * two-sided paired t-test at `level` would detect with probability `power`, given the spread of
 * the observed differences:
 *   MDD = (t_{1 - alpha/2, n-1} + t_{power, n-1}) * sd(d) / sqrt(n),  alpha = 1 - level
 * (the usual normal-shift approximation with Student-t quantiles). The Wilcoxon test the report
 * runs has about 95% of the t-test's efficiency under normal differences, so read it as a lower
 * bound. null for fewer than 2 differences or a zero spread (nothing to estimate the noise from).
 */
export function minimumDetectableDifference(differences: readonly number[], options: { level?: number; power?: number } = {}): number | null {
  const n = differences.length;
  if (n < 2) return null;
  const level = options.level ?? 0.95;
  const power = options.power ?? 0.8;
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(differences.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  if (!(sd > 0)) return null;
  const df = n - 1;
  return ((studentTQuantile(1 - (1 - level) / 2, df) + studentTQuantile(power, df)) * sd) / Math.sqrt(n);
}

/** The p-quantile (0 < p < 1) of Student's t with df degrees of freedom, by bisection on its CDF. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile: needs 0 < p < 1 and df > 0, got p = ${p}, df = ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(T <= t) for Student's t: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2), for t >= 0 (symmetry otherwise). */
export function studentTCdf(t: number, df: number): number {
  if (t < 0) return 1 - studentTCdf(-t, df);
  return 1 - regularizedBeta(df / (df + t * t), df / 2, 0.5) / 2;
}

/** I_x(a, b), the regularized incomplete beta function (continued fraction, Numerical Recipes' betacf). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = g[0];
  for (let i = 1; i < 9; i++) s += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
