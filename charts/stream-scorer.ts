import { Construct } from 'constructs';
import type { UnifiedServiceTags } from './datadog-tagging';
import type { ScaledObjectTrigger } from './keda';
import { KedaScaling } from './keda-scaled-workload';
import type { Bounds } from './props';
import { ContainerResources, ScoringWorkload } from './scoring-workload';

export const STREAM_SCORER = 'stream-scorer';

/**
 * The stream scorer's load signal: CloudWatch `AWS/Kinesis` `IncomingRecords` of the stream (stream
 * level, published every minute), summed over one minute. KEDA's `aws-cloudwatch` scaler reads the
 * newest datapoint (`Values[0]`, GetMetricData's default descending order) of the window
 * `[now - metricCollectionTime - metricEndTimeOffset, now - metricEndTimeOffset]`
 * (pkg/scalers/aws_cloudwatch_scaler.go at v2.20.2); the one-minute offset skips the minute still being
 * aggregated, which would read low. An empty series (no writes, e.g. the standby region) is
 * `minMetricValue` 0, so the standby runs its minimum.
 *
 * Not `aws-kinesis-stream`: that scaler's metric is the open-shard count, which is constant, so its
 * desired count was `shards / shardCount` at any load, pinned at the maximum in both regions.
 * @see https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
 * @see https://keda.sh/docs/2.20/scalers/aws-cloudwatch/
 */
export const STREAM_SCORER_LOAD_METRIC = {
  namespace: 'AWS/Kinesis',
  metricName: 'IncomingRecords',
  dimensionName: 'StreamName',
  metricStat: 'Sum',
  metricStatPeriodSeconds: 60,
  metricCollectionTimeSeconds: 300,
  metricEndTimeOffsetSeconds: 60,
} as const;

/** Requests and limits of one stream-scorer pod. */
export const STREAM_SCORER_RESOURCES: ContainerResources = {
  cpuRequestMillis: 500,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 512,
  memoryLimitMebibytes: 512,
};

export interface StreamScorerProps {
  readonly namespace: string;
  readonly image: string;
  readonly bounds: Bounds;
  readonly region: string;
  readonly streamName: string;
  /** The record rate one pod should carry (records/s), from the capacity model. */
  readonly targetRecordsPerSecPerPod: number;
  readonly roleArn: string;
  readonly config: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Datadog unified service tags of the workload (see ./datadog-tagging.ts). */
  readonly datadog: UnifiedServiceTags;
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
  /** The launch windows' `cron` triggers (charts/keda.ts cronTriggers). @default - none */
  readonly cronTriggers?: readonly ScaledObjectTrigger[];
}

/**
 * The Kinesis consumer: workload plus a KEDA ScaledObject on the stream's incoming record rate
 * ({@link STREAM_SCORER_LOAD_METRIC}), AverageValue target = the per-pod record rate (per minute, as
 * the metric is a one-minute sum). `maxReplicaCount` never exceeds the shard count (validated in
 * props): a KCL worker past the shard count would hold no lease and idle. Below it, KCL 3 balances
 * the leases over the workers present (each holds `ceil(shards / replicas)` at most), so any replica
 * count between the bounds consumes every shard.
 */
export class StreamScorer extends Construct {
  public readonly workload: ScoringWorkload;
  public readonly scaling: KedaScaling;

  constructor(scope: Construct, id: string, props: StreamScorerProps) {
    super(scope, id);
    this.workload = new ScoringWorkload(this, 'Workload', {
      name: STREAM_SCORER,
      namespace: props.namespace,
      image: props.image,
      resources: STREAM_SCORER_RESOURCES,
      config: props.config,
      minReplicas: props.bounds.minReplicas,
      podLabels: props.podLabels,
      datadog: props.datadog,
    });
    this.scaling = new KedaScaling(this, 'Scaling', {
      workload: STREAM_SCORER,
      namespace: props.namespace,
      bounds: props.bounds,
      roleArn: props.roleArn,
      autoscalerAnnotations: props.autoscalerAnnotations,
      extraTriggers: props.cronTriggers,
      trigger: {
        type: 'aws-cloudwatch',
        metricType: 'AverageValue',
        metadata: streamScorerTriggerMetadata(props),
      },
    });
  }
}

/** The `aws-cloudwatch` trigger's metadata of the stream scorer (see {@link STREAM_SCORER_LOAD_METRIC}). */
export function streamScorerTriggerMetadata(
  props: Pick<StreamScorerProps, 'streamName' | 'region' | 'targetRecordsPerSecPerPod'>,
): Record<string, string> {
  const m = STREAM_SCORER_LOAD_METRIC;
  return {
    namespace: m.namespace,
    metricName: m.metricName,
    dimensionName: m.dimensionName,
    dimensionValue: props.streamName,
    metricStat: m.metricStat,
    metricStatPeriod: String(m.metricStatPeriodSeconds),
    metricCollectionTime: String(m.metricCollectionTimeSeconds),
    metricEndTimeOffset: String(m.metricEndTimeOffsetSeconds),
    // Records per minute one pod carries: the metric is a one-minute sum.
    targetMetricValue: String(Math.round(props.targetRecordsPerSecPerPod * m.metricStatPeriodSeconds)),
    minMetricValue: '0',
    awsRegion: props.region,
  };
}
