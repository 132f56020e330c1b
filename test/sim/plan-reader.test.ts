import { planOf } from '../helpers/plan';
import { readSimPlan, PlanResource } from '../../tools/sim/plan-reader';

describe('readSimPlan (prod plan)', () => {
  let resources: PlanResource[];
  beforeAll(async () => {
    resources = (await planOf('prod')).resources as unknown as PlanResource[];
  });

  it('puts the active region (full minimums) first and reads the standby region too', () => {
    const plan = readSimPlan(resources);
    expect(plan.env).toBe('prod');
    expect(plan.regions.map((r) => [r.region, r.active])).toEqual([
      ['us-west-2', true],
      ['us-east-1', false],
    ]);
  });

  it('reads the ScaledObjects with their HPA behavior, triggers and the Deployments requests', () => {
    const dr = readSimPlan(resources).regions[1];
    const api = dr.workloads.find((w) => w.workload === 'scoring-api')!;
    expect(api).toMatchObject({
      autoscaler: 'ScaledObject',
      minReplicas: 13,
      maxReplicas: 150,
      fullMinReplicas: 50,
      pollingIntervalSeconds: 15,
      cpuRequestMillis: 1000,
      cpuLimitMillis: 2000,
      memoryRequestMiB: 1024,
      readinessPeriodSeconds: 5,
    });
    expect(api.behavior.scaleUp.policies).toEqual([
      { type: 'Percent', value: 100, periodSeconds: 15 },
      { type: 'Pods', value: 4, periodSeconds: 15 },
    ]);
    expect(api.triggers).toEqual([
      { type: 'cpu', utilizationPercent: 60 },
      { type: 'datadog', metricType: 'AverageValue', target: 266.667, activation: 0 },
    ]);
    const stream = dr.workloads.find((w) => w.workload === 'stream-scorer')!;
    expect(stream.triggers[0]).toMatchObject({
      type: 'aws-cloudwatch',
      target: 40000,
      periodSeconds: 60,
      endOffsetSeconds: 60,
      stat: 'Sum',
    });
    // No scaleUp in the spec: the HPA default applies.
    expect(stream.behavior.scaleUp.policies).toHaveLength(2);
    expect(dr.fixed).toEqual([
      { workload: 'replication-heartbeat', replicas: 1, cpuRequestMillis: 50, memoryRequestMiB: 96 },
    ]);
  });

  it('reads node groups per zone, the shard count, table target tracking and the failover records', () => {
    const plan = readSimPlan(resources);
    const dr = plan.regions[1];
    expect(dr.nodeGroups).toHaveLength(3);
    expect(dr.nodeGroups[0]).toMatchObject({
      instanceType: 'c7i.2xlarge',
      vcpu: 8,
      minSize: 2,
      maxSize: 10,
      desiredSize: 2,
    });
    expect(dr.shardCount).toBe(108);
    expect(dr.tables.find((t) => t.table === 'prod-features' && t.dimension === 'read')).toEqual({
      table: 'prod-features',
      dimension: 'read',
      minCapacity: 7500,
      maxCapacity: 90000,
      targetPercent: 70,
    });
    expect(plan.traffic).toEqual({
      ttlSeconds: 60,
      healthCheckType: 'RECOVERY_CONTROL',
      requestIntervalSeconds: undefined,
      failureThreshold: undefined,
    });
  });

  it('refuses a plan whose autoscaled Deployment has no ScaledObject, naming the workload', () => {
    const without = resources.filter(
      (r) => !(r.props.kind === 'ScaledObject' && r.name === 'us-east-1-risk-scoring/stream-scorer'),
    );
    expect(() => readSimPlan(without, 'plan.json')).toThrow(
      '--plan plan.json: Deployment us-east-1/risk-scoring/stream-scorer: received "no ScaledObject or HorizontalPodAutoscaler", expected a KEDA ScaledObject or autoscaling/v2 HorizontalPodAutoscaler whose scaleTargetRef names it',
    );
  });

  it('refuses a trigger type it cannot simulate, naming the ScaledObject', () => {
    const changed = resources.map((r) =>
      r.props.kind === 'ScaledObject' && r.name === 'us-west-2-risk-scoring/feedback-worker'
        ? {
            ...r,
            props: {
              ...r.props,
              spec: { ...(r.props.spec as object), triggers: [{ type: 'kafka', metadata: {} }] },
            },
          }
        : r,
    );
    expect(() => readSimPlan(changed)).toThrow(
      'ScaledObject us-west-2/feedback-worker trigger: received {"type":"kafka","metricType":"AverageValue"}, expected one of cpu (Utilization), datadog, aws-sqs-queue, aws-kinesis-stream, aws-cloudwatch',
    );
  });
});
