import { runbookOutputsSchema, RunbookOutputs } from '../../stacks/outputs';
import { runbookRegionOf } from '../../stacks/runbook-output';
import { runbookTopicName } from '../../stacks/traffic/notifications';
import { EnvironmentPlan, PlannedResource } from '../../tools/plan/harness';
import { jsonProp, ofType, planOf } from '../helpers/plan';

let plan: EnvironmentPlan;
let runbook: RunbookOutputs;
beforeAll(async () => {
  plan = await planOf('staging');
  runbook = runbookOutputsSchema.parse(plan.outputs.runbook);
});

const one = (resources: PlannedResource[]): PlannedResource => {
  expect(resources).toHaveLength(1);
  return resources[0];
};

describe('runbook stack output', () => {
  test('conforms to runbookOutputsSchema', () => {
    expect(runbookOutputsSchema.safeParse(plan.outputs.runbook).success).toBe(true);
  });

  test('names the environment, its regions by role, and the DR objectives from config', () => {
    expect(runbook).toMatchObject({
      environment: 'staging',
      primaryRegion: 'us-west-2',
      drRegion: 'us-east-1',
      rpoSeconds: 15,
      heartbeatIntervalSeconds: 3,
      rtoSeconds: 900,
      standbyFraction: 0.25,
    });
    expect(Object.keys(runbook.regions).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(runbook.regions['us-west-2'].role).toBe('primary');
    expect(runbook.regions['us-east-1'].role).toBe('dr');
  });

  test.each(['us-west-2', 'us-east-1'])(
    'the routing control and health check of %s are the planned ones',
    (region) => {
      const out = runbook.regions[region];
      const control = one(
        ofType(plan, 'aws:route53recoverycontrol/routingControl:RoutingControl').filter(
          (c) => c.props.name === `staging-scoring-${region}`,
        ),
      );
      expect(out.routingControlArn).toBe(
        `${String(control.props.controlPanelArn)}/routingcontrol/${String(control.props.name)}`,
      );
      const check = one(
        ofType(plan, 'aws:route53/healthCheck:HealthCheck').filter(
          (h) => h.props.routingControlArn === out.routingControlArn,
        ),
      );
      expect(check.props.type).toBe('RECOVERY_CONTROL');
      const record = one(
        ofType(plan, 'aws:route53/record:Record').filter((r) => r.props.healthCheckId === out.healthCheckId),
      );
      expect(record.props.records).toEqual([`score-${region}.staging.risk.example.com`]);
      expect(out.syntheticEndpoint).toBe(`https://score-${region}.staging.risk.example.com/healthz/score`);
    },
  );

  test('the safety rule and control panel are the planned ones', () => {
    const rule = one(ofType(plan, 'aws:route53recoverycontrol/safetyRule:SafetyRule'));
    expect(runbook.traffic.controlPanelArn).toBe(rule.props.controlPanelArn);
    expect(runbook.traffic.safetyRuleArn).toBe(
      `${String(rule.props.controlPanelArn)}/safetyrule/${String(rule.props.name)}`,
    );
    expect([...(rule.props.assertedControls as string[])].sort()).toEqual(
      Object.values(runbook.regions)
        .map((r) => r.routingControlArn)
        .sort(),
    );
  });

  test("lists every ARC cluster endpoint and the failover record's full name", () => {
    expect(runbook.traffic.clusterEndpoints.length).toBeGreaterThanOrEqual(1);
    for (const e of runbook.traffic.clusterEndpoints) expect(e.endpoint).toMatch(/^https:\/\//);
    expect(runbook.traffic.recordName).toBe('score.staging.risk.example.com');
    // Failover records only: the zone also holds the endpoint certificates' validation records.
    const failover = ofType(plan, 'aws:route53/record:Record').filter((r) => r.props.failoverRoutingPolicies);
    expect(failover).toHaveLength(2);
    for (const r of failover) expect(r.props.name).toBe(runbook.traffic.recordName);
  });

  test.each(['us-west-2', 'us-east-1'])(
    'the stream, tables, queues and cluster of %s are the planned resources of that region',
    (region) => {
      const out = runbook.regions[region];
      const names = (type: string) => ofType(plan, type, region).map((r) => r.props.name);
      expect(names('aws:kinesis/stream:Stream')).toContain(out.stream.name);
      expect(names('aws:sqs/queue:Queue')).toEqual(
        expect.arrayContaining([out.queues.caseReview.name, out.queues.modelFeedback.name]),
      );
      expect(names('aws:sns/topic:Topic')).toContain(out.topic.name);
      expect(names('aws:eks/cluster:Cluster')).toContain(out.cluster.name);
      expect(out.stream.arn).toContain(`:${region}:`);
      expect(out.tables.control.arn).toContain(`:${region}:`);
      expect(out.workloads.deployments.map((d) => d.name).sort()).toEqual([
        'feedback-worker',
        'scoring-api',
        'stream-scorer',
      ]);
    },
  );

  test.each(['us-west-2', 'us-east-1'])(
    'notifies through a runbook topic in %s, encrypted with that region’s key',
    (region) => {
      const topic = one(
        ofType(plan, 'aws:sns/topic:Topic', region).filter(
          (t) => t.props.name === runbookTopicName('staging'),
        ),
      );
      expect(runbook.regions[region].notificationTopicArn).toBe(
        `arn:aws:sns:${region}:123456789012:staging-dr-runbook`,
      );
      expect(topic.props.kmsMasterKeyId).toBe(runbook.regions[region].keyArn);
    },
  );

  test.each(['us-west-2', 'us-east-1'])(
    'the runbook topic in %s denies non-TLS access and lets only the account publish',
    (region) => {
      const policy = one(
        ofType(plan, 'aws:sns/topicPolicy:TopicPolicy', region).filter(
          (p) => p.props.arn === runbook.regions[region].notificationTopicArn,
        ),
      );
      const doc = jsonProp<{ Statement: Record<string, unknown>[] }>(policy, 'policy');
      expect(doc.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Condition: { Bool: { 'aws:SecureTransport': false } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: ['sns:Publish'],
        }),
      ]);
    },
  );

  test('has no top-level notification topic (one per region instead)', () => {
    expect(runbook).not.toHaveProperty('notificationTopicArn');
  });

  test('builds one runbook notifications component per region, named by region', () => {
    const components = plan.resources.filter((r) => r.type === 'risk-platform:traffic:RunbookNotifications');
    expect(components.map((c) => c.name).sort()).toEqual(['us-east-1-runbook', 'us-west-2-runbook']);
  });
});

describe('runbookRegionOf', () => {
  test('refuses a region built without its data and compute planes', () => {
    expect(() => runbookRegionOf({ site: { role: 'dr', region: 'us-east-1' } })).toThrow(
      "region 'us-east-1' has no data or compute plane; the runbook output needs both (pass 'data' to RegionalPlatform)",
    );
  });
});
