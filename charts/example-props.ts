import { physicalNames, streamScorerLeaseTableName } from '../stacks/naming';
import type { Bounds, RegionRole, WorkloadsProps } from './props';

/** The example topology `charts/main.ts` synthesizes: us-west-2 primary, us-east-1 warm standby. */
export const EXAMPLE_REGIONS: ReadonlyArray<{ readonly region: string; readonly role: RegionRole }> = [
  { region: 'us-west-2', role: 'primary' },
  { region: 'us-east-1', role: 'dr' },
];

const ACCOUNT = '123456789012';
const FULL: Record<'scoringApi' | 'streamScorer' | 'feedbackWorker', Bounds> = {
  scoringApi: { minReplicas: 6, maxReplicas: 60 },
  streamScorer: { minReplicas: 4, maxReplicas: 16 },
  feedbackWorker: { minReplicas: 2, maxReplicas: 10 },
};
const STANDBY_FRACTION = 0.25;

const standby = (b: Bounds): Bounds => ({
  minReplicas: Math.max(1, Math.ceil(b.minReplicas * STANDBY_FRACTION)),
  maxReplicas: b.maxReplicas,
  fullMinReplicas: b.minReplicas,
});

/**
 * Example props for one region of an environment, shaped like what the Pulumi program passes
 * (data-plane names from `stacks/naming`, placeholder ARNs and images). For `cdk8s synth` only.
 */
export function exampleWorkloadsProps(environment: string, region: string, role: RegionRole): WorkloadsProps {
  const n = physicalNames(environment);
  const queueUrl = (name: string) => `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${name}`;
  const bounds =
    role === 'primary'
      ? FULL
      : {
          scoringApi: standby(FULL.scoringApi),
          streamScorer: standby(FULL.streamScorer),
          feedbackWorker: standby(FULL.feedbackWorker),
        };
  return {
    environment,
    region,
    role,
    namespace: 'risk-scoring',
    modelVersion: '2024.11.3',
    images: {
      scoringApi: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/scoring-api:1.4.2`,
      streamScorer: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/stream-scorer:1.4.2`,
      feedbackWorker: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/feedback-worker:1.4.2`,
    },
    names: {
      stream: n.stream,
      streamArn: `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${n.stream}`,
      featuresTable: n.featuresTable,
      decisionsTable: n.decisionsTable,
      controlTable: n.controlTable,
      decisionsTopicArn: `arn:aws:sns:${region}:${ACCOUNT}:${n.decisionsTopic}`,
      caseReviewQueueUrl: queueUrl(n.caseReviewQueue),
      modelFeedbackQueueUrl: queueUrl(n.modelFeedbackQueue),
      modelFeedbackQueueName: n.modelFeedbackQueue,
      streamConsumerName: n.streamScorerConsumer,
      streamConsumerArn: `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${n.stream}/consumer/${n.streamScorerConsumer}:1700000000`,
      streamScorerLeaseTable: streamScorerLeaseTableName(environment, region),
      streamScorerMetricsNamespace: n.streamScorerMetricsNamespace,
    },
    roleArns: {
      streamScorer: `arn:aws:iam::${ACCOUNT}:role/${environment}-${region}-stream-scorer`,
      feedbackWorker: `arn:aws:iam::${ACCOUNT}:role/${environment}-${region}-feedback-worker`,
    },
    shardCount: 16,
    bounds,
    scoringLatencySloMs: 50,
    scoringApiTargetRpsPerPod: 400,
    scoringEndpoint: {
      hostname: `score-${region}.${environment}.risk.example.com`,
      certificateArn: `arn:aws:acm:${region}:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
    },
  };
}
