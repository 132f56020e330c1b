import type { IScaledObject, ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { find, primaryProps, synth } from './fixtures';

const props = primaryProps();
const objs = synth(props);
const streamScorer = find<IScaledObject>(objs, 'ScaledObject', 'stream-scorer');
const feedbackWorker = find<IScaledObject>(objs, 'ScaledObject', 'feedback-worker');

describe('KEDA scaling', () => {
  test('stream-scorer scales on aws-kinesis-stream, one replica per shard', () => {
    expect(streamScorer.spec.triggers).toEqual([
      {
        type: 'aws-kinesis-stream',
        metadata: { streamName: 'prod-transactions', awsRegion: 'us-west-2', shardCount: '1' },
        authenticationRef: { name: 'stream-scorer-aws' },
      },
    ]);
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
