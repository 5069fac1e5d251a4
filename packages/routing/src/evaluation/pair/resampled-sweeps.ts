import { SweepResampler, type OperatingPoint, type ThresholdSweep } from '../../sweep/threshold-sweep.js';
import type { ResamplePlan } from '../resample-plan.js';

/** A consumer of one sweep's resampled points (it keeps nothing of `points` or `counts`: both are filled again by the next resample). */
type SweepConsumer = (points: OperatingPoint[], counts: Uint32Array, resample: number) => void;

interface SweepRequest {
  sweep: ThresholdSweep;
  at: ArrayLike<number> | null;
  consume: SweepConsumer;
}

/** The sweeps of one outcome table registered on a bootstrap pass, and their resampler once the pass has begun. */
interface TableSweeps {
  requests: SweepRequest[];
  resampler: SweepResampler | null;
}

/** The sweeps registered on each bootstrap pass, by outcome table. */
const requestsOf = new WeakMap<ResamplePlan, Map<object, TableSweeps>>();

/**
 * Registers a sweep's resampled curve (at the threshold indices `at`) on the evaluation's bootstrap pass: every sweep
 * of one outcome table is resampled in one pass over the problems per resample (a `SweepResampler`, prepared on the
 * first resample), and `consume` gets this sweep's points — the same objects on every resample, filled again by the
 * next: read them, keep nothing of them. Register before the pass runs.
 */
export function onResampledSweep(plan: ResamplePlan, sweep: ThresholdSweep, at: ArrayLike<number> | null, consume: SweepConsumer): void {
  let byTable = requestsOf.get(plan);
  if (byTable === undefined) {
    byTable = new Map();
    requestsOf.set(plan, byTable);
  }
  let sweeps = byTable.get(sweep.table);
  if (sweeps === undefined) {
    const registered: TableSweeps = { requests: [], resampler: null };
    sweeps = registered;
    byTable.set(sweep.table, registered);
    plan.each((counts, resample) => {
      registered.resampler ??= new SweepResampler(registered.requests);
      const curves = registered.resampler.curves(counts);
      registered.requests.forEach((request, index) => request.consume(curves[index]!, counts, resample));
    });
  }
  if (sweeps.resampler !== null) throw new Error('a resampled sweep was registered after the resamples ran');
  sweeps.requests.push({ sweep, at, consume });
}
