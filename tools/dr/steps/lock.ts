import { Step } from './step';

/** Step 2. Takes the runbook lock (conditional write with owner and expiry). */
export const takeLock: Step = {
  id: 'lock',
  title: () => 'take the runbook lock',
  async run(ctx) {
    const lock = await ctx.lock.acquire();
    return {
      detail: `held by ${lock.owner} until ${new Date(lock.expiresAt).toISOString()} (renewed while running)`,
      data: { owner: lock.owner, invocation: lock.invocation },
    };
  },
};

/** Last step. Releases the lock; a no-op when a previous attempt already released it. */
export const releaseLock: Step = {
  id: 'unlock',
  title: () => 'release the runbook lock',
  async run(ctx) {
    const r = await ctx.lock.release();
    return { detail: r === 'released' ? 'released' : 'already released' };
  },
};
