import { InvalidInputError, PROBABILITY_CLAMP, predictTemperature, sigmoid, temperatureLogit, type TemperatureFit, type TemperatureInput } from '@confide/core';

/**
 * Temperature scaling (Guo, Pleiss, Sun & Weinberger, 2017, "On Calibration of Modern Neural Networks", §4.2) for a
 * binary verdict: P(right) = σ(z / T) for a logit z and one parameter T > 0, fitted by minimising the log loss. Unlike
 * Platt scaling it has no intercept: it sharpens (T < 1) or softens (T > 1) the score and never moves 1/2, so it keeps
 * the score's order and its own zero.
 */

/**
 * The fit as data (`TemperatureFit`, `TemperatureInput`: how a score becomes the logit z) and its reading
 * (`predictTemperature`, `temperatureLogit`, `PROBABILITY_CLAMP`) live in core; re-exported here.
 */
export { PROBABILITY_CLAMP, predictTemperature, temperatureLogit };
export type { TemperatureFit, TemperatureInput } from '@confide/core';

/**
 * Fits T by minimising the weighted log loss L(β) = Σ w · (log(1 + e^{βz}) − y·βz) over β = 1/T ≥ 0. L is convex in
 * β, so the minimum is where L′(β) = Σ w · z · (σ(βz) − y) crosses 0: the root is bracketed (L′(0) < 0; β doubled from
 * 1 until L′ ≥ 0; when every right answer has z ≥ 0 and every wrong one z ≤ 0, L falls all the way to β = ∞, T = 0) and
 * found by Newton steps kept inside the bracket (bisection when a step leaves it), until a step or
 * the bracket is below 1e-13 of β. Deterministic; weights default to 1 and a zero weight takes no part.
 */
export function fitTemperatureScaling(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  options: { input?: TemperatureInput; weights?: ArrayLike<number> } = {},
): TemperatureFit {
  const n = scores.length;
  const input = options.input ?? 'logit';
  if (labels.length !== n) throw new InvalidInputError({ field: 'labels', problem: `has ${labels.length} entries but scores has ${n}` });
  if (options.weights !== undefined && options.weights.length !== n) throw new InvalidInputError({ field: 'weights', problem: `has ${options.weights.length} entries but scores has ${n}` });
  const logits = new Float64Array(n);
  const targets = new Uint8Array(n);
  const weights = new Float64Array(n);
  let total = 0;
  for (let index = 0; index < n; index++) {
    const score = scores[index]!;
    if (!Number.isFinite(score) || (input === 'probability' && (score < 0 || score > 1))) {
      throw new InvalidInputError({ field: `scores[${index}]`, problem: input === 'probability' ? `must be a probability in [0, 1], got ${score}` : `must be finite, got ${score}` });
    }
    const label = labels[index];
    if (label !== 0 && label !== 1 && label !== true && label !== false) throw new InvalidInputError({ field: `labels[${index}]`, problem: `must be 0, 1, true or false, got ${String(label)}` });
    const weight = options.weights?.[index] ?? 1;
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new InvalidInputError({ field: `weights[${index}]`, problem: `must be a finite number ≥ 0, got ${weight}` });
    logits[index] = temperatureLogit(score, input);
    targets[index] = label === 1 || label === true ? 1 : 0;
    weights[index] = weight;
    total += weight;
  }
  if (total === 0) throw new InvalidInputError({ field: 'weights', problem: 'no answer has weight: nothing to fit' });
  const slopeAndCurvature = (beta: number): [number, number] => {
    let slope = 0;
    let curvature = 0;
    for (let index = 0; index < n; index++) {
      const weight = weights[index]!;
      if (weight === 0) continue;
      const z = logits[index]!;
      const p = sigmoid(beta * z);
      slope += weight * z * (p - targets[index]!);
      curvature += weight * z * z * p * (1 - p);
    }
    return [slope, curvature];
  };
  if (slopeAndCurvature(0)[0] >= 0) return { temperature: Number.POSITIVE_INFINITY, input, optimum: 'no-signal' };
  let separated = true;
  for (let index = 0; index < n && separated; index++) {
    if (weights[index]! > 0 && (targets[index] === 1 ? logits[index]! < 0 : logits[index]! > 0)) separated = false;
  }
  if (separated) return { temperature: 0, input, optimum: 'separated' };
  let low = 0;
  let high = 1;
  // the loss has a finite minimiser here; β past 2^60 only when exp underflows, where T ≈ 0 reads the same
  while (slopeAndCurvature(high)[0] < 0 && high < 2 ** 60) {
    low = high;
    high *= 2;
  }
  let beta = (low + high) / 2;
  for (let iteration = 0; iteration < 200; iteration++) {
    const [slope, curvature] = slopeAndCurvature(beta);
    if (slope === 0) break;
    if (slope < 0) low = beta;
    else high = beta;
    if (high - low <= 1e-13 * high) break;
    const newton = beta - slope / curvature;
    const next = newton > low && newton < high ? newton : (low + high) / 2;
    if (Math.abs(next - beta) <= 1e-15 * beta) break;
    beta = next;
  }
  return { temperature: 1 / beta, input, optimum: 'interior' };
}
