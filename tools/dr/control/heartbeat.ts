import { keys } from './keys';
import { ControlTable } from './table';

/**
 * The replication heartbeat (`heartbeat#<region>` / `heartbeat`): the contract between the
 * platform's `replication-heartbeat` Deployment (charts/replication-heartbeat.ts) and the runbook.
 *
 * - The `replication-heartbeat` Deployment in `<region>` (one pod, AWS CLI) writes the item
 *   `{pk, sk, writtenAt, writer}` to its OWN region's replica of the control table every
 *   {@link HEARTBEAT_INTERVAL_MS} (an unconditional put; exempt from the write fence, since it is
 *   liveness, not business data; its role may put exactly those attributes of that key).
 * - The global table replicates it. The runbook reads the SOURCE region's heartbeat FROM THE TARGET
 *   region's replica, so it needs nothing of the source region: `now - writtenAt` is the replication
 *   lag from source to target plus at most one write interval (plus clock skew, sub-millisecond with
 *   the Amazon Time Sync Service).
 * - If the source region is down, the heartbeat stops and its age grows from the moment of the
 *   outage: it then bounds the data lost (the RPO) rather than the live lag.
 */
export interface HeartbeatRecord {
  /** The region whose writer wrote it (from the key; not an attribute of the item). */
  readonly region: string;
  /** Epoch milliseconds of the write, by the writer's clock. */
  readonly writtenAt: number;
  /** Who wrote it (pod name). */
  readonly writer?: string;
}

/** How often the `replication-heartbeat` Deployment writes its region's heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5000;

/** `region`'s heartbeat as replicated into `table` (another region's replica), if any. */
export async function readHeartbeat(
  table: ControlTable,
  region: string,
): Promise<HeartbeatRecord | undefined> {
  const item = await table.get<{ writtenAt: number | string; writer?: string }>(keys.heartbeat(region));
  if (!item) return undefined;
  return { region, writtenAt: Number(item.writtenAt), writer: item.writer };
}

/**
 * Writes `region`'s heartbeat with exactly the attributes the `replication-heartbeat` Deployment puts
 * (pk, sk, writtenAt, writer). In a real cluster that Deployment writes it; the local harness and the
 * tests play it with this.
 */
export async function writeHeartbeat(table: ControlTable, record: HeartbeatRecord): Promise<void> {
  await table.put({
    ...keys.heartbeat(record.region),
    writtenAt: record.writtenAt,
    ...(record.writer !== undefined ? { writer: record.writer } : {}),
  });
}
