import { Construct } from 'constructs';
import type { UnifiedServiceTags } from './datadog-tagging';
import { KedaScaling } from './keda-scaled-workload';
import type { Bounds } from './props';
import { ContainerResources, ScoringWorkload } from './scoring-workload';

export const STREAM_SCORER = 'stream-scorer';

/** Shards per replica: the `aws-kinesis-stream` scaler's `shardCount` target. */
export const SHARDS_PER_REPLICA = 1;

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
  readonly roleArn: string;
  readonly config: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Datadog unified service tags of the workload (see ./datadog-tagging.ts). */
  readonly datadog: UnifiedServiceTags;
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
}

/**
 * The Kinesis consumer: workload plus a KEDA `aws-kinesis-stream` ScaledObject, one replica per
 * shard. `maxReplicaCount` never exceeds the shard count (validated in props): a replica past the
 * shard count would hold no lease and idle.
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
      trigger: {
        type: 'aws-kinesis-stream',
        metadata: {
          streamName: props.streamName,
          awsRegion: props.region,
          shardCount: String(SHARDS_PER_REPLICA),
        },
      },
    });
  }
}
