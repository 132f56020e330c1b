import { Step } from './step';

/**
 * Step 2. Takes the runbook lock (conditional write with owner and expiry) in the target's replica of
 * the control table, then in the other region's. An unreachable other region is recorded in the
 * detail (journal and audit): `lock held in one region only (other unreachable)`.
 */
export const takeLock: Step = {
  id: 'lock',
  title: () => 'take the runbook lock (both regions)',
  async run(ctx) {
    const lock = await ctx.lock.acquire({ otherUnreachable: ctx.facts?.sourceUnreachable });
    const until = new Date(lock.expiresAt).toISOString();
    return {
      detail: lock.oneRegionOnly
        ? `held in ${lock.heldIn.join(', ')} by ${lock.owner} until ${until}; ${lock.oneRegionOnly}`
        : `held in ${lock.heldIn.join(' and ')} by ${lock.owner} until ${until} (renewed while running)`,
      data: {
        owner: lock.owner,
        invocation: lock.invocation,
        heldIn: [...lock.heldIn],
        oneRegionOnly: lock.oneRegionOnly ?? null,
      },
    };
  },
};

/** Failover: last step; failback: before `standby`. Releases the lock in both replicas; a no-op where a previous attempt already released it. */
export const releaseLock: Step = {
  id: 'unlock',
  title: () => 'release the runbook lock',
  async run(ctx) {
    const r = await ctx.lock.release();
    const target = `${r.target === 'released' ? 'released' : 'already released'} in ${ctx.op.to}`;
    return {
      detail:
        r.other === undefined
          ? target
          : `${target}; ${ctx.op.from}: ${r.other === 'absent' ? 'already released' : r.other}`,
      data: { target: r.target, other: r.other ?? null },
    };
  },
};
