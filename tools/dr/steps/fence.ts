import { ActiveRegionRecord, readActiveRegion, writeActiveRegion } from '../control/fence';
import { describeBacklog, probeSourceEvidence } from '../source-evidence';
import { Step } from './step';

/**
 * Step 4, right before the flip. Fences writes in the old primary: the active-region record names the
 * target as active and the source as fenced. Written once per run (a re-run finds its own record and
 * skips). The record it replaced is kept in the new one (`previous`), so `dr abort` can put it back.
 */
export const fenceWrites: Step = {
  id: 'fence',
  title: (op) => `fence writes in ${op.from}, make ${op.to} the active region`,
  async run(ctx) {
    // The source's backlog right before the cut-over (RPO evidence, issue 16 finding 14), bounded.
    const [current, source] = await Promise.all([readActiveRegion(ctx.control), probeSourceEvidence(ctx)]);
    ctx.log(`    RPO evidence: ${describeBacklog(source)}`);
    if (current?.runId === ctx.run.runId) {
      return {
        detail: `already fenced by this run at ${current.writeFence.since}`,
        data: { applied: false, source },
      };
    }
    const at = ctx.now().toISOString();
    await writeActiveRegion(ctx.control, {
      activeRegion: ctx.op.to,
      writeFence: { region: ctx.op.from, since: at },
      runId: ctx.run.runId,
      operation: ctx.op.kind,
      updatedAt: at,
      ...(current ? { previous: withoutPrevious(current) } : {}),
    });
    return {
      detail: `active-region=${ctx.op.to}, writes fenced in ${ctx.op.from} (was ${current?.activeRegion ?? 'unset'})`,
      data: { applied: true, previous: current?.activeRegion ?? null, source },
    };
  },
};

/** A record as it is stored under `previous`: its keys and its own `previous` left out. */
function withoutPrevious(r: ActiveRegionRecord): Omit<ActiveRegionRecord, 'previous'> {
  const { previous: _p, pk: _pk, sk: _sk, ...rest } = r as ActiveRegionRecord & { pk?: string; sk?: string };
  return rest;
}
