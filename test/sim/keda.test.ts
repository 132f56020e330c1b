import { isActive, kedaProposal, Observation, triggerProposal } from '../../tools/sim/keda';
import type { Trigger } from '../../tools/sim/types';

const idle: Observation = {
  replicas: 1,
  readyPods: 1,
  notReadyPods: 0,
  readyCpuPercent: 0,
  datadogRate: 0,
  cloudwatchValue: 0,
  queueVisible: 0,
  queueInFlight: 0,
  shardCount: 0,
};

// Worked examples of the KEDA scaler pages (keda.sh/docs/2.20/scalers/...)
describe('KEDA scaler maths', () => {
  it('aws-sqs-queue: 30 messages with queueLength 10 scales to 3 pods', () => {
    const t: Trigger = { type: 'aws-sqs-queue', queueLength: 10, activation: 0, scaleOnInFlight: true };
    expect(triggerProposal(t, { ...idle, queueVisible: 30 })).toBe(3);
  });
  it('aws-sqs-queue: in-flight messages count only with scaleOnInFlight', () => {
    const t: Trigger = { type: 'aws-sqs-queue', queueLength: 10, activation: 0, scaleOnInFlight: true };
    expect(triggerProposal(t, { ...idle, queueVisible: 20, queueInFlight: 20 })).toBe(4);
    expect(
      triggerProposal({ ...t, scaleOnInFlight: false }, { ...idle, queueVisible: 20, queueInFlight: 20 }),
    ).toBe(2);
  });
  it('aws-kinesis-stream: 108 open shards with shardCount 2 is 54 pods at any load', () => {
    const t: Trigger = { type: 'aws-kinesis-stream', shardCount: 2, activation: 0 };
    expect(triggerProposal(t, { ...idle, shardCount: 108 })).toBe(54);
  });
  it('aws-cloudwatch: a one-minute Sum of 3,000,000 records with target 40,000 is 75 pods', () => {
    const t: Trigger = {
      type: 'aws-cloudwatch',
      metricType: 'AverageValue',
      target: 40000,
      activation: 0,
      stat: 'Sum',
      periodSeconds: 60,
      endOffsetSeconds: 60,
    };
    expect(triggerProposal(t, { ...idle, replicas: 25, cloudwatchValue: 3_000_000 })).toBe(75);
  });
  it('datadog AverageValue: 40,000 rps with target 266.667 is 150 pods; Value scales the ready pods by the ratio', () => {
    const avg: Trigger = { type: 'datadog', metricType: 'AverageValue', target: 266.667, activation: 0 };
    expect(triggerProposal(avg, { ...idle, replicas: 50, datadogRate: 40000 })).toBe(150);
    const value: Trigger = { type: 'datadog', metricType: 'Value', target: 100, activation: 0 };
    expect(triggerProposal(value, { ...idle, readyPods: 4, datadogRate: 200 })).toBe(8);
  });
  it('cpu: 4 ready pods at 90 % of a 60 % target is 6', () => {
    expect(
      triggerProposal(
        { type: 'cpu', utilizationPercent: 60 },
        { ...idle, replicas: 4, readyPods: 4, readyCpuPercent: 90 },
      ),
    ).toBe(6);
  });
  it('several triggers: the largest proposal wins', () => {
    const triggers: Trigger[] = [
      { type: 'cpu', utilizationPercent: 60 },
      { type: 'datadog', metricType: 'AverageValue', target: 100, activation: 0 },
    ];
    expect(
      kedaProposal(triggers, { ...idle, replicas: 4, readyPods: 4, readyCpuPercent: 90, datadogRate: 1000 }),
    ).toBe(10);
  });
  it('activation: active only when the metric is greater than the activation value', () => {
    const t: Trigger = { type: 'aws-sqs-queue', queueLength: 10, activation: 5, scaleOnInFlight: false };
    expect(isActive(t, { ...idle, queueVisible: 5 })).toBe(false);
    expect(isActive(t, { ...idle, queueVisible: 6 })).toBe(true);
  });
});
