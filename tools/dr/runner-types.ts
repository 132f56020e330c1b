import { RunbookOutputs } from '../../stacks/outputs';
import { Progress } from '../lib/progress';
import { ActiveRegionFollowUp } from './active-region';
import { SourceEvidence } from './source-evidence';
import { Clients } from './clients';
import { JournalConflict } from './control/journal';
import { Operation, OperationKind } from './operation';
import { StepId, StepTimings } from './steps';

/* The runner's request, dependencies and result types, and the journal guard (tools/dr/runner.ts). */

/** Where a crash can be injected: after a step's side effect, before the journal records it done. */
export interface StepRef {
  readonly operation: OperationKind;
  /** The step's number within its operation (1-based). */
  readonly n: number;
  readonly id: StepId;
}

export interface RunnerDeps {
  readonly outputs: RunbookOutputs;
  readonly clients: Clients;
  readonly progress: Progress;
  /** `user@host` recorded as the owner of runs and of the lock. */
  readonly owner: string;
  /** This process; a resumed run is a new invocation. */
  readonly invocation: string;
  /** Lock lease and how long to wait for a crashed invocation's lease. */
  readonly lease: { readonly leaseMs: number; readonly waitMs: number };
  readonly timings: StepTimings;
  /** `--min-capacity`: see `StepContext.minCapacityPct` (./steps). @default 100 */
  readonly minCapacityPct?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * An open run older than this is not resumed before its flip (`--max-run-age`).
   * @default DEFAULT_MAX_RUN_AGE_MS (1 h)
   */
  readonly maxRunAgeMs?: number;
  /** Test and drill hook, called after each step's side effect and before it is journaled. */
  readonly afterEffect?: (ref: StepRef) => Promise<void> | void;
}

export interface OperationRequest {
  readonly op: Operation;
  readonly dryRun: boolean;
  readonly forceReason?: string;
  /** `--ignore-canary --reason` (see `StepContext.ignoreCanaryReason`); not kept across invocations. */
  readonly ignoreCanaryReason?: string;
  /** A fixed run id (the two halves of a drill); otherwise the open run is resumed or a new one started. */
  readonly runId?: string;
  /** Dry run only: also run the read-only preflight checks. @default true */
  readonly dryRunChecks?: boolean;
}

export interface StepReport {
  readonly n: number;
  readonly id: StepId;
  readonly title: string;
  /**
   * `done` now, `done-earlier` by a previous invocation of this run, or not done: `pending` (the run
   * stopped before it; a re-run resumes there) or `not-run` (the journal could not be read or written,
   * so nothing ran and whether a previous invocation did the step is unknown).
   */
  readonly status: 'done' | 'done-earlier' | 'failed' | 'pending' | 'not-run' | 'planned';
  readonly ms?: number;
  readonly detail?: string;
  /** Dry run only: the changes the step would make (its `preview`). @default - none */
  readonly preview?: readonly string[];
}

export interface OperationResult {
  readonly operation: OperationKind;
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  readonly runId?: string;
  readonly status: 'completed' | 'failed' | 'refused' | 'planned';
  readonly resumed: boolean;
  readonly steps: readonly StepReport[];
  /**
   * The recovery time (issue 16 finding 14): {@link timeToFlipMs} plus {@link dnsTtlMs}, i.e. until
   * clients resolve the target. 0 while the flip has not happened (nothing recovered yet).
   */
  readonly rtoMs: number;
  /**
   * Run start to the flip's completion, wall clock (a crash and its resume included), from the journal.
   * @default - the flip has not happened
   */
  readonly timeToFlipMs?: number;
  /** The failover records' TTL: resolvers may serve the old answer that long after the flip. */
  readonly dnsTtlMs?: number;
  /** Sum of the step durations of this result (the runbook's own work, post-flip steps included). */
  readonly stepsMs?: number;
  /** The source's Kinesis and SQS backlog read right before the fence (RPO evidence). @default - not read */
  readonly sourceBacklog?: SourceEvidence;
  /** Dry run only: the preflight checks that would refuse the run (exit 1). @default - none */
  readonly wouldRefuse?: readonly string[];
  /** Run start to completion, including any time between a crash and the resume. */
  readonly wallClockMs?: number;
  /** Replication latency measured by preflight just before the cut-over (the observed RPO). */
  readonly replicationLatencyMs?: number | null;
  readonly forceReason?: string;
  readonly error?: string;
  /** When completed: the stack config change that keeps the next `pulumi up` from undoing the move. */
  readonly activeRegionConfig?: ActiveRegionFollowUp;
  /** Things the operator must know that did not fail the result (a dry run's unreadable journal). */
  readonly warnings?: readonly string[];
}

/** The journal (the target's control table) could not be read or written before the first step. */
export class JournalUnavailable extends Error {
  override name = 'JournalUnavailable';
}

export const describeError = (err: unknown) =>
  err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);

/**
 * Runs `fn` against the journal in `table` (`region`); any failure becomes a {@link JournalUnavailable}
 * naming what could not be done where, e.g. `could not read the journal in staging-control (us-east-1)`.
 * A {@link JournalConflict} passes through (the journal was read; its content is the problem).
 */
export async function atJournal<T>(
  where: { readonly tableName: string; readonly region: string },
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof JournalConflict || err instanceof JournalUnavailable) throw err;
    throw new JournalUnavailable(
      `could not ${what} in ${where.tableName} (${where.region}): ${describeError(err)}`,
    );
  }
}
