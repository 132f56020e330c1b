import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';

/** The metric values the stand-in serves. */
export interface MetricValues {
  /** DynamoDB ReplicationLatency for every table and direction (ms). @default 420 */
  replicationLatencyMs: number | undefined;
  /** Kinesis GetRecords.IteratorAgeMilliseconds. @default 850 */
  iteratorAgeMs: number;
  /** SQS ApproximateAgeOfOldestMessage (s). @default 2 */
  oldestMessageAgeSeconds: number;
}

export const DEFAULT_METRICS: MetricValues = {
  replicationLatencyMs: 420,
  iteratorAgeMs: 850,
  oldestMessageAgeSeconds: 2,
};

/**
 * Stand-in for CloudWatch GetMetricData (no emulator exists), at the SDK boundary. Route 53
 * `HealthCheckStatus` follows the routing control its health check is bound to (On -> 1), as
 * ARC-bound health checks do; the other metrics return configured values.
 */
export class CloudWatchStandIn {
  values: MetricValues = { ...DEFAULT_METRICS };
  calls = 0;
  /** Regions whose CloudWatch answers with a 500 (simulates an impaired region). */
  readonly failingRegions = new Set<string>();
  /**
   * `HealthCheckStatus` of these health checks, instead of following their routing control: a value
   * (e.g. a check that still reads the old state), or undefined for no datapoint at all.
   */
  readonly healthOverrides = new Map<string, number | undefined>();
  /**
   * The synthetic canary (issue 13, metrics in its own namespace `<env>-risk-canary`): every probed
   * region scores (`ScoreProbeHealthy` 1, 180 ms) for the last 5 minutes, except these, whose probes
   * all time out (0, 5 000 ms, `ScoreProbeError` Reason `timeout`).
   */
  readonly canaryFailing = new Set<string>();

  constructor(private readonly healthOf: (healthCheckId: string) => number | undefined) {}

  reset(values: Partial<MetricValues> = {}): void {
    this.values = { ...DEFAULT_METRICS, ...values };
    this.calls = 0;
    this.failingRegions.clear();
    this.healthOverrides.clear();
    this.canaryFailing.clear();
  }

  /** The canary's datapoints for one query: one a minute, the newest 30 s before `at`; undefined if not a canary metric. */
  private canarySeries(q: MetricDataQuery, at: Date): { Values: number[]; Timestamps: Date[] } | undefined {
    const m = q.MetricStat?.Metric;
    if (!m?.Namespace?.endsWith('-risk-canary')) return undefined;
    const dim = (name: string) => m.Dimensions?.find((d) => d.Name === name)?.Value;
    const failing = this.canaryFailing.has(dim('TargetRegion') ?? '');
    const value =
      m.MetricName === 'ScoreProbeHealthy'
        ? failing
          ? 0
          : 1
        : m.MetricName === 'ScoreProbeLatency'
          ? failing
            ? 5000
            : 180
          : failing && dim('Reason') === 'timeout'
            ? 1
            : undefined;
    const Timestamps =
      value === undefined ? [] : [0, 1, 2, 3, 4].map((i) => new Date(at.getTime() - 30_000 - i * 60_000));
    return { Values: Timestamps.map(() => value as number), Timestamps };
  }

  private value(q: MetricDataQuery): number | undefined {
    const m = q.MetricStat?.Metric;
    const dim = (name: string) => m?.Dimensions?.find((d) => d.Name === name)?.Value ?? '';
    switch (`${m?.Namespace}/${m?.MetricName}`) {
      case 'AWS/DynamoDB/ReplicationLatency':
        return this.values.replicationLatencyMs;
      case 'AWS/Kinesis/GetRecords.IteratorAgeMilliseconds':
        return this.values.iteratorAgeMs;
      case 'AWS/SQS/ApproximateAgeOfOldestMessage':
        return this.values.oldestMessageAgeSeconds;
      case 'AWS/Route53/HealthCheckStatus': {
        const id = dim('HealthCheckId');
        return this.healthOverrides.has(id) ? this.healthOverrides.get(id) : this.healthOf(id);
      }
      default:
        return undefined;
    }
  }

  attach(client: CloudWatchClient, region: string): void {
    mockClient(client)
      .on(GetMetricDataCommand)
      .callsFake(async (input: { MetricDataQueries?: MetricDataQuery[]; EndTime?: Date }) => {
        this.calls += 1;
        if (this.failingRegions.has(region)) {
          const e = new Error(`CloudWatch in ${region} is unavailable (stand-in)`);
          e.name = 'InternalServiceError';
          throw e;
        }
        const at = input.EndTime ?? new Date();
        return {
          MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
            const canary = this.canarySeries(q, at);
            if (canary) return { Id: q.Id, StatusCode: 'Complete', ...canary };
            const v = this.value(q);
            return {
              Id: q.Id,
              StatusCode: 'Complete',
              Values: v === undefined ? [] : [v],
              Timestamps: v === undefined ? [] : [at],
            };
          }),
        };
      });
  }
}
