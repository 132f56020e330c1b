import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentPlan } from '../../../tools/plan/harness';
import { jsonProp, ofType, planOf } from '../../helpers/plan';
import { canaryRunbookOutput, CANARY_METRICS } from '../../../stacks/observability/canary';
import { metricData } from '../../../stacks/observability/canary-handler/handler';
import { roleOfArn, runbookCanaryReadPolicy } from '../../../stacks/observability/runbook-canary-access';
import { runbookOutputsSchema } from '../../../stacks/outputs';

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('staging');
});

describe("the runbook outputs' canary section", () => {
  test('names what the handler publishes: namespace, metrics, region dimension, reasons', () => {
    const c = canaryRunbookOutput('staging', 'us-east-2');
    const at = new Date(0);
    const data = metricData(
      [
        { region: 'us-east-1', healthy: true, latencyMs: 12 },
        { region: 'us-west-2', healthy: false, latencyMs: 5000, failure: 'timeout' },
      ],
      at,
    );
    expect([...new Set(data.map((d) => d.MetricName))].sort()).toEqual(Object.values(c.metrics).sort());
    expect(data.every((d) => d.Dimensions?.[0].Name === c.regionDimension)).toBe(true);
    expect(data.find((d) => d.MetricName === c.metrics.error)?.Dimensions?.[1]).toEqual({
      Name: c.errorReasonDimension,
      Value: 'timeout',
    });
    expect(c).toMatchObject({
      region: 'us-east-2',
      namespace: 'staging-risk-canary',
      periodSeconds: 60,
      failingAfter: 3,
    });
    expect(c.errorReasons).toEqual(['timeout', 'tls', 'connection', 'http-status', 'slow']);
  });

  test('is what both regional stacks publish, and what the DR tests use (the fixture)', () => {
    const runbook = runbookOutputsSchema.parse((plan.outputs as { runbook: unknown }).runbook);
    expect(runbook.canary).toEqual(canaryRunbookOutput('staging', 'us-east-2'));
    for (const stack of ['staging-us-west-2', 'staging-us-east-1']) {
      const own = (plan.outputs.stacks as Record<string, { runbook: { canary: unknown } }>)[stack].runbook;
      expect(own.canary).toEqual(runbook.canary);
    }
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'dr', 'fixtures', 'outputs.staging.json'), 'utf8'),
    ) as { runbook: { canary: unknown } };
    expect(fixture.runbook.canary).toEqual(runbook.canary);
  });

  test('the alarm reads the same metric and dimension', () => {
    const alarms = ofType(plan, 'aws:cloudwatch/metricAlarm:MetricAlarm').filter((r) =>
      r.name.startsWith('canary-'),
    );
    const region = (a: (typeof alarms)[number]) =>
      (a.props.dimensions as Record<string, string>).TargetRegion;
    expect(
      alarms
        .sort((a, b) => region(a).localeCompare(region(b)))
        .map((a) => [a.props.metricName, a.props.dimensions]),
    ).toEqual([
      [CANARY_METRICS.healthy, { TargetRegion: 'us-east-1' }],
      [CANARY_METRICS.healthy, { TargetRegion: 'us-west-2' }],
    ]);
  });
});

describe('the runbook roles read the canary metrics', () => {
  test('one managed policy: GetMetricData on * (no resource-level permissions), in the canary region only', () => {
    expect(JSON.parse(runbookCanaryReadPolicy('us-east-2'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadCanaryMetrics',
          Effect: 'Allow',
          Action: ['cloudwatch:GetMetricData'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-2' } },
        },
      ],
    });
    const [policy] = ofType(plan, 'aws:iam/policy:Policy').filter((r) => r.name === 'runbook-canary-policy');
    expect(policy.props.name).toBe('staging-risk-runbook-canary-read');
    expect(jsonProp(policy, 'policy')).toEqual(JSON.parse(runbookCanaryReadPolicy('us-east-2')));
    expect(policy.urn).toContain('staging-global');
  });

  test('attached to each of observability.runbookRoleArns by name', () => {
    const attachments = ofType(plan, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((r) =>
      r.name.startsWith('runbook-canary-'),
    );
    expect(attachments.map((a) => a.props.role).sort()).toEqual([
      'risk-platform-deployer',
      'risk-platform-oncall',
    ]);
  });

  test('roleOfArn takes the name after any path, and refuses what is not a role ARN', () => {
    expect(roleOfArn('arn:aws:iam::123456789012:role/ops/risk-platform-oncall')).toEqual({
      account: '123456789012',
      name: 'risk-platform-oncall',
    });
    expect(() => roleOfArn('arn:aws:iam::123456789012:user/alice')).toThrow(
      "'runbookRoleArns' has 'arn:aws:iam::123456789012:user/alice'; expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    );
  });
});
