import { regionOf } from '../operation';
import { probeQueues, probeReplicationLatency, probeStream, probeTables, probeWorkloads } from '../probes';
import { Step, StepContext } from './step';

export interface PreflightCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Preflight failed and `--force --reason` was not given: the run is refused (exit 1). */
export class PreflightRefused extends Error {
  override name = 'PreflightRefused';
  constructor(readonly failed: readonly PreflightCheck[]) {
    super(
      `preflight refused: ${failed.map((f) => `${f.check}: ${f.detail}`).join('; ')} (override with --force --reason "...")`,
    );
  }
}

/**
 * The read-only checks before any change: the target's table replicas ACTIVE, replication latency
 * within the RPO target, the target's stream and queues present, its cluster reachable and its
 * workloads ready. A probe that throws is a failed check, with the error as its detail.
 */
export async function runPreflightChecks(
  ctx: StepContext,
): Promise<{ checks: PreflightCheck[]; replicationLatencyMs?: number }> {
  const { clients, outputs, op } = ctx;
  const target = regionOf(outputs, op.to);
  const now = ctx.now();
  const checks: PreflightCheck[] = [];
  let replicationLatencyMs: number | undefined;
  const probe = async (check: string, fn: () => Promise<{ ok: boolean; detail: string }>) => {
    try {
      checks.push({ check, ...(await fn()) });
    } catch (err) {
      checks.push({ check, ok: false, detail: `${(err as Error).name}: ${(err as Error).message}` });
    }
  };

  await probe(`tables ACTIVE in ${op.to}`, async () => {
    const tables = await probeTables(clients, target);
    const bad = tables.filter((t) => t.status !== 'ACTIVE');
    return {
      ok: bad.length === 0,
      detail: bad.length ? bad.map((t) => `${t.table} is ${t.status}`).join(', ') : `${tables.length} ACTIVE`,
    };
  });
  await probe(`replication latency ${op.from} -> ${op.to} within RPO ${outputs.rpoSeconds} s`, async () => {
    const lat = await probeReplicationLatency(clients, outputs, op.from, op.to, now);
    const missing = lat.filter((l) => l.ms === undefined);
    const known = lat.flatMap((l) => (l.ms === undefined ? [] : [l.ms]));
    replicationLatencyMs = known.length ? Math.max(...known) : undefined;
    if (missing.length) {
      return {
        ok: false,
        detail: `no ReplicationLatency datapoint in the last 5 min for ${missing.map((m) => m.table).join(', ')}`,
      };
    }
    const stale = lat.filter((l) => (l.ms ?? 0) > outputs.rpoSeconds * 1000);
    return {
      ok: stale.length === 0,
      detail: stale.length
        ? `stale replication: ${stale.map((s) => `${s.table} ${s.ms} ms`).join(', ')} exceeds ${outputs.rpoSeconds * 1000} ms`
        : `max ${replicationLatencyMs} ms`,
    };
  });
  await probe(`stream present in ${op.to}`, async () => {
    const s = await probeStream(clients, target, now);
    return {
      ok: s.status === 'ACTIVE' || s.status === 'UPDATING',
      detail: `${target.stream.name} ${s.status}, ${s.shards} shards`,
    };
  });
  await probe(`queues present in ${op.to}`, async () => {
    const q = await probeQueues(clients, target, now);
    return { ok: true, detail: q.map((x) => `${x.queue} depth ${x.visible}`).join(', ') };
  });
  await probe(`cluster ${target.cluster.name} reachable, workloads ready`, async () => {
    const w = await probeWorkloads(clients, target);
    const notReady = w.filter((x) => x.ready < 1);
    return {
      ok: notReady.length === 0,
      detail: notReady.length
        ? `not ready: ${notReady.map((x) => `${x.deployment} ${x.ready}/${x.desired}`).join(', ')}`
        : w.map((x) => `${x.deployment} ${x.ready}/${x.desired}`).join(', '),
    };
  });
  return { checks, replicationLatencyMs };
}

/** Step 1. Refuses unless every check passes or `--force --reason` overrides (recorded in the audit). */
export const preflight: Step = {
  id: 'preflight',
  title: (op) => `preflight: ${op.to} ready to take over from ${op.from}`,
  async run(ctx) {
    const { checks, replicationLatencyMs } = await runPreflightChecks(ctx);
    const failed = checks.filter((c) => !c.ok);
    for (const c of checks) ctx.log(`    ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
    if (failed.length && !ctx.forceReason) throw new PreflightRefused(failed);
    const rpo = replicationLatencyMs === undefined ? 'unknown' : `${replicationLatencyMs} ms`;
    return {
      detail: failed.length
        ? `FORCED (${ctx.forceReason}) over ${failed.length} failed check(s); replication latency ${rpo}`
        : `${checks.length} checks passed; replication latency ${rpo}`,
      data: {
        replicationLatencyMs: replicationLatencyMs ?? null,
        forced: failed.length > 0,
        forceReason: failed.length ? ctx.forceReason : null,
        overriddenChecks: failed.map((f) => `${f.check}: ${f.detail}`),
      },
    };
  },
};
