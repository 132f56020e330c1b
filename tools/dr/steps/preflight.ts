import { regionOf } from '../operation';
import {
  probeHeartbeat,
  probeQueues,
  probeReplicationLatency,
  probeSourceReachable,
  probeStream,
  probeTables,
  probeWorkloads,
} from '../probes';
import { Step, StepContext } from './step';

export interface PreflightCheck {
  readonly check: string;
  /** False refuses the run (unless `--force --reason`). */
  readonly ok: boolean;
  /** Passed, but worth the operator's attention (e.g. the source region is unreachable). */
  readonly warn?: boolean;
  readonly detail: string;
}

/** The progress line of a check: `ok`, `WARN` (passed, noted) or `FAIL`. */
export function checkLine(c: PreflightCheck): string {
  return `    ${!c.ok ? 'FAIL' : c.warn ? 'WARN' : 'ok  '} ${c.check}: ${c.detail}`;
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

const describe = (err: unknown) => `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;

/**
 * The read-only checks before any change, all answered by the TARGET region (static stability: the
 * source may be the region that is down):
 * - the target's table replicas ACTIVE;
 * - replication freshness: the source's heartbeat item, read from the target's replica, is younger
 *   than the RPO target (refuses when stale or absent);
 * - the source region, best-effort: unreachable is reported (`source region unreachable: ...`) and
 *   does not refuse, that is the disaster case; when it answers, its CloudWatch `ReplicationLatency`
 *   towards the target above the RPO refuses like a stale heartbeat;
 * - the target's stream and queues present, its cluster reachable and its workloads ready.
 * A probe of the target that throws is a failed check, with the error as its detail.
 */
export async function runPreflightChecks(
  ctx: StepContext,
): Promise<{ checks: PreflightCheck[]; replicationLatencyMs?: number }> {
  const { clients, outputs, op } = ctx;
  const target = regionOf(outputs, op.to);
  const source = regionOf(outputs, op.from);
  const now = ctx.now();
  const rpoMs = outputs.rpoSeconds * 1000;
  let replicationLatencyMs: number | undefined;
  const probe = async (
    check: string,
    fn: () => Promise<Omit<PreflightCheck, 'check'>>,
  ): Promise<PreflightCheck> => {
    try {
      return { check, ...(await fn()) };
    } catch (err) {
      return { check, ok: false, detail: describe(err) };
    }
  };

  const checks = await Promise.all([
    probe(`tables ACTIVE in ${op.to}`, async () => {
      const tables = await probeTables(clients, target);
      const bad = tables.filter((t) => t.status !== 'ACTIVE');
      return {
        ok: bad.length === 0,
        detail: bad.length
          ? bad.map((t) => `${t.table} is ${t.status}`).join(', ')
          : `${tables.length} ACTIVE`,
      };
    }),
    probe(
      `replication ${op.from} -> ${op.to} within RPO ${outputs.rpoSeconds} s (heartbeat#${op.from} read in ${op.to})`,
      async () => {
        const hb = await probeHeartbeat(clients, outputs, op.from, op.to, now);
        if (!hb) {
          return {
            ok: false,
            detail: `no heartbeat#${op.from} item in ${op.to}'s control table: replication freshness unknown (the replication-heartbeat Deployment in ${op.from} writes it; see RUNBOOK.md)`,
          };
        }
        replicationLatencyMs = hb.ageMs;
        return hb.ageMs > rpoMs
          ? {
              ok: false,
              detail: `stale replication: heartbeat#${op.from} is ${hb.ageMs} ms old (written ${hb.writtenAt}), exceeds ${rpoMs} ms`,
            }
          : { ok: true, detail: `heartbeat#${op.from} is ${hb.ageMs} ms old (written ${hb.writtenAt})` };
      },
    ),
    sourceCheck(ctx, source.region, rpoMs, now),
    probe(`stream present in ${op.to}`, async () => {
      const s = await probeStream(clients, target, now);
      return {
        ok: s.status === 'ACTIVE' || s.status === 'UPDATING',
        detail: `${target.stream.name} ${s.status}, ${s.shards} shards`,
      };
    }),
    probe(`queues present in ${op.to}`, async () => {
      const q = await probeQueues(clients, target, now);
      return { ok: true, detail: q.map((x) => `${x.queue} depth ${x.visible}`).join(', ') };
    }),
    probe(`cluster ${target.cluster.name} reachable, workloads ready`, async () => {
      const w = await probeWorkloads(clients, target);
      const notReady = w.filter((x) => x.ready < 1);
      return {
        ok: notReady.length === 0,
        detail: notReady.length
          ? `not ready: ${notReady.map((x) => `${x.deployment} ${x.ready}/${x.desired}`).join(', ')}`
          : w.map((x) => `${x.deployment} ${x.ready}/${x.desired}`).join(', '),
      };
    }),
  ]);
  return { checks, replicationLatencyMs };
}

/**
 * The source region, best-effort: its DynamoDB and CloudWatch (bounded calls). Unreachable is a
 * warning, never a refusal by itself; reachable with `ReplicationLatency` above the RPO is a failure.
 */
async function sourceCheck(
  ctx: StepContext,
  from: string,
  rpoMs: number,
  now: Date,
): Promise<PreflightCheck> {
  const { clients, outputs, op } = ctx;
  const check = `source region ${from}`;
  let latency: Awaited<ReturnType<typeof probeReplicationLatency>>;
  try {
    const [, lat] = await Promise.all([
      probeSourceReachable(clients, regionOf(outputs, from)),
      probeReplicationLatency(clients, outputs, from, op.to, now),
    ]);
    latency = lat;
  } catch (err) {
    return { check, ok: true, warn: true, detail: `source region unreachable: ${describe(err)}` };
  }
  const stale = latency.filter((l) => l.ms !== undefined && l.ms > rpoMs);
  if (stale.length) {
    return {
      check,
      ok: false,
      detail: `stale replication reported by ${from}'s CloudWatch: ${stale.map((l) => `${l.table} ${l.ms} ms`).join(', ')} exceeds ${rpoMs} ms`,
    };
  }
  const known = latency.flatMap((l) => (l.ms === undefined ? [] : [l.ms]));
  return known.length === latency.length
    ? { check, ok: true, detail: `reachable; ReplicationLatency to ${op.to} max ${Math.max(...known)} ms` }
    : {
        check,
        ok: true,
        warn: true,
        detail: `reachable; no ReplicationLatency datapoint for ${latency
          .filter((l) => l.ms === undefined)
          .map((l) => l.table)
          .join(', ')} (the heartbeat decides)`,
      };
}

/** Step 1. Refuses unless every check passes or `--force --reason` overrides (recorded in the audit). */
export const preflight: Step = {
  id: 'preflight',
  title: (op) => `preflight: ${op.to} ready to take over from ${op.from}`,
  async run(ctx) {
    const { checks, replicationLatencyMs } = await runPreflightChecks(ctx);
    const failed = checks.filter((c) => !c.ok);
    for (const c of checks) ctx.log(checkLine(c));
    if (failed.length && !ctx.forceReason) throw new PreflightRefused(failed);
    const rpo = replicationLatencyMs === undefined ? 'unknown' : `${replicationLatencyMs} ms`;
    return {
      detail: failed.length
        ? `FORCED (${ctx.forceReason}) over ${failed.length} failed check(s); replication latency ${rpo}`
        : `${checks.length} checks passed${warnings(checks)}; replication latency ${rpo}`,
      data: {
        replicationLatencyMs: replicationLatencyMs ?? null,
        forced: failed.length > 0,
        forceReason: failed.length ? ctx.forceReason : null,
        overriddenChecks: failed.map((f) => `${f.check}: ${f.detail}`),
        warnings: checks.filter((c) => c.ok && c.warn).map((c) => `${c.check}: ${c.detail}`),
      },
    };
  },
};

function warnings(checks: readonly PreflightCheck[]): string {
  const w = checks.filter((c) => c.ok && c.warn);
  return w.length ? ` (${w.map((c) => c.detail).join('; ')})` : '';
}
