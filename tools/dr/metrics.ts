import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';

/** One CloudWatch metric to read: the latest datapoint of `stat` over the look-back window. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** @default 'Maximum' */
  readonly stat?: string;
}

/** Route 53 publishes health-check metrics only in us-east-1. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

export const metric = {
  /** Seconds of writes in `sendingRegion` not yet applied in `receivingRegion` (read in the sending region). */
  replicationLatency: (table: string, receivingRegion: string): MetricSpec => ({
    namespace: 'AWS/DynamoDB',
    metricName: 'ReplicationLatency',
    dimensions: { TableName: table, ReceivingRegion: receivingRegion },
  }),
  iteratorAge: (stream: string): MetricSpec => ({
    namespace: 'AWS/Kinesis',
    metricName: 'GetRecords.IteratorAgeMilliseconds',
    dimensions: { StreamName: stream },
  }),
  oldestMessageAge: (queue: string): MetricSpec => ({
    namespace: 'AWS/SQS',
    metricName: 'ApproximateAgeOfOldestMessage',
    dimensions: { QueueName: queue },
  }),
  /**
   * Route 53 health-check state (1 healthy, 0 unhealthy). @aws-sdk/client-route53 is not available
   * to this repository, so the runbook reads the state from CloudWatch (`AWS/Route53`
   * `HealthCheckStatus`, published in us-east-1) instead of `GetHealthCheckStatus`.
   */
  healthCheckStatus: (healthCheckId: string): MetricSpec => ({
    namespace: 'AWS/Route53',
    metricName: 'HealthCheckStatus',
    dimensions: { HealthCheckId: healthCheckId },
    stat: 'Minimum',
  }),
} as const;

/**
 * Reads the latest datapoint of each metric in one GetMetricData call. A metric with no datapoint
 * in the window comes back `undefined`; callers decide whether that is acceptable.
 */
export async function latestValues(
  cw: CloudWatchClient,
  specs: readonly MetricSpec[],
  now: Date,
  windowSeconds = 300,
): Promise<(number | undefined)[]> {
  if (specs.length === 0) return [];
  const queries: MetricDataQuery[] = specs.map((s, i) => ({
    Id: `m${i}`,
    MetricStat: {
      Metric: {
        Namespace: s.namespace,
        MetricName: s.metricName,
        Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: s.stat ?? 'Maximum',
    },
    ReturnData: true,
  }));
  const out = await cw.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(now.getTime() - windowSeconds * 1000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    }),
  );
  return specs.map((_, i) => out.MetricDataResults?.find((r) => r.Id === `m${i}`)?.Values?.[0]);
}
