import type { DrainPolicy } from '../drain';
import { RunbookOutputs } from '../../../stacks/outputs';
import { Clients } from '../clients';
import { RunRecord } from '../control/journal';
import { RunbookLock } from '../control/lock';
import { ControlTable } from '../control/table';
import { Operation } from '../operation';

/** Timings of the waits inside steps. */
export interface StepTimings {
  /** Poll interval while waiting for readiness or health. @default 5 000 */
  readonly pollMs: number;
  /** How long the target's workloads may take to become ready at full capacity. @default 600 000 */
  readonly readinessTimeoutMs: number;
  /** How long health checks may take to report the new state. @default 300 000 */
  readonly verifyTimeoutMs: number;
  /**
   * At most one "still waiting" progress line per this many ms while a step waits (scale-up's
   * `x/y pods ready`, verify's health checks), the first after as long. @default PROGRESS_EVERY_MS
   */
  readonly progressMs?: number;
  /** The wait between the write fence and the flip (see tools/dr/drain.ts). @default DEFAULT_DRAIN */
  readonly drain?: DrainPolicy;
}

/**
 * What an earlier step of this invocation found out that a later one uses (in memory only; a resumed
 * invocation learns it again from its own preflight).
 */
export interface InvocationFacts {
  /**
   * Preflight found the source region unreachable (the reason): the lock does not call it, and the
   * unlock has nothing to release there (issue 16 finding 10).
   */
  sourceUnreachable?: string;
}
/** See {@link StepTimings.progressMs}: often enough to show life, rare enough to read (issue 16 finding 13). */
export const PROGRESS_EVERY_MS = 10_000;

/** What a step needs. The control table is always the target (healthy) region's. */
export interface StepContext {
  readonly outputs: RunbookOutputs;
  readonly op: Operation;
  readonly run: RunRecord;
  readonly clients: Clients;
  readonly control: ControlTable;
  readonly lock: RunbookLock;
  readonly timings: StepTimings;
  /** `--force --reason`: preflight failures are overridden and the reason audited. */
  readonly forceReason?: string;
  /**
   * `--ignore-canary --reason`: the canary's `failing` verdict on the target is a warning, not a
   * refusal (the other checks still refuse); the reason is in the check's detail and the audit.
   * @default - the canary check refuses on `failing`
   */
  readonly ignoreCanaryReason?: string;
  /**
   * `--min-capacity`: the percentage of each Deployment's full minimum that must be ready before the
   * flip (scale-up keeps scaling to full). @default DEFAULT_MIN_CAPACITY_PCT (100)
   */
  readonly minCapacityPct?: number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** An indented note under the current progress line. */
  readonly log: (line: string) => void;
  /** Shared by the steps of this invocation. @default - none (each step finds out itself) */
  readonly facts?: InvocationFacts;
}

/** What a step's dry-run preview may use: read-only clients, no journal, no lock. */
export type PreviewContext = Pick<StepContext, 'outputs' | 'op' | 'clients' | 'facts'>;

export interface StepResult {
  /** One line for the progress output, the journal and the audit. */
  readonly detail: string;
  /** Structured facts kept in the journal and audit (e.g. the observed replication latency). */
  readonly data?: Record<string, unknown>;
  /**
   * Something the operator must act on that did not fail the step (a best-effort step that could not
   * do its work); the result lists it under WARNING. @default - none
   */
  readonly warning?: string;
}

/**
 * One runbook step. `run` must be idempotent: running it again after it (or a crash right after
 * it) leaves the same state and repeats no side effect.
 */
export interface Step {
  readonly id: StepId;
  title(op: Operation): string;
  run(ctx: StepContext): Promise<StepResult>;
  /**
   * `--dry-run`: the changes the step would make, one line each, read-only.
   * @default - none (the dry run lists the step's title only)
   */
  preview?(ctx: PreviewContext): Promise<readonly string[]>;
}

export type StepId =
  'preflight' | 'lock' | 'fence' | 'scale-up' | 'flip' | 'verify' | 'standby' | 'notify' | 'unlock';

/** What {@link waitFor} polls. */
export interface WaitSpec<T> {
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** A value ends the wait; undefined polls again. */
  readonly check: () => Promise<T | undefined>;
  readonly timeoutMessage: () => string;
  /**
   * The state being waited on (`5/20 pods ready ...`), printed as `    waiting <elapsed> s of <timeout> s: <it>` at
   * most once per `progressMs` (after the first such interval). @default - no progress lines
   */
  readonly waiting?: () => string;
  /** @default PROGRESS_EVERY_MS */
  readonly progressMs?: number;
}

/** Polls `check` until it returns a value, or throws `timeoutMessage()` after `timeoutMs`. */
export async function waitFor<T>(
  ctx: Pick<StepContext, 'now' | 'sleep'> & Partial<Pick<StepContext, 'log'>>,
  spec: WaitSpec<T>,
): Promise<T> {
  const started = ctx.now().getTime();
  const deadline = started + spec.timeoutMs;
  const every = spec.progressMs ?? PROGRESS_EVERY_MS;
  let lastLine = started;
  for (;;) {
    const v = await spec.check();
    if (v !== undefined) return v;
    const at = ctx.now().getTime();
    if (at >= deadline) throw new Error(spec.timeoutMessage());
    if (spec.waiting && ctx.log && at - lastLine >= every) {
      lastLine = at;
      ctx.log(
        `    waiting ${Math.round((at - started) / 1000)} s of ${Math.round(spec.timeoutMs / 1000)} s: ${spec.waiting()}`,
      );
    }
    await ctx.sleep(spec.pollMs);
  }
}
