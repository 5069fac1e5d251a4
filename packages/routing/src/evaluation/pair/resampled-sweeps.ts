import { resampledCurves, type OperatingPoint, type ThresholdSweep } from '../../sweep/threshold-sweep.js';
import type { ResamplePlan } from '../resample-plan.js';

type SweepConsumer = (points: OperatingPoint[], counts: Uint32Array, resample: number) => void;

interface SweepRequest {
  sweep: ThresholdSweep;
  at: ArrayLike<number> | null;
  consume: SweepConsumer;
}

/** The sweeps registered on each bootstrap pass, by outcome table. */
const requestsOf = new WeakMap<ResamplePlan, Map<object, SweepRequest[]>>();

/**
 * Registers a sweep's resampled curve (at the threshold indices `at`) on the evaluation's bootstrap pass: every sweep
 * of one outcome table is resampled in one pass over the problems per resample (`resampledCurves`), and `consume`
 * gets this sweep's points. Register before the pass runs.
 */
export function onResampledSweep(plan: ResamplePlan, sweep: ThresholdSweep, at: ArrayLike<number> | null, consume: SweepConsumer): void {
  let byTable = requestsOf.get(plan);
  if (byTable === undefined) {
    byTable = new Map();
    requestsOf.set(plan, byTable);
  }
  let requests = byTable.get(sweep.table);
  if (requests === undefined) {
    const registered: SweepRequest[] = [];
    requests = registered;
    byTable.set(sweep.table, registered);
    plan.each((counts, resample) => {
      const curves = resampledCurves(registered, counts);
      registered.forEach((request, index) => request.consume(curves[index]!, counts, resample));
    });
  }
  requests.push({ sweep, at, consume });
}
