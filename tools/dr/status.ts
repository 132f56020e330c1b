import { RunbookOutputs } from '../../stacks/outputs';
import { readRoutingStates, RoutingStates } from './arc';
import { Clients } from './clients';
import { ActiveRegionRecord, readActiveRegion } from './control/fence';
import { readHeartbeat } from './control/heartbeat';
import { ControlTable } from './control/table';
import { CanaryReading, readCanary } from './canary';
import { withDeadline } from './deadline';
import { findInconsistencies, Inconsistency, nextAction } from './status-checks';
import { probeRunbook, RunbookState } from './status-runbook';
import {
  probeQueues,
  probeReplicationLatency,
  probeStream,
  probeTables,
  probeWorkloads,
  QueueProbe,
  TableProbe,
  WorkloadProbe,
} from './probes';

/** A probe's value, or why it could not be read (an impaired region is reported, not fatal). */
export type Probed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface RegionStatus {
  readonly region: string;
  readonly role: 'primary' | 'dr';
  readonly routingControl: Probed<string>;
  /** This region's copy of the active-region / write-fence record. */
  readonly activeRecord: Probed<ActiveRegionRecord | null>;
  readonly tables: Probed<TableProbe[]>;
  /** Replication latency from this region to the other one, per table (ms). */
  readonly replicationLatency: Probed<{ table: string; ms: number | undefined }[]>;
  readonly stream: Probed<{ status: string; shards: number; iteratorAgeMs: number | undefined }>;
  readonly queues: Probed<QueueProbe[]>;
  readonly workloads: Probed<WorkloadProbe[]>;
  /**
   * Every region's replication heartbeat as this region's replica of the control table holds it (read
   * through this region's endpoint only): its own (written here by the `replication-heartbeat`
   * Deployment) and the other region's (replicated; its age is what a failover into this region checks
   * against the RPO). `null` age: no item.
   */
  readonly heartbeats: Probed<HeartbeatProbe[]>;
  /**
   * The runbook's items in this region's replica: the lock holder, the unfinished run (with its step)
   * and drill. The same table as the active-region record, which already counts for `unreachable`.
   */
  readonly runbook: Probed<RunbookState>;
}

/** One region's heartbeat item as read in some region's replica. */
export interface HeartbeatProbe {
  /** The region that wrote it (`heartbeat#<region>`). */
  readonly of: string;
  /** `now - writtenAt` in ms, or null when the item is absent. */
  readonly ageMs: number | null;
  readonly writer?: string;
}

/** Every region's heartbeat as held by `control` (one region's replica), at `now`. */
export async function probeHeartbeats(
  control: ControlTable,
  regions: readonly string[],
  now: Date,
): Promise<HeartbeatProbe[]> {
  return Promise.all(
    regions.map(async (of): Promise<HeartbeatProbe> => {
      const hb = await readHeartbeat(control, of);
      return hb
        ? { of, ageMs: Math.max(0, now.getTime() - hb.writtenAt), writer: hb.writer }
        : { of, ageMs: null };
    }),
  );
}

export interface StatusResult {
  readonly kind: 'status';
  readonly environment: string;
  /** The region whose routing control is On; `none` or `both` flag an unsafe state. */
  readonly activeRegion: string;
  readonly regions: readonly RegionStatus[];
  /**
   * The regions that did not fully answer, with the reads that failed (DynamoDB, Kinesis, SQS,
   * Kubernetes; CloudWatch's `ReplicationLatency` is best-effort and not counted). Non-empty: exit 1.
   */
  readonly unreachable: readonly { readonly region: string; readonly failed: readonly string[] }[];
  /** Traffic or writes not where the records say (see {@link findInconsistencies}). Non-empty: exit 1. */
  readonly inconsistencies: readonly Inconsistency[];
  /** What to do about them (the unfinished run or drill, else where to look). @default - none */
  readonly nextAction?: string;
  /**
   * The synthetic canary's view of each region from the third region (issue 13; tools/dr/canary.ts).
   * Best-effort: unreachable or not configured never makes the status exit 1.
   */
  readonly canary: CanaryReading;
}

/** The reads of a region that must answer for `status` to exit 0, by the name the table shows. */
const REQUIRED_READS = {
  activeRecord: 'active-region record',
  tables: 'tables',
  heartbeats: 'heartbeats',
  stream: 'stream',
  queues: 'queues',
  workloads: 'workloads',
} as const satisfies Partial<Record<keyof RegionStatus, string>>;

/** Which required reads of each region failed (see {@link StatusResult.unreachable}). */
export function unreachableRegions(regions: readonly RegionStatus[]): StatusResult['unreachable'] {
  return regions.flatMap((r) => {
    const failed = (Object.keys(REQUIRED_READS) as (keyof typeof REQUIRED_READS)[])
      .filter((k) => !r[k].ok)
      .map((k) => REQUIRED_READS[k]);
    return failed.length ? [{ region: r.region, failed }] : [];
  });
}

/**
 * How long `status` waits for any one region's reads (they run in parallel): above one bounded AWS
 * call with its retry (2 x 5 s) and one bounded Kubernetes call (10 s), so a healthy but slow region
 * still answers, while a hanging one costs this much and is shown unreachable (issue 16 finding 6).
 */
export const DEFAULT_STATUS_REGION_DEADLINE_MS = 12_000;

export interface StatusOptions {
  /** @default DEFAULT_STATUS_REGION_DEADLINE_MS */
  readonly regionDeadlineMs?: number;
}

async function probe<T>(what: string, ms: number, fn: () => Promise<T>): Promise<Probed<T>> {
  try {
    return { ok: true, value: await withDeadline(what, ms, fn) };
  } catch (err) {
    return { ok: false, error: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Reads everything `dr status` shows, per region. Read-only. Every read of a region runs in parallel
 * under one deadline, so a region that hangs delays the status by at most that deadline.
 */
export async function readStatus(
  outputs: RunbookOutputs,
  clients: Clients,
  now: Date,
  opts: StatusOptions = {},
): Promise<StatusResult> {
  const ms = opts.regionDeadlineMs ?? DEFAULT_STATUS_REGION_DEADLINE_MS;
  const routing = await probe<RoutingStates>('ARC routing controls', ms, () =>
    readRoutingStates(outputs, clients),
  );
  const regionNames = Object.keys(outputs.regions);
  // In parallel with the regions' reads, under its own (shorter) deadline: never slows the status.
  const canary = readCanary(clients.cloudwatch, outputs, regionNames, now);
  const regions = await Promise.all(
    regionNames.map(async (region): Promise<RegionStatus> => {
      const r = outputs.regions[region];
      const other = regionNames.find((x) => x !== region) ?? region;
      const read = <T>(what: string, fn: () => Promise<T>) => probe(`${region} ${what}`, ms, fn);
      // Built inside the probes: a client that cannot even be built is that region's failure, not status's.
      const control = () => new ControlTable(clients.dynamodb(region), r.tables.control.name, region);
      const [activeRecord, tables, replicationLatency, stream, queues, workloads, heartbeats, runbook] =
        await Promise.all([
          read('active-region record', async () => (await readActiveRegion(control())) ?? null),
          read('tables', () => probeTables(clients, r)),
          read('replication latency', () => probeReplicationLatency(clients, outputs, region, other, now)),
          read('stream', () => probeStream(clients, r, now)),
          read('queues', () => probeQueues(clients, r, now)),
          read('workloads', () => probeWorkloads(clients, r)),
          read('heartbeats', () => probeHeartbeats(control(), regionNames, now)),
          read('runbook items', () => probeRunbook(control(), now)),
        ]);
      return {
        region,
        role: r.role,
        routingControl: routing.ok ? { ok: true, value: routing.value[region] ?? 'unknown' } : routing,
        activeRecord,
        tables,
        replicationLatency,
        stream,
        queues,
        workloads,
        heartbeats,
        runbook,
      };
    }),
  );
  const on = routing.ok ? regionNames.filter((r) => routing.value[r] === 'On') : [];
  const activeRegion = !routing.ok ? 'unknown' : on.length === 1 ? on[0] : on.length === 0 ? 'none' : 'both';
  const primary = Object.values(outputs.regions).find((r) => r.role === 'primary')?.region ?? regionNames[0];
  const inconsistencies = findInconsistencies({
    environment: outputs.environment,
    primary,
    regions: regionNames,
    routing: routing.ok ? routing.value : undefined,
    records: regions.map((r) => ({
      region: r.region,
      record: r.activeRecord.ok ? r.activeRecord.value : undefined,
    })),
  });
  const states = regions.flatMap((r) => (r.runbook.ok ? [r.runbook.value] : []));
  return {
    kind: 'status',
    environment: outputs.environment,
    activeRegion,
    regions,
    unreachable: unreachableRegions(regions),
    inconsistencies,
    canary: await canary,
    ...(inconsistencies.length > 0
      ? {
          nextAction: nextAction(
            outputs.environment,
            states.find((x) => x.openRun)?.openRun ?? undefined,
            states.find((x) => x.openDrill)?.openDrill ?? undefined,
          ),
        }
      : {}),
  };
}
