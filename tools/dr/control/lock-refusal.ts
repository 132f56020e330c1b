import type { LockRecord } from './lock';

/** The lock is held by another run, or by a live invocation of this run: refuse (exit 1). */
export class LockRefused extends Error {
  override name = 'LockRefused';
}

/**
 * Why `region`'s lock item `h` may not be taken: its holder was seen renewing it (`renewed`), or it
 * could not be watched for a whole lease within the wait (`unknown`: alive or crashed). Times shown are
 * by the holder's clock, for people only.
 */
export function lockRefusal(
  region: string,
  isTarget: boolean,
  h: LockRecord,
  why: 'renewed' | 'unknown',
  me: { readonly runId: string; readonly leaseMs: number },
): LockRefused {
  const until = new Date(h.expiresAt).toISOString();
  const leaseS = (h.leaseMs ?? me.leaseMs) / 1000;
  if (!isTarget) {
    return new LockRefused(
      `the runbook lock in ${region}'s replica is held by run ${h.runId} ` +
        `(${h.operation} by ${h.owner}) until ${until} by its holder's clock; ` +
        `a run towards the other region is in progress: let it finish (or its lease lapse), then re-run`,
    );
  }
  if (h.runId !== me.runId) {
    return new LockRefused(
      why === 'renewed'
        ? `the runbook lock is held by run ${h.runId} (${h.operation} by ${h.owner}, invocation ${h.invocation}), which is renewing its lease; wait for it to finish`
        : `the runbook lock is held by run ${h.runId} (${h.operation} by ${h.owner}) until ${until} by its holder's clock; ` +
            `wait for it to finish, or for its lease to lapse if it crashed (${leaseS} s after its last renewal)`,
    );
  }
  return new LockRefused(
    why === 'renewed'
      ? `run ${me.runId} is being driven by another invocation (${h.owner}, invocation ${h.invocation}): its lease is being renewed; ` +
          `let it finish, or stop that process and re-run`
      : `run ${me.runId} is being driven by another invocation (${h.owner}, invocation ${h.invocation}) ` +
          `whose lease runs until ${until} by its clock; if that process has died, re-run: its lease lapses ${leaseS} s after its last renewal`,
  );
}
