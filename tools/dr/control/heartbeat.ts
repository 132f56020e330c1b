import { heartbeatIntervalSeconds } from '../../../stacks/capacity';
import { RunbookOutputs } from '../../../stacks/outputs';
import { keys } from './keys';
import { ControlTable } from './table';

/**
 * The replication heartbeat (`heartbeat#<region>` / `heartbeat`): the contract between the
 * platform's `replication-heartbeat` Deployment (charts/replication-heartbeat.ts) and the runbook.
 *
 * - The `replication-heartbeat` Deployment in `<region>` (one pod, AWS CLI) updates the item
 *   `{pk, sk, writtenAt, writer}` in its OWN region's replica of the control table every interval
 *   ({@link heartbeatIntervalMs}: a fifth of the RPO, 1-5 s; exempt from the write fence, since it is
 *   liveness, not business data; its role may write exactly those attributes of that key).
 * - The global table replicates it. The runbook reads the SOURCE region's heartbeat FROM THE TARGET
 *   region's replica, so it needs nothing of the source region: `now - writtenAt` is the replication
 *   lag from source to target plus at most one write interval (plus clock skew, sub-millisecond with
 *   the Amazon Time Sync Service). So `age - interval` is the replication lag, or less.
 * - Inbound: each writer also reads the OTHER region's heartbeat from its own replica every interval
 *   and, when its `writtenAt` advanced since the previous loop, records on its own item
 *   `inboundLagMs` (`now - writtenAt`: the replication lag it saw, plus at most one of its intervals)
 *   and `inboundWrittenAt` (that `writtenAt`). When the other region goes silent (a regional outage),
 *   they stop changing: the last lag observed while it was alive, and when it went silent. That is
 *   the RPO evidence of a failover away from a dead region.
 */
export interface HeartbeatRecord {
  /** The region whose writer wrote it (from the key; not an attribute of the item). */
  readonly region: string;
  /** Epoch milliseconds of the write, by the writer's clock. */
  readonly writtenAt: number;
  /** Who wrote it (pod name). */
  readonly writer?: string;
  /** The replication lag (ms) this region's writer last observed on the other region's heartbeat. */
  readonly inboundLagMs?: number;
  /** The other region's `writtenAt` (epoch ms) it observed then: the last sign of life it saw. */
  readonly inboundWrittenAt?: number;
}

/**
 * How often the `replication-heartbeat` Deployments write, in ms: the outputs' `heartbeatIntervalSeconds`,
 * else derived from the RPO as the program does (stacks/capacity.ts `heartbeatIntervalSeconds`).
 */
export function heartbeatIntervalMs(
  outputs: Pick<RunbookOutputs, 'rpoSeconds' | 'heartbeatIntervalSeconds'>,
): number {
  return (outputs.heartbeatIntervalSeconds ?? heartbeatIntervalSeconds(outputs.rpoSeconds)) * 1000;
}

const num = (v: unknown): number | undefined =>
  v === undefined || v === null || !Number.isFinite(Number(v)) ? undefined : Number(v);

/** `region`'s heartbeat as held by `table` (its own or another region's replica), if any. */
export async function readHeartbeat(
  table: ControlTable,
  region: string,
): Promise<HeartbeatRecord | undefined> {
  const item = await table.get<{
    writtenAt: number | string;
    writer?: string;
    inboundLagMs?: number | string;
    inboundWrittenAt?: number | string;
  }>(keys.heartbeat(region));
  if (!item) return undefined;
  const inboundLagMs = num(item.inboundLagMs);
  const inboundWrittenAt = num(item.inboundWrittenAt);
  return {
    region,
    writtenAt: Number(item.writtenAt),
    writer: item.writer,
    ...(inboundLagMs !== undefined && inboundWrittenAt !== undefined
      ? { inboundLagMs, inboundWrittenAt }
      : {}),
  };
}

/**
 * Writes `region`'s heartbeat as the `replication-heartbeat` Deployment does: an update setting
 * `writtenAt`, `writer` and, when given, `inboundLagMs` + `inboundWrittenAt` (attributes not set are
 * left as they are). In a real cluster that Deployment writes it; the local harness and the tests
 * play it with this (and {@link HeartbeatWriter}).
 */
export async function writeHeartbeat(table: ControlTable, record: HeartbeatRecord): Promise<void> {
  const set: Record<string, unknown> = { writtenAt: record.writtenAt };
  if (record.writer !== undefined) set.writer = record.writer;
  if (record.inboundLagMs !== undefined && record.inboundWrittenAt !== undefined) {
    set.inboundLagMs = record.inboundLagMs;
    set.inboundWrittenAt = record.inboundWrittenAt;
  }
  const names = Object.keys(set);
  await table.update(keys.heartbeat(record.region), {
    UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
    ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, set[n]])),
  });
}

/**
 * One region's heartbeat writer, the loop of charts/replication-heartbeat.ts in TypeScript (the local
 * drill's heartbeat player): each {@link beat} reads `peerRegion`'s heartbeat from this region's
 * replica and, when its `writtenAt` advanced since the previous beat of this writer, records the
 * inbound lag; then writes its own heartbeat. The first beat only remembers the peer's `writtenAt`.
 */
export class HeartbeatWriter {
  private lastSeen?: number;

  constructor(
    readonly table: ControlTable,
    readonly region: string,
    readonly peerRegion: string | undefined,
    readonly writer: string,
  ) {}

  async beat(now: () => number = Date.now): Promise<void> {
    let inbound: Pick<HeartbeatRecord, 'inboundLagMs' | 'inboundWrittenAt'> = {};
    if (this.peerRegion !== undefined) {
      const seen = (await readHeartbeat(this.table, this.peerRegion))?.writtenAt;
      if (seen !== undefined && this.lastSeen !== undefined && seen > this.lastSeen) {
        inbound = { inboundLagMs: Math.max(0, now() - seen), inboundWrittenAt: seen };
      }
      if (seen !== undefined) this.lastSeen = seen;
    }
    await writeHeartbeat(this.table, {
      region: this.region,
      writtenAt: now(),
      writer: this.writer,
      ...inbound,
    });
  }
}
