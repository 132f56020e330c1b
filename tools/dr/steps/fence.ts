import { ActiveRegionRecord, readActiveRegion, writeActiveRegion } from '../control/fence';
import { ControlTable } from '../control/table';
import { withDeadline } from '../deadline';
import { DEFAULT_DRAIN, drainWait } from '../drain';
import { regionOf } from '../operation';
import { describeBacklog, probeSourceEvidence, SOURCE_DEADLINE_MS } from '../source-evidence';
import { Step, StepContext } from './step';

const describe = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

/**
 * Step 4, right before the flip: fence the source's writes, then let them drain (issue 16 finding 5).
 *
 * 1. Reads the source's evidence under one deadline: its Kinesis / SQS backlog (RPO evidence) and its
 *    recent `ReplicationLatency` to the target (published only in the source region).
 * 2. Writes the active-region record (active: target, fenced: source) through the TARGET's endpoint,
 *    then, when the source answered, through the SOURCE's too and reads it back there: the source's
 *    writers read their own replica, and a fence that must first replicate to them would leave both
 *    regions writing for a replication lag (last writer wins). Each replica's record keeps the record
 *    it replaced there (`previous`, for `dr abort`). A source that fails here is a warning: its copy
 *    follows by replication.
 * 3. Waits {@link drainWait} (10 x that latency, AWS's evacuation guidance) so writes accepted before
 *    the fence reach the target before the flip. No wait when the source did not answer: nothing can
 *    be drained from a region that is gone, and the RPO evidence says so.
 *
 * Idempotent: a replica already fenced by this run is not written again; the drain wait repeats on a
 * re-run (harmless, and the run crashed in it).
 */
export const fenceWrites: Step = {
  id: 'fence',
  title: (op) => `fence writes in ${op.from}, make ${op.to} the active region, drain`,
  async run(ctx) {
    const [current, source] = await Promise.all([readActiveRegion(ctx.control), probeSourceEvidence(ctx)]);
    ctx.log(`    RPO evidence: ${describeBacklog(source)}`);
    const at = ctx.now().toISOString();
    const record = (previous: ActiveRegionRecord | undefined): ActiveRegionRecord => ({
      activeRegion: ctx.op.to,
      writeFence: { region: ctx.op.from, since: at },
      runId: ctx.run.runId,
      operation: ctx.op.kind,
      updatedAt: at,
      ...(previous ? { previous: withoutPrevious(previous) } : {}),
    });
    const applied = current?.runId !== ctx.run.runId;
    if (applied) await writeActiveRegion(ctx.control, record(current));
    const target = applied
      ? `active-region=${ctx.op.to}, writes fenced in ${ctx.op.from} (was ${current?.activeRegion ?? 'unset'})`
      : `already fenced by this run at ${current?.writeFence.since}`;

    const inSource = source.ok
      ? await fenceSource(ctx, record)
      : `source ${ctx.op.from}: not written (it did not answer)`;
    if (!inSource.startsWith(`fenced in ${ctx.op.from}`)) ctx.log(`    WARN ${inSource}`);

    const drain = source.ok
      ? drainWait(source.replicationLatencyMs, ctx.timings.drain ?? DEFAULT_DRAIN)
      : { waitMs: 0, reason: `source ${ctx.op.from} did not answer: nothing to drain` };
    if (drain.waitMs > 0) {
      ctx.log(
        `    draining ${ctx.op.from}'s writes: waiting ${(drain.waitMs / 1000).toFixed(1)} s (${drain.reason})`,
      );
      await ctx.sleep(drain.waitMs);
    }
    return {
      detail: `${target}; ${inSource}; drain ${drain.waitMs} ms (${drain.reason})`,
      data: {
        applied,
        previous: current?.activeRegion ?? null,
        source,
        sourceFence: inSource,
        drainMs: drain.waitMs,
        drainReason: drain.reason,
      },
    };
  },
};

/** Writes the fence through the source's endpoint and reads it back there; never throws. */
async function fenceSource(
  ctx: StepContext,
  record: (previous: ActiveRegionRecord | undefined) => ActiveRegionRecord,
): Promise<string> {
  const from = ctx.op.from;
  const table = new ControlTable(
    ctx.clients.dynamodb(from),
    regionOf(ctx.outputs, from).tables.control.name,
    from,
  );
  try {
    return await withDeadline(`source ${from} fence`, SOURCE_DEADLINE_MS, async () => {
      const there = await readActiveRegion(table);
      if (there?.runId !== ctx.run.runId) await writeActiveRegion(table, record(there));
      const back = await readActiveRegion(table);
      if (back?.runId !== ctx.run.runId || back.writeFence.region !== from)
        return `source ${from}: fence NOT read back (record of run ${back?.runId ?? 'none'}); its copy follows by replication`;
      return `fenced in ${from} too (read back there)`;
    });
  } catch (err) {
    return `source ${from}: fence not written (${describe(err)}); its copy follows by replication`;
  }
}

/** A record as it is stored under `previous`: its keys and its own `previous` left out. */
function withoutPrevious(r: ActiveRegionRecord): Omit<ActiveRegionRecord, 'previous'> {
  const { previous: _p, pk: _pk, sk: _sk, ...rest } = r as ActiveRegionRecord & { pk?: string; sk?: string };
  return rest;
}
