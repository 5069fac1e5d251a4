/** Why a run stopped before it completed. */
export type StopReason = 'budget' | 'cancelled';

/**
 * How an experiment run ended. A stopped run says why (a typed reason, not a message to parse) and what to do next;
 * both keep the files written so far.
 */
export type ExperimentOutcome<Complete = object> =
  | ({ status: 'complete'; files: string[] } & Complete)
  | { status: 'stopped'; reason: StopReason; message: string; files: string[] };
