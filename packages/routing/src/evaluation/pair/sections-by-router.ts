import { handTurn, type RoutingPolicy, type RunControl } from '@confide/core';
import { certifiedThresholds, type CertifiedRiskControl, type CertifiedTarget, type CertifiedThresholdsContext, type RiskControlEntry } from './certified-thresholds.js';
import type { PairRouterCurves } from './router-curves.js';
import { sweptScoreRecalibration, type ScoreRecalibration } from './score-recalibration.js';

type RecalibrationSettings = NonNullable<Parameters<typeof sweptScoreRecalibration>[2]>;

/** What the risk-control entries certify, in the entries' order (as `certifiedThresholds` gives it). */
export interface CertifiedThresholds {
  riskControl: CertifiedRiskControl[];
  targets: CertifiedTarget[];
  policies: RoutingPolicy[];
}

/**
 * The pair's sections that depend on one router each — its risk-control entries (`certifiedThresholds`) and its
 * swept score's recalibration (`sweptScoreRecalibration`) — computed one router at a time, so those of the routers
 * evaluated before a learned router's fit ends can be computed while the fit runs (`computeReady` from
 * `whileRoutersPrepare`) and the others once every router is evaluated. Each entry and each score is computed on its
 * own either way (its own seed, split and resamples), so the results, put back in the experiment's order, are those of
 * computing them all at once.
 */
export class SectionsByRouter {
  /** Each risk-control entry's result, by its position among the entries. */
  readonly #certified = new Map<number, CertifiedThresholds>();
  /** Each swept score's recalibration (one result per method), by router id. */
  readonly #recalibrated = new Map<string, ScoreRecalibration[]>();
  /** The resamples of n problems, drawn once for every recalibrated score held by n problems. */
  readonly #resamplesByProblems = new Map<number, Uint32Array>();

  constructor(
    private readonly settings: {
      /** The context of `certifiedThresholds`, but for the routers (given with each call). */
      certification: Omit<CertifiedThresholdsContext, 'routers'>;
      riskControl: readonly RiskControlEntry[];
      recalibration: Omit<RecalibrationSettings, 'resamplesByProblems'>;
    },
  ) {}

  /** Both sections for the routers evaluated so far (those whose results are not computed yet). */
  async computeReady(ready: PairRouterCurves, control: RunControl = {}): Promise<void> {
    await this.#certify(ready, control, (entry) => ready.sweeps.has(entry.router));
    for (const id of ready.sweeps.keys()) {
      await handTurn(control, 'pair: recalibration');
      this.#recalibrate(ready, id);
    }
  }

  /** Every risk-control entry's result on the pair's routers, in the entries' order; an entry on no sweep fails here. */
  async certifiedThresholds(routers: PairRouterCurves, control: RunControl = {}): Promise<CertifiedThresholds> {
    await this.#certify(routers, control, () => true);
    const results = this.settings.riskControl.map((_, position) => this.#certified.get(position)!);
    return {
      riskControl: results.flatMap((result) => result.riskControl),
      targets: results.flatMap((result) => result.targets),
      policies: results.flatMap((result) => result.policies),
    };
  }

  /** Every swept score's recalibration, in the sweeps' order. */
  recalibration(routers: PairRouterCurves): ScoreRecalibration[] {
    for (const id of routers.sweeps.keys()) this.#recalibrate(routers, id);
    return [...routers.sweeps.keys()].flatMap((id) => this.#recalibrated.get(id)!);
  }

  async #certify(routers: PairRouterCurves, control: RunControl, ready: (entry: RiskControlEntry) => boolean): Promise<void> {
    for (const [position, entry] of this.settings.riskControl.entries()) {
      if (this.#certified.has(position) || !ready(entry)) continue;
      this.#certified.set(position, await certifiedThresholds({ ...this.settings.certification, routers }, [entry], control));
    }
  }

  /** The recalibration of router `id`'s swept score, unless computed already. */
  #recalibrate(routers: PairRouterCurves, id: string): void {
    if (this.#recalibrated.has(id)) return;
    const one: PairRouterCurves = { curves: routers.curves, sweeps: new Map([[id, routers.sweeps.get(id)!]]), engineSweepOutcomes: routers.engineSweepOutcomes };
    this.#recalibrated.set(id, sweptScoreRecalibration(this.settings.certification.table, one, { ...this.settings.recalibration, resamplesByProblems: this.#resamplesByProblems }));
  }
}
