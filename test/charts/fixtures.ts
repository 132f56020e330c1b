import { synthesizeWorkloads, WorkloadsProps } from '../../charts';

/** A synthesized manifest; tests narrow it to a kubernetes-models interface with {@link find}. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

/** Valid props of a primary region ("happy path"); tests change one field. */
export function primaryProps(overrides: Partial<WorkloadsProps> = {}): WorkloadsProps {
  return {
    environment: 'prod',
    region: 'us-west-2',
    role: 'primary',
    namespace: 'risk-scoring',
    modelVersion: '2024.11.3',
    images: {
      scoringApi: '123456789012.dkr.ecr.us-west-2.amazonaws.com/scoring-api@sha256:' + 'a'.repeat(64),
      streamScorer: '123456789012.dkr.ecr.us-west-2.amazonaws.com/stream-scorer:1.4.2',
      feedbackWorker: '123456789012.dkr.ecr.us-west-2.amazonaws.com/feedback-worker:1.4.2',
    },
    replicationHeartbeat: { intervalSeconds: 1, peerRegion: 'us-east-1' },
    names: {
      stream: 'prod-transactions',
      streamArn: 'arn:aws:kinesis:us-west-2:123456789012:stream/prod-transactions',
      featuresTable: 'prod-features',
      decisionsTable: 'prod-decisions',
      controlTable: 'prod-control',
      decisionsTopicArn: 'arn:aws:sns:us-west-2:123456789012:prod-risk-decisions',
      caseReviewQueueUrl: 'https://sqs.us-west-2.amazonaws.com/123456789012/prod-case-review',
      modelFeedbackQueueUrl: 'https://sqs.us-west-2.amazonaws.com/123456789012/prod-model-feedback',
      modelFeedbackQueueName: 'prod-model-feedback',
      streamConsumerName: 'prod-stream-scorer',
      streamConsumerArn:
        'arn:aws:kinesis:us-west-2:123456789012:stream/prod-transactions/consumer/prod-stream-scorer:1700000000',
      streamScorerLeaseTable: 'prod-stream-scorer-leases-us-west-2',
      streamScorerMetricsNamespace: 'prod-stream-scorer',
    },
    roleArns: {
      streamScorer: 'arn:aws:iam::123456789012:role/prod-us-west-2-stream-scorer',
      feedbackWorker: 'arn:aws:iam::123456789012:role/prod-us-west-2-feedback-worker',
    },
    shardCount: 24,
    bounds: {
      scoringApi: { minReplicas: 10, maxReplicas: 120 },
      streamScorer: { minReplicas: 6, maxReplicas: 24 },
      feedbackWorker: { minReplicas: 2, maxReplicas: 12 },
    },
    scoringLatencySloMs: 50,
    scoringApiTargetRpsPerPod: 400,
    streamScorerTargetRecordsPerSecPerPod: 1000,
    scoringEndpoint: {
      hostname: 'score-us-west-2.prod.risk.example.com',
      certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100',
    },
    ...overrides,
  };
}

/** The DR twin of {@link primaryProps}: standby minimums, full minimums recorded. */
export function drProps(overrides: Partial<WorkloadsProps> = {}): WorkloadsProps {
  return primaryProps({
    region: 'us-east-1',
    role: 'dr',
    replicationHeartbeat: { intervalSeconds: 1, peerRegion: 'us-west-2' },
    scoringEndpoint: {
      hostname: 'score-us-east-1.prod.risk.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020101',
    },
    bounds: {
      scoringApi: { minReplicas: 3, maxReplicas: 120, fullMinReplicas: 10 },
      streamScorer: { minReplicas: 2, maxReplicas: 24, fullMinReplicas: 6 },
      feedbackWorker: { minReplicas: 1, maxReplicas: 12, fullMinReplicas: 2 },
    },
    ...overrides,
  });
}

export function synth(props: WorkloadsProps): Manifest[] {
  return synthesizeWorkloads(props) as unknown as Manifest[];
}

/** The one object of a kind and name; fails the test when absent. */
export function find<T>(objs: readonly Manifest[], kind: string, name: string): T {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0] as unknown as T;
}

export const WORKLOAD_NAMES = ['scoring-api', 'stream-scorer', 'feedback-worker'] as const;
