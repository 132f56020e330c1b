import { capacityPlan, heartbeatIntervalSeconds, regionBounds } from '../stacks/capacity';
import { EnvironmentConfig, parseEnvironmentConfig, RegionSite } from '../stacks/config/load';
import { readStackFile, stackFilePath } from '../stacks/config/stack-file';
import { regionalImages } from '../stacks/compute/images';
import { workloadRoleName } from '../stacks/data/policy-documents';
import { clusterName, physicalNames, streamScorerLeaseTableName } from '../stacks/naming';
import { regionalEndpointName } from '../stacks/traffic/dns';
import type { RegionRole, WorkloadsProps } from './props';

/**
 * The account ARNs are built with when no Pulumi program runs (`cdk8s synth`). The Pulumi program
 * passes the real ARNs (Outputs); everything else here comes from the environment's stack config and
 * the capacity model, exactly as the program derives it.
 */
export const SYNTH_ACCOUNT = '123456789012';

/**
 * The workload props of one region of an environment, derived from its validated config: images
 * (from this region's own registry, `regionalImages`), namespace and model version from config; names
 * from `stacks/naming`; replica bounds, shard count and the scoring-api target from the capacity model
 * (the active region full, the other at standby).
 */
export function environmentWorkloadsProps(config: EnvironmentConfig, site: RegionSite): WorkloadsProps {
  const { environment } = config;
  const region = site.region;
  const n = physicalNames(environment);
  const plan = capacityPlan(config);
  const active = site.region === (config.dr.activeRegion ?? config.regions.primary.region);
  const queueUrl = (name: string) => `https://sqs.${region}.amazonaws.com/${SYNTH_ACCOUNT}/${name}`;
  const role = (w: 'stream-scorer' | 'feedback-worker') =>
    `arn:aws:iam::${SYNTH_ACCOUNT}:role/${workloadRoleName(environment, w)}`;
  return {
    environment,
    region,
    role: site.role,
    active,
    namespace: config.workloads.namespace,
    modelVersion: config.workloads.modelVersion,
    // This region's registry for the private (risk/) images; public images unchanged.
    images: regionalImages(config.workloads, region),
    replicationHeartbeat: {
      intervalSeconds: heartbeatIntervalSeconds(config.dr.rpoSeconds),
      peerRegion:
        [config.regions.primary.region, config.regions.dr.region].find((r) => r !== region) ?? region,
    },
    names: {
      stream: n.stream,
      streamArn: `arn:aws:kinesis:${region}:${SYNTH_ACCOUNT}:stream/${n.stream}`,
      featuresTable: n.featuresTable,
      decisionsTable: n.decisionsTable,
      controlTable: n.controlTable,
      decisionsTopicArn: `arn:aws:sns:${region}:${SYNTH_ACCOUNT}:${n.decisionsTopic}`,
      caseReviewQueueUrl: queueUrl(n.caseReviewQueue),
      modelFeedbackQueueUrl: queueUrl(n.modelFeedbackQueue),
      modelFeedbackQueueName: n.modelFeedbackQueue,
      streamConsumerName: n.streamScorerConsumer,
      streamConsumerArn: `arn:aws:kinesis:${region}:${SYNTH_ACCOUNT}:stream/${n.stream}/consumer/${n.streamScorerConsumer}:0`,
      streamScorerLeaseTable: streamScorerLeaseTableName(environment, region),
      streamScorerMetricsNamespace: n.streamScorerMetricsNamespace,
    },
    roleArns: { streamScorer: role('stream-scorer'), feedbackWorker: role('feedback-worker') },
    shardCount: plan.stream.shardCount,
    bounds: {
      scoringApi: regionBounds(plan.workloads['scoring-api'], active),
      streamScorer: regionBounds(plan.workloads['stream-scorer'], active),
      feedbackWorker: regionBounds(plan.workloads['feedback-worker'], active),
    },
    scoringLatencySloMs: config.targets.p99LatencyMs,
    scoringApiTargetRpsPerPod: plan.scoringApiTargetRpsPerPod,
    streamScorerTargetRecordsPerSecPerPod: plan.streamScorerTargetRecordsPerSecPerPod,
    clusterName: clusterName(environment, region),
    kubernetesVersion: config.cluster.kubernetesVersion,
    scoringEndpoint: {
      hostname: regionalEndpointName(config.traffic, region),
      certificateArn: `arn:aws:acm:${region}:${SYNTH_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
    },
  };
}

/** Reads and validates `environments/Pulumi.<env>.yaml` as the program would (secrets as placeholders). */
export function loadEnvironment(environment: string): EnvironmentConfig {
  const file = readStackFile(stackFilePath(environment));
  return parseEnvironmentConfig(file.values, {
    stack: environment,
    isSecret: (k) => file.secretKeys.includes(k),
  });
}

/** The props of one region of a committed environment, by name; for `cdk8s synth` and tests. */
export function exampleWorkloadsProps(environment: string, region: string, role: RegionRole): WorkloadsProps {
  const config = loadEnvironment(environment);
  const site = config.sites.find((s) => s.region === region && s.role === role);
  if (!site) throw new Error(`environment '${environment}' has no ${role} region '${region}'`);
  return environmentWorkloadsProps(config, site);
}
