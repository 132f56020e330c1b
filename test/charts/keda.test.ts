import type { IScaledObject, ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { find, primaryProps, synth } from './fixtures';

const props = primaryProps();
const objs = synth(props);
const streamScorer = find<IScaledObject>(objs, 'ScaledObject', 'stream-scorer');
const feedbackWorker = find<IScaledObject>(objs, 'ScaledObject', 'feedback-worker');

describe('KEDA scaling', () => {
  test('stream-scorer scales on the stream’s incoming records per minute, not the constant shard count', () => {
    expect(streamScorer.spec.triggers).toEqual([
      {
        type: 'aws-cloudwatch',
        metricType: 'AverageValue',
        metadata: {
          namespace: 'AWS/Kinesis',
          metricName: 'IncomingRecords',
          dimensionName: 'StreamName',
          dimensionValue: 'prod-transactions',
          metricStat: 'Sum',
          metricStatPeriod: '60',
          metricCollectionTime: '300',
          metricEndTimeOffset: '60',
          // 1,000 records/s per pod (props) x 60 s: the metric is a one-minute sum
          targetMetricValue: '60000',
          minMetricValue: '0',
          awsRegion: 'us-west-2',
        },
        authenticationRef: { name: 'stream-scorer-aws' },
      },
    ]);
  });

  test('stream-scorer’s desired count follows load: no write traffic wants the minimum', () => {
    // HPA AverageValue: desired = ceil(metric / target), clamped to [min, max].
    const target = Number(streamScorer.spec.triggers[0].metadata.targetMetricValue);
    const desired = (recordsPerMinute: number) =>
      Math.min(
        streamScorer.spec.maxReplicaCount!,
        Math.max(streamScorer.spec.minReplicaCount!, Math.ceil(recordsPerMinute / target)),
      );
    expect(desired(0)).toBe(6);
    expect(desired(10 * target)).toBe(10);
    expect(desired(1000 * target)).toBe(24);
  });

  test('stream-scorer bounds come from the props', () => {
    expect(streamScorer.spec.minReplicaCount).toBe(6);
    expect(streamScorer.spec.maxReplicaCount).toBe(24);
    expect(streamScorer.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'stream-scorer',
    });
  });

  test('stream-scorer maxReplicaCount never exceeds the shard count', () => {
    expect(streamScorer.spec.maxReplicaCount).toBeLessThanOrEqual(props.shardCount);
  });

  test('feedback-worker scales on aws-sqs-queue with its queue URL and region', () => {
    expect(feedbackWorker.spec.triggers).toEqual([
      {
        type: 'aws-sqs-queue',
        metadata: {
          queueURL: 'https://sqs.us-west-2.amazonaws.com/123456789012/prod-model-feedback',
          queueLength: '50',
          awsRegion: 'us-west-2',
          scaleOnInFlight: 'true',
        },
        authenticationRef: { name: 'feedback-worker-aws' },
      },
    ]);
    expect(feedbackWorker.spec.minReplicaCount).toBe(2);
    expect(feedbackWorker.spec.maxReplicaCount).toBe(12);
  });

  test.each([
    ['stream-scorer', 'arn:aws:iam::123456789012:role/prod-us-west-2-stream-scorer'],
    ['feedback-worker', 'arn:aws:iam::123456789012:role/prod-us-west-2-feedback-worker'],
  ])('%s authenticates as its own role, with no keys and no operator identity', (workload, roleArn) => {
    const auth = find<ITriggerAuthentication>(objs, 'TriggerAuthentication', `${workload}-aws`);
    expect(auth.spec).toEqual({ podIdentity: { provider: 'aws', roleArn } });
  });

  test('KEDA scale-down is stabilized for 300 s', () => {
    expect(
      streamScorer.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown
        ?.stabilizationWindowSeconds,
    ).toBe(300);
  });
});
