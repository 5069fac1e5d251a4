import { InvalidInputError, predictPlatt, sigmoid, type PlattFit, type PlattTargets } from '@confide/core';

/**
 * Platt scaling (Platt, 1999, "Probabilistic Outputs for Support Vector Machines"): P(right | score) = σ(slope · score
 * + intercept), the logistic regression of the verdict on the score, fitted by maximum likelihood.
 */

/** The fit as data (`PlattFit`, `PlattTargets`) and its reading (`predictPlatt`, `sigmoid`) live in core; re-exported here. */
export { predictPlatt, sigmoid };
export type { PlattFit, PlattTargets } from '@confide/core';

const MAX_ITERATIONS = 100;

/** log(1 + e^u) without overflow. */
export function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/**
 * Fits Platt scaling by Newton's method on the weighted log loss (IRLS) with step halving, from slope 0 and the
 * intercept of the targets' mean (Lin, Lin & Weng, 2007, "A note on Platt's probabilistic outputs", Algorithm 1).
 * Scores are centred and scaled by their weighted standard deviation for the fit (the result is mapped back), so
 * lengths in the thousands converge like probabilities. Deterministic; weights default to 1 and a zero weight takes no
 * part. With every score equal (to rounding) the slope is 0 and the intercept the logit of the targets' mean.
 */
export function fitPlattScaling(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  options: { weights?: ArrayLike<number>; targets?: PlattTargets } = {},
): PlattFit {
  const n = scores.length;
  const targetsKind = options.targets ?? 'platt';
  if (labels.length !== n) throw new InvalidInputError({ field: 'labels', problem: `has ${labels.length} entries but scores has ${n}` });
  const weight = (index: number) => options.weights?.[index] ?? 1;
  if (options.weights !== undefined && options.weights.length !== n) throw new InvalidInputError({ field: 'weights', problem: `has ${options.weights.length} entries but scores has ${n}` });
  let positives = 0;
  let negatives = 0;
  let scoreSum = 0;
  // the score ranges of weighted right and wrong answers: the classes must overlap for a finite unpenalised fit
  let lowestRight = Number.POSITIVE_INFINITY;
  let highestRight = Number.NEGATIVE_INFINITY;
  let lowestWrong = Number.POSITIVE_INFINITY;
  let highestWrong = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < n; index++) {
    const w = weight(index);
    if (!(w >= 0) || !Number.isFinite(w)) throw new InvalidInputError({ field: `weights[${index}]`, problem: `must be a finite number ≥ 0, got ${w}` });
    if (!Number.isFinite(scores[index]!)) throw new InvalidInputError({ field: `scores[${index}]`, problem: `must be finite, got ${scores[index]}` });
    const label = labels[index];
    if (label !== 0 && label !== 1 && label !== true && label !== false) throw new InvalidInputError({ field: `labels[${index}]`, problem: `must be 0, 1, true or false, got ${String(label)}` });
    if (w === 0) continue;
    const score = scores[index]!;
    if (label === 1 || label === true) {
      positives += w;
      lowestRight = Math.min(lowestRight, score);
      highestRight = Math.max(highestRight, score);
    } else {
      negatives += w;
      lowestWrong = Math.min(lowestWrong, score);
      highestWrong = Math.max(highestWrong, score);
    }
    scoreSum += w * score;
  }
  const total = positives + negatives;
  if (total === 0) throw new InvalidInputError({ field: 'weights', problem: 'no answer has weight: nothing to fit' });
  const high = targetsKind === 'platt' ? (positives + 1) / (positives + 2) : 1;
  const low = targetsKind === 'platt' ? 1 / (negatives + 2) : 0;
  const target = (index: number) => (labels[index] === 1 || labels[index] === true ? high : low);
  const mean = scoreSum / total;
  let squares = 0;
  for (let index = 0; index < n; index++) squares += weight(index) * (scores[index]! - mean) ** 2;
  const spread = Math.sqrt(squares / total);
  let targetMean = 0;
  for (let index = 0; index < n; index++) targetMean += weight(index) * target(index);
  targetMean /= total;
  if (targetsKind === 'labels' && (positives === 0 || negatives === 0)) throw separated();
  // scores that differ only by rounding count as equal
  if (spread <= 1e-12 * Math.max(1, Math.abs(mean))) return { slope: 0, intercept: Math.log(targetMean / (1 - targetMean)), targets: targetsKind, iterations: 0 };
  if (targetsKind === 'labels' && !(highestWrong > lowestRight && highestRight > lowestWrong)) throw separated();
  // the answers that take part, as columns: weight, standardised score, target
  const ws: number[] = [];
  const zs: number[] = [];
  const ts: number[] = [];
  for (let index = 0; index < n; index++) {
    if (weight(index) === 0) continue;
    ws.push(weight(index));
    zs.push((scores[index]! - mean) / spread);
    ts.push(target(index));
  }
  const m = ws.length;
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let row = 0; row < m; row++) {
      const u = a * zs[row]! + b;
      sum += ws[row]! * (softplus(u) - ts[row]! * u);
    }
    return sum;
  };
  let a = 0;
  let b = Math.log(targetMean / (1 - targetMean));
  let current = loss(a, b);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    let gradientA = 0;
    let gradientB = 0;
    let hessianAA = 0;
    let hessianAB = 0;
    let hessianBB = 0;
    for (let row = 0; row < m; row++) {
      const w = ws[row]!;
      const z = zs[row]!;
      const p = sigmoid(a * z + b);
      const residual = w * (p - ts[row]!);
      const curvature = w * p * (1 - p);
      gradientA += residual * z;
      gradientB += residual;
      hessianAA += curvature * z * z;
      hessianAB += curvature * z;
      hessianBB += curvature;
    }
    // the Hessian is positive definite for scores that are not all equal (a tiny ridge guards a degenerate step)
    const ridge = 1e-12 * total;
    const determinant = (hessianAA + ridge) * (hessianBB + ridge) - hessianAB * hessianAB;
    const stepA = -((hessianBB + ridge) * gradientA - hessianAB * gradientB) / determinant;
    const stepB = -((hessianAA + ridge) * gradientB - hessianAB * gradientA) / determinant;
    // the Newton decrement: twice the loss decrease the step promises
    const decrement = -(gradientA * stepA + gradientB * stepB);
    if (!(decrement > 0)) break;
    // at rounding level the loss cannot judge the step: take Newton's last step whole (it squares the error) and stop
    if (decrement <= 1e-12 * Math.max(1, current)) {
      a += stepA;
      b += stepB;
      break;
    }
    let scale = 1;
    let next = loss(a + stepA, b + stepB);
    while (!(next <= current) && scale > 1e-10) {
      scale /= 2;
      next = loss(a + scale * stepA, b + scale * stepB);
    }
    if (!(next <= current)) break;
    a += scale * stepA;
    b += scale * stepB;
    current = next;
  }
  return { slope: a / spread, intercept: b - (a * mean) / spread, targets: targetsKind, iterations };
}

function separated(): InvalidInputError {
  return new InvalidInputError({
    field: 'labels',
    problem: "the score separates right from wrong answers (or only one kind is present): the unpenalised logistic fit has no finite slope; use Platt's targets",
  });
}
