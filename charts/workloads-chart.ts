import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterName as defaultClusterName, kclMetadataTableNames } from '../stacks/naming';
import { DATADOG_TAG_LABELS, datadogVersion, UnifiedServiceTags } from './datadog-tagging';
import { FEEDBACK_WORKER, FeedbackWorker } from './feedback-worker';
import { cronTriggers } from './keda';
import { ANNOTATIONS, commonLabels, LABELS, labelTree } from './labels';
import { WorkloadNamespace } from './namespace';
import { NetworkPolicies } from './network-policies';
import { Bounds, isActive, validateWorkloadsProps, WorkloadsProps } from './props';
import {
  REPLICATION_HEARTBEAT,
  REPLICATION_HEARTBEAT_DEFAULT_IMAGE,
  ReplicationHeartbeat,
} from './replication-heartbeat';
import { SCORING_API, ScoringApi } from './scoring-api';
import { STREAM_SCORER, StreamScorer } from './stream-scorer';

/** @default values of the optional {@link WorkloadsProps}. */
export const WORKLOADS_DEFAULTS = {
  feedbackQueueLengthPerReplica: 50,
  awsApiCidrs: ['10.0.0.0/8'],
  ingressCidrs: ['10.0.0.0/8'],
  kubernetesVersion: '1.33',
} as const;

/** The data every workload's ConfigMap publishes (as environment variables). */
export function workloadConfig(props: WorkloadsProps, workload: string): Record<string, string> {
  return {
    WORKLOAD: workload,
    ENVIRONMENT: props.environment,
    AWS_REGION: props.region,
    REGION_ROLE: props.role,
    MODEL_VERSION: props.modelVersion,
    SCORING_LATENCY_SLO_MS: String(props.scoringLatencySloMs),
    TRANSACTIONS_STREAM_NAME: props.names.stream,
    TRANSACTIONS_STREAM_ARN: props.names.streamArn,
    FEATURES_TABLE_NAME: props.names.featuresTable,
    DECISIONS_TABLE_NAME: props.names.decisionsTable,
    CONTROL_TABLE_NAME: props.names.controlTable,
    DECISIONS_TOPIC_ARN: props.names.decisionsTopicArn,
    CASE_REVIEW_QUEUE_URL: props.names.caseReviewQueueUrl,
    MODEL_FEEDBACK_QUEUE_URL: props.names.modelFeedbackQueueUrl,
    MODEL_FEEDBACK_QUEUE_NAME: props.names.modelFeedbackQueueName,
  };
}

/**
 * The Kinesis Client Library the stream-scorer image must embed (the image contract): KCL 3, whose
 * lease-owner index, worker-metrics and coordinator-state tables the platform pre-creates and grants
 * (stacks/data/policy-documents.ts `LEASE_TABLE_ACTIONS`, `KCL_METADATA_TABLE_ACTIONS`). 3.5+ must keep
 * `CoordinatorConfig.migrateAllEntitiesToLeaseTable` false (its default), so the three tables stay
 * separate; KCL 2.x has no worker-metrics table and would not balance leases on utilization.
 * @see https://docs.aws.amazon.com/streams/latest/dev/kcl-migration-from-2-3.html
 */
export const STREAM_SCORER_KCL_VERSION = '>=3.0.0 <4.0.0';

/**
 * What only the stream scorer's ConfigMap adds: the KCL coordination it must use as provisioned, its
 * lease table (pre-created in this region) and its registered enhanced fan-out consumer, and the
 * metrics namespace its role may publish to.
 */
export function streamScorerConfig(props: WorkloadsProps): Record<string, string> {
  return {
    STREAM_CONSUMER_NAME: props.names.streamConsumerName,
    STREAM_CONSUMER_ARN: props.names.streamConsumerArn,
    LEASE_TABLE_NAME: props.names.streamScorerLeaseTable,
    // KCL 3's other metadata tables, pre-created next to the lease table (stacks/data/lease-table.ts):
    // the image sets them as WorkerMetricsTableConfig / CoordinatorStateTableConfig table names.
    WORKER_METRICS_TABLE_NAME: kclMetadataTableNames(props.names.streamScorerLeaseTable).workerMetrics,
    COORDINATOR_STATE_TABLE_NAME: kclMetadataTableNames(props.names.streamScorerLeaseTable).coordinatorState,
    KCL_VERSION: STREAM_SCORER_KCL_VERSION,
    METRICS_NAMESPACE: props.names.streamScorerMetricsNamespace,
  };
}

/**
 * The annotations the DR runbook reads on an autoscaler: the full-capacity minimum it restores on
 * failover, and (in the standby region) the standby minimum it returns to on failback.
 */
export function autoscalerAnnotations(props: WorkloadsProps, bounds: Bounds): Record<string, string> {
  const annotations: Record<string, string> = {
    [ANNOTATIONS.fullMinReplicas]: String(bounds.fullMinReplicas ?? bounds.minReplicas),
  };
  if (!isActive(props)) annotations[ANNOTATIONS.standbyMinReplicas] = String(bounds.minReplicas);
  return annotations;
}

/**
 * The Datadog query of the scoring API's request rate in one region's cluster, scoped by the tags the
 * tracer puts on its trace metrics: `env` and `service` are the workload's unified service tags
 * (`DD_ENV`, `DD_SERVICE`), and `kube_cluster_name` is the node agent's host tag, set from the Helm
 * value `datadog.clusterName` (stacks/compute/addons.ts, the same cluster name).
 */
export function requestRateQuery(tags: Pick<UnifiedServiceTags, 'env' | 'service'>, cluster: string): string {
  // default_zero: in the standby region (no traffic) the series is empty; the cluster agent then
  // answers 422 and the ScaledObject is not Ready (see policies/keda-triggers.ts).
  return `default_zero(sum:trace.http.request.hits{env:${tags.env},service:${tags.service},kube_cluster_name:${cluster}}.as_rate())`;
}

/** The unified service tags of one scoring workload: version from the model and its image. */
export function workloadDatadogTags(
  props: WorkloadsProps,
  workload: string,
  image: string,
): UnifiedServiceTags {
  return { env: props.environment, service: workload, version: datadogVersion(props.modelVersion, image) };
}

/**
 * Every Kubernetes object of the scoring platform in one region: namespace, network policies and
 * the three workloads with their autoscalers and disruption budgets; the scoring API behind an NLB;
 * and the platform's replication heartbeat writer (fixed size, no autoscaler).
 */
export class WorkloadsChart extends Chart {
  constructor(scope: Construct, id: string, props: WorkloadsProps) {
    validateWorkloadsProps(props);
    super(scope, id, {
      labels: commonLabels(props.environment, props.region, props.role),
      disableResourceNameHashes: true,
    });
    const namespace = props.namespace;
    const podLabels = (workload: string) => ({
      ...commonLabels(props.environment, props.region, props.role),
      // Datadog unified service tagging (the scoring workloads add `version`).
      [DATADOG_TAG_LABELS.env]: props.environment,
      [DATADOG_TAG_LABELS.service]: workload,
    });
    const scoringApiTags = workloadDatadogTags(props, SCORING_API, props.images.scoringApi);

    const ns = new WorkloadNamespace(this, 'Namespace', {
      name: namespace,
      kubernetesVersion: props.kubernetesVersion ?? WORKLOADS_DEFAULTS.kubernetesVersion,
    });
    const policies = new NetworkPolicies(this, 'NetworkPolicies', {
      namespace,
      awsApiCidrs: props.awsApiCidrs ?? WORKLOADS_DEFAULTS.awsApiCidrs,
      ingressCidrs: props.ingressCidrs ?? WORKLOADS_DEFAULTS.ingressCidrs,
    });
    const scoringApi = new ScoringApi(this, 'ScoringApi', {
      namespace,
      image: props.images.scoringApi,
      bounds: props.bounds.scoringApi,
      config: workloadConfig(props, SCORING_API),
      podLabels: podLabels(SCORING_API),
      datadog: scoringApiTags,
      requestRateQuery: requestRateQuery(
        scoringApiTags,
        props.clusterName ?? defaultClusterName(props.environment, props.region),
      ),
      targetRpsPerPod: props.scoringApiTargetRpsPerPod,
      autoscalerAnnotations: autoscalerAnnotations(props, props.bounds.scoringApi),
      loadBalancer: props.scoringEndpoint,
      cronTriggers: cronTriggers(props.prescale, 'scoringApi'),
    });
    const streamScorer = new StreamScorer(this, 'StreamScorer', {
      namespace,
      image: props.images.streamScorer,
      bounds: props.bounds.streamScorer,
      region: props.region,
      streamName: props.names.stream,
      targetRecordsPerSecPerPod: props.streamScorerTargetRecordsPerSecPerPod,
      roleArn: props.roleArns.streamScorer,
      config: { ...workloadConfig(props, STREAM_SCORER), ...streamScorerConfig(props) },
      podLabels: podLabels(STREAM_SCORER),
      datadog: workloadDatadogTags(props, STREAM_SCORER, props.images.streamScorer),
      autoscalerAnnotations: autoscalerAnnotations(props, props.bounds.streamScorer),
      cronTriggers: cronTriggers(props.prescale, 'streamScorer'),
    });
    const feedbackWorker = new FeedbackWorker(this, 'FeedbackWorker', {
      namespace,
      image: props.images.feedbackWorker,
      bounds: props.bounds.feedbackWorker,
      region: props.region,
      queueUrl: props.names.modelFeedbackQueueUrl,
      queueLengthPerReplica:
        props.feedbackQueueLengthPerReplica ?? WORKLOADS_DEFAULTS.feedbackQueueLengthPerReplica,
      roleArn: props.roleArns.feedbackWorker,
      config: workloadConfig(props, FEEDBACK_WORKER),
      podLabels: podLabels(FEEDBACK_WORKER),
      datadog: workloadDatadogTags(props, FEEDBACK_WORKER, props.images.feedbackWorker),
      autoscalerAnnotations: autoscalerAnnotations(props, props.bounds.feedbackWorker),
      cronTriggers: cronTriggers(props.prescale, 'feedbackWorker'),
    });

    const heartbeat = new ReplicationHeartbeat(this, 'ReplicationHeartbeat', {
      namespace,
      image: props.images.replicationHeartbeat ?? REPLICATION_HEARTBEAT_DEFAULT_IMAGE,
      region: props.region,
      controlTable: props.names.controlTable,
      intervalSeconds: props.replicationHeartbeat.intervalSeconds,
      peerRegion: props.replicationHeartbeat.peerRegion,
      podLabels: podLabels(REPLICATION_HEARTBEAT),
    });

    // app.kubernetes.io/name: the workload's name on its objects, the namespace's on shared ones.
    labelTree(ns, { [LABELS.name]: namespace });
    labelTree(policies, { [LABELS.name]: namespace });
    labelTree(scoringApi, { [LABELS.name]: SCORING_API });
    labelTree(streamScorer, { [LABELS.name]: STREAM_SCORER });
    labelTree(feedbackWorker, { [LABELS.name]: FEEDBACK_WORKER });
    labelTree(heartbeat, { [LABELS.name]: REPLICATION_HEARTBEAT });
  }
}

/**
 * Synthesizes one region's workload manifests in-process: plain data in, plain manifests out, in
 * a deterministic order (construct order: namespace, network policies, then each workload's
 * ServiceAccount, ConfigMap, Deployment, PDB and autoscaling objects, then the replication heartbeat's
 * ServiceAccount, writer ConfigMap, Deployment and PDB). Writes no files.
 *
 * Throws when the props are invalid, naming the field, the value and the expectation.
 */
export function synthesizeWorkloads(props: WorkloadsProps): Record<string, unknown>[] {
  const app = new App();
  const chart = new WorkloadsChart(app, 'risk-scoring', props);
  return chart.toJson() as Record<string, unknown>[];
}
