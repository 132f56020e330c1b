import { Construct } from 'constructs';
import type { UnifiedServiceTags } from './datadog-tagging';
import type { ScaledObjectTrigger } from './keda';
import { KedaScaling } from './keda-scaled-workload';
import type { Bounds } from './props';
import { ContainerResources, ScoringWorkload } from './scoring-workload';

export const FEEDBACK_WORKER = 'feedback-worker';

/** Requests and limits of one feedback-worker pod. */
export const FEEDBACK_WORKER_RESOURCES: ContainerResources = {
  cpuRequestMillis: 250,
  cpuLimitMillis: 500,
  memoryRequestMebibytes: 256,
  memoryLimitMebibytes: 256,
};

export interface FeedbackWorkerProps {
  readonly namespace: string;
  readonly image: string;
  readonly bounds: Bounds;
  readonly region: string;
  readonly queueUrl: string;
  /** Visible (plus in-flight) messages per replica. */
  readonly queueLengthPerReplica: number;
  readonly roleArn: string;
  readonly config: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Datadog unified service tags of the workload (see ./datadog-tagging.ts). */
  readonly datadog: UnifiedServiceTags;
  readonly autoscalerAnnotations: Readonly<Record<string, string>>;
  /** The launch windows' `cron` triggers (charts/keda.ts cronTriggers). @default - none */
  readonly cronTriggers?: readonly ScaledObjectTrigger[];
}

/** The SQS consumer of model feedback: workload plus a KEDA `aws-sqs-queue` ScaledObject. */
export class FeedbackWorker extends Construct {
  public readonly workload: ScoringWorkload;
  public readonly scaling: KedaScaling;

  constructor(scope: Construct, id: string, props: FeedbackWorkerProps) {
    super(scope, id);
    this.workload = new ScoringWorkload(this, 'Workload', {
      name: FEEDBACK_WORKER,
      namespace: props.namespace,
      image: props.image,
      resources: FEEDBACK_WORKER_RESOURCES,
      config: props.config,
      minReplicas: props.bounds.minReplicas,
      podLabels: props.podLabels,
      datadog: props.datadog,
    });
    this.scaling = new KedaScaling(this, 'Scaling', {
      workload: FEEDBACK_WORKER,
      namespace: props.namespace,
      bounds: props.bounds,
      roleArn: props.roleArn,
      autoscalerAnnotations: props.autoscalerAnnotations,
      extraTriggers: props.cronTriggers,
      trigger: {
        type: 'aws-sqs-queue',
        metadata: {
          queueURL: props.queueUrl,
          queueLength: String(props.queueLengthPerReplica),
          awsRegion: props.region,
          scaleOnInFlight: 'true',
        },
      },
    });
  }
}
