import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { RegionOutputs, RunbookOutputs } from '../../stacks/outputs';
import { Clients } from './clients';
import { HeartbeatRecord, heartbeatIntervalMs, readHeartbeat } from './control/heartbeat';
import { ControlTable } from './control/table';
import { latestValues, metric } from './metrics';

/** Read-only probes of one region's data plane, shared by preflight and status. */

export interface TableProbe {
  readonly table: string;
  /** The replica's status in this region (`ReplicaStatus`, else `TableStatus`). */
  readonly status: string;
}

export async function probeTables(clients: Clients, r: RegionOutputs): Promise<TableProbe[]> {
  const db = clients.dynamodb(r.region);
  return Promise.all(
    Object.values(r.tables).map(async ({ name }) => {
      const { Table } = await db.send(new DescribeTableCommand({ TableName: name }));
      const replica = Table?.Replicas?.find((x) => x.RegionName === r.region);
      return { table: name, status: replica?.ReplicaStatus ?? Table?.TableStatus ?? 'UNKNOWN' };
    }),
  );
}

/**
 * DynamoDB `ReplicationLatency` from `from` to `to` for every table, in milliseconds. The metric is
 * published only in the SENDING region (dimension `ReceivingRegion` = `to`), so this reads `from`'s
 * CloudWatch: during a failover that is the impaired region, and preflight treats it as best-effort
 * (see {@link probeReplicationEvidence}). `undefined` when a table has no datapoint in the last 5 minutes.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html
 */
export async function probeReplicationLatency(
  clients: Clients,
  outputs: RunbookOutputs,
  from: string,
  to: string,
  now: Date,
): Promise<{ readonly table: string; readonly ms: number | undefined }[]> {
  const tables = Object.values(outputs.regions[from].tables).map((t) => t.name);
  const values = await latestValues(
    clients.cloudwatch(from),
    tables.map((t) => metric.replicationLatency(t, to)),
    now,
  );
  return tables.map((table, i) => ({ table, ms: values[i] }));
}

/** What the control tables say about replication from `from` into `to` (see {@link probeReplicationEvidence}). */
export interface ReplicationEvidence {
  /** The write interval of the heartbeat writers (ms). */
  readonly intervalMs: number;
  /**
   * `heartbeat#<from>` as replicated into `to`'s replica; undefined when absent. Its age is measured by
   * the verdict on the regions' clocks (tools/dr/control/region-clock.ts), not here.
   */
  readonly replicated?: { readonly writtenAt: number };
  /** `to`'s own heartbeat item (its writer's record of the inbound lag it observed from `from`). */
  readonly target?: HeartbeatRecord;
  /**
   * `heartbeat#<from>` in `from`'s OWN replica (best-effort, bounded): whether `from`'s writer still
   * writes. `error` when `from` did not answer; `record` undefined when it holds no item.
   */
  readonly source:
    { readonly ok: true; readonly record?: HeartbeatRecord } | { readonly ok: false; readonly error: string };
}

/**
 * Replication freshness evidence, measured from the healthy side: `from`'s heartbeat as replicated
 * into `to`'s replica and `to`'s own heartbeat item (both read through `to`'s endpoint only), plus,
 * best-effort, `from`'s heartbeat in its own replica (is `from`'s writer alive?).
 */
export async function probeReplicationEvidence(
  clients: Clients,
  outputs: RunbookOutputs,
  from: string,
  to: string,
): Promise<ReplicationEvidence> {
  const target = new ControlTable(clients.dynamodb(to), outputs.regions[to].tables.control.name, to);
  const own = new ControlTable(clients.dynamodb(from), outputs.regions[from].tables.control.name, from);
  const [replicated, targetRecord, source] = await Promise.all([
    readHeartbeat(target, from),
    readHeartbeat(target, to),
    readHeartbeat(own, from).then(
      (record) => ({ ok: true as const, record }),
      (err: unknown) => ({
        ok: false as const,
        error: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`,
      }),
    ),
  ]);
  return {
    intervalMs: heartbeatIntervalMs(outputs),
    ...(replicated ? { replicated: { writtenAt: replicated.writtenAt } } : {}),
    ...(targetRecord ? { target: targetRecord } : {}),
    source,
  };
}

/** Whether the source region's DynamoDB answers (DescribeTable of its control table replica). */
export async function probeSourceReachable(clients: Clients, r: RegionOutputs): Promise<string> {
  const { Table } = await clients
    .dynamodb(r.region)
    .send(new DescribeTableCommand({ TableName: r.tables.control.name }));
  return Table?.TableStatus ?? 'UNKNOWN';
}

export async function probeStream(
  clients: Clients,
  r: RegionOutputs,
  now: Date,
): Promise<{ readonly status: string; readonly shards: number; readonly iteratorAgeMs: number | undefined }> {
  const { StreamDescriptionSummary: s } = await clients
    .kinesis(r.region)
    .send(new DescribeStreamSummaryCommand({ StreamName: r.stream.name }));
  const [iteratorAgeMs] = await latestValues(
    clients.cloudwatch(r.region),
    [metric.iteratorAge(r.stream.name)],
    now,
  );
  return { status: s?.StreamStatus ?? 'UNKNOWN', shards: s?.OpenShardCount ?? 0, iteratorAgeMs };
}

export interface QueueProbe {
  readonly queue: string;
  readonly visible: number;
  readonly inFlight: number;
  readonly oldestAgeSeconds: number | undefined;
}

/** Finds each queue by name in the region (GetQueueUrl), so a missing queue fails loudly. */
export async function probeQueues(clients: Clients, r: RegionOutputs, now: Date): Promise<QueueProbe[]> {
  const sqs = clients.sqs(r.region);
  const names = Object.values(r.queues).map((q) => q.name);
  const ages = await latestValues(
    clients.cloudwatch(r.region),
    names.map((n) => metric.oldestMessageAge(n)),
    now,
  );
  return Promise.all(
    names.map(async (name, i) => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes: a } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        queue: name,
        visible: Number(a?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a?.ApproximateNumberOfMessagesNotVisible ?? 0),
        oldestAgeSeconds: ages[i],
      };
    }),
  );
}

export interface WorkloadProbe {
  readonly deployment: string;
  readonly autoscaler: string;
  readonly min: number;
  readonly fullMin: number;
  readonly standbyMin: number;
  readonly desired: number;
  readonly ready: number;
}

export async function probeWorkloads(clients: Clients, r: RegionOutputs): Promise<WorkloadProbe[]> {
  const kube = clients.kube(r);
  const ns = r.workloads.namespace;
  return Promise.all(
    r.workloads.deployments.map(async (d) => {
      const [min, dep] = await Promise.all([
        kube.getAutoscalerMin(ns, d.autoscaler),
        kube.getDeployment(ns, d.name),
      ]);
      return {
        deployment: d.name,
        autoscaler: `${d.autoscaler.kind}/${d.autoscaler.name}`,
        min,
        fullMin: d.autoscaler.fullMinReplicas,
        standbyMin: d.autoscaler.standbyMinReplicas,
        desired: dep.desired,
        ready: dep.ready,
      };
    }),
  );
}
