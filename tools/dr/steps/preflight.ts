import { regionOf } from '../operation';
import {
  probeQueues,
  probeReplicationEvidence,
  probeReplicationLatency,
  probeSourceReachable,
  probeStream,
  probeTables,
  probeWorkloads,
  ReplicationEvidence,
} from '../probes';
import { clockSkewNote, RegionClock, regionClock } from '../control/region-clock';
import { readCanary } from '../canary';
import { canaryCheck } from './preflight-canary';
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
 * - replication freshness ({@link replicationVerdict}): the source's heartbeat read from the target's
 *   replica, its age less one write interval within the RPO; else, when the source is unreachable or
 *   silent, the inbound lag the target's heartbeat writer last observed while the source was alive;
 * - the source region, best-effort: unreachable is reported (`source region unreachable: ...`) and
 *   does not refuse, that is the disaster case; when it answers, its CloudWatch `ReplicationLatency`
 *   towards the target above the RPO refuses like a stale heartbeat;
 * - the target's stream and queues present, its cluster reachable and its workloads ready;
 * - the canary's view of the target from the third region ({@link canaryCheck}): failing refuses
 *   (unless `--ignore-canary --reason`); unreachable or silent warns. Its read has its own deadline
 *   (tools/dr/canary.ts), shorter than the other checks', so it never slows preflight.
 * A probe of the target that throws is a failed check, with the error as its detail.
 */
export async function runPreflightChecks(ctx: StepContext): Promise<{
  checks: PreflightCheck[];
  replicationLatencyMs?: number;
  /** The source region did not answer (the error): the lock need not call it again. */
  sourceUnreachable?: string;
}> {
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
        const verdict = replicationVerdict(
          await probeReplicationEvidence(clients, outputs, op.from, op.to),
          op.from,
          op.to,
          rpoMs,
          now,
        );
        replicationLatencyMs = verdict.replicationLatencyMs;
        return { ok: verdict.ok, ...(verdict.warn ? { warn: true } : {}), detail: verdict.detail };
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
    readCanary(clients.cloudwatch, outputs, [op.to, op.from], now).then((reading) =>
      canaryCheck(reading, op.to, op.from, {
        ignoreReason: ctx.ignoreCanaryReason,
        endpoint: target.syntheticEndpoint,
      }),
    ),
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
  const src = checks.find((c) => c.check === `source region ${source.region}`);
  const sourceUnreachable = src?.detail.startsWith(UNREACHABLE)
    ? src.detail.slice(UNREACHABLE.length)
    : undefined;
  return { checks, replicationLatencyMs, ...(sourceUnreachable ? { sourceUnreachable } : {}) };
}

const UNREACHABLE = 'source region unreachable: ';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Replication freshness from the control tables (all decided by the TARGET's replica, the source's
 * own replica only tells whether the source's writer is still alive):
 * 1. Healthy: `heartbeat#F` as replicated into `T` is `age` old; the replication lag is at most
 *    `age - interval` (the writer writes every interval). Within the RPO passes.
 * 2. Otherwise (stale or absent in `T`), if `F` answers and its own replica's `heartbeat#F` is fresh,
 *    `F` is alive and replication is behind: refuse.
 * 3. Otherwise `F` is unreachable or silent (a regional outage): its heartbeat age only grows and
 *    says nothing about the lag. The target's own heartbeat writer recorded the inbound lag it observed
 *    each time `heartbeat#F` advanced (`inboundLagMs`, `inboundWrittenAt`), and stopped when `F` went
 *    silent: that last lag is the data a failover now may lose. Within the RPO passes (a warning);
 *    above it, or with no inbound record at all, refuses.
 * `replicationLatencyMs` is the observed RPO of the run: the lag estimate the verdict rests on.
 * Every age is measured on the regions' clocks ({@link regionClock}), never on the operator's alone: a
 * local clock more than 1 s behind the target's is named in the detail (a warning when passing).
 */
export function replicationVerdict(
  e: ReplicationEvidence,
  from: string,
  to: string,
  rpoMs: number,
  now: Date,
): Verdict {
  // Ages on the regions' clocks: the target's own heartbeat is a reading of its clock (finding 2).
  const clock = regionClock(now.getTime(), e.target?.writtenAt);
  const skew = clockSkewNote(clock, to);
  const v = verdictOnClock(e, from, to, rpoMs, clock);
  if (!skew) return v;
  return { ...v, ...(v.ok ? { warn: true } : {}), detail: `${v.detail}; ${skew}` };
}

type Verdict = { ok: boolean; warn?: boolean; detail: string; replicationLatencyMs?: number };

function verdictOnClock(
  e: ReplicationEvidence,
  from: string,
  to: string,
  rpoMs: number,
  clock: RegionClock,
): Verdict {
  const age = (writtenAt: number) => Math.max(0, clock.nowMs - writtenAt);
  const interval = e.intervalMs;
  const hb = e.replicated ? { ...e.replicated, ageMs: age(e.replicated.writtenAt) } : undefined;
  const lag = hb ? Math.max(0, hb.ageMs - interval) : undefined;
  const seen = hb
    ? `heartbeat#${from} is ${hb.ageMs} ms old (written ${iso(hb.writtenAt)}${clock.clock === 'region' ? `, age on ${to}'s clock` : ''}): replication lag ≈ ${lag} ms (age - ${interval} ms write interval)`
    : undefined;
  if (hb && lag !== undefined && lag <= rpoMs) {
    return { ok: true, detail: `${seen} ≤ RPO ${rpoMs} ms`, replicationLatencyMs: lag };
  }
  const missing = `no heartbeat#${from} item in ${to}'s control table`;
  const ownAge = e.source.ok && e.source.record ? e.source.record.writtenAt : undefined;
  const sourceAlive = ownAge !== undefined && age(ownAge) - interval <= rpoMs;
  if (sourceAlive) {
    return {
      ok: false,
      detail: hb
        ? `stale replication: ${seen} exceeds ${rpoMs} ms, while ${from} still writes it (${age(ownAge)} ms old in ${from}'s own replica)`
        : `${missing}: replication freshness unknown (the replication-heartbeat Deployment in ${from} writes it; see RUNBOOK.md)`,
      replicationLatencyMs: lag,
    };
  }
  const why = !e.source.ok
    ? `${from} unreachable: ${e.source.error}`
    : !e.source.record
      ? `no heartbeat#${from} in ${from}'s own replica`
      : `heartbeat#${from} ${age(e.source.record.writtenAt)} ms old in ${from}'s own replica`;
  const stale = hb ? `${seen}; ` : `${missing}; `;
  const t = e.target;
  if (t?.inboundLagMs === undefined || t.inboundWrittenAt === undefined) {
    return {
      ok: false,
      detail:
        `stale replication: ${stale}source silent (${why}) and no inbound replication record on heartbeat#${to} in ${to}'s control table: ` +
        `the replication lag before ${from} went silent is unknown (${to}'s replication-heartbeat Deployment records it; see RUNBOOK.md)`,
      replicationLatencyMs: lag,
    };
  }
  // The target's writer must have been observing until the source went silent: a replicated
  // heartbeat much newer than the last one it observed means it was not (its own writer was down).
  if (hb && hb.writtenAt - t.inboundWrittenAt > 2 * interval) {
    return {
      ok: false,
      detail:
        `stale replication: ${stale}source silent (${why}), and ${to}'s inbound replication record is outdated: its writer last observed ` +
        `heartbeat#${from} written ${iso(t.inboundWrittenAt)}, ${to} holds one written ${iso(hb.writtenAt)} (is ${to}'s replication-heartbeat Deployment running? re-run in a few seconds)`,
      replicationLatencyMs: lag,
    };
  }
  const last = `source silent since ${iso(t.inboundWrittenAt)}; last observed replication lag ${t.inboundLagMs} ms`;
  return t.inboundLagMs <= rpoMs
    ? {
        ok: true,
        warn: true,
        detail: `${last} ≤ RPO ${rpoMs} ms (recorded by ${to}'s heartbeat writer; ${stale}${why})`,
        replicationLatencyMs: t.inboundLagMs,
      }
    : {
        ok: false,
        detail: `stale replication: ${last} exceeds RPO ${rpoMs} ms (recorded by ${to}'s heartbeat writer; ${stale}${why})`,
        replicationLatencyMs: t.inboundLagMs,
      };
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
    return { check, ok: true, warn: true, detail: `${UNREACHABLE}${describe(err)}` };
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
    const { checks, replicationLatencyMs, sourceUnreachable } = await runPreflightChecks(ctx);
    if (ctx.facts) ctx.facts.sourceUnreachable = sourceUnreachable;
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
