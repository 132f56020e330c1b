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
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** An indented note under the current progress line. */
  readonly log: (line: string) => void;
  /** Shared by the steps of this invocation. @default - none (each step finds out itself) */
  readonly facts?: InvocationFacts;
}

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
}

export type StepId =
  'preflight' | 'lock' | 'fence' | 'scale-up' | 'flip' | 'verify' | 'standby' | 'notify' | 'unlock';

/** Polls `check` until it returns a value, or throws `timeoutMessage()` after `timeoutMs`. */
export async function waitFor<T>(
  ctx: Pick<StepContext, 'now' | 'sleep'>,
  timeoutMs: number,
  pollMs: number,
  check: () => Promise<T | undefined>,
  timeoutMessage: () => string,
): Promise<T> {
  const deadline = ctx.now().getTime() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (ctx.now().getTime() >= deadline) throw new Error(timeoutMessage());
    await ctx.sleep(pollMs);
  }
}
