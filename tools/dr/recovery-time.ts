import { RunbookOutputs } from '../../stacks/outputs';
import { DEFAULT_RECORD_TTL_SECONDS } from '../../stacks/traffic/record-defaults';
import { RunRecord, StepEntry } from './control/journal';
import type { OperationResult, StepReport } from './runner';
import { SourceEvidence } from './source-evidence';

/**
 * The recovery time of a run (issue 16 finding 14). Recovery is when clients reach the target: the
 * flip, plus the failover records' TTL while resolvers still hold the old answer. So the RTO is
 * time-to-flip (wall clock from the run's start, a crash and its resume included) plus that TTL; the
 * steps after the flip (verify, notify, unlock, standby) are the runbook's bookkeeping, not recovery,
 * and the sum of step durations left out the time between a crash and its resume.
 */

/** The DNS TTL the RTO adds: the outputs' `traffic.recordTtlSeconds`, else the stack's default. */
export function dnsTtlMs(outputs: RunbookOutputs): number {
  return (outputs.traffic.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS) * 1000;
}

/** RTO from the run's start, the flip's completion (ISO times) and the TTL; undefined flip: 0 (not recovered). */
export function rto(startedAt: string, flipCompletedAt: string | undefined, ttlMs: number) {
  if (flipCompletedAt === undefined) return { rtoMs: 0 };
  const timeToFlipMs = Math.max(0, Date.parse(flipCompletedAt) - Date.parse(startedAt));
  return { rtoMs: timeToFlipMs + ttlMs, timeToFlipMs };
}

/** The result's recovery figures, from the run's journal entries. */
export function recoveryTimes(
  outputs: RunbookOutputs,
  run: RunRecord,
  steps: Map<number, StepEntry>,
  reports: readonly StepReport[],
): Pick<OperationResult, 'rtoMs' | 'timeToFlipMs' | 'dnsTtlMs' | 'stepsMs' | 'sourceBacklog'> {
  const entries = [...steps.values()];
  const flip = entries.find((e) => e.stepId === 'flip' && e.status === 'done');
  const fence = entries.find((e) => e.stepId === 'fence' && e.status === 'done');
  const ttl = dnsTtlMs(outputs);
  const source = fence?.data?.source as SourceEvidence | undefined;
  return {
    ...rto(run.startedAt, flip?.completedAt, ttl),
    dnsTtlMs: ttl,
    stepsMs: reports.reduce((sum, r) => sum + (r.ms ?? 0), 0),
    ...(source ? { sourceBacklog: source } : {}),
  };
}
