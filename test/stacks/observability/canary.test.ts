import { createHash } from 'node:crypto';
import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { jsonProp, ofType, planOf } from '../../helpers/plan';
import { bundleCanary } from '../../../stacks/observability/canary-bundle';

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});
const of = (type: string) => ofType(plan, type).filter((r) => r.urn.includes('ScoreCanary'));
const one = (type: string): PlannedResource => {
  const found = of(type);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('canary bundle', () => {
  test('is deterministic: two builds from scratch give the same bytes and hash', () => {
    const first = bundleCanary();
    jest.isolateModules(() => {
      // A fresh module instance: no cache, esbuild runs again.
      type BundleModule = typeof import('../../../stacks/observability/canary-bundle');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../../stacks/observability/canary-bundle') as BundleModule;
      const again = fresh.bundleCanary();
      expect(again.sha256).toBe(first.sha256);
      expect(again.code).toBe(first.code);
    });
    expect(first.sha256).toBe(createHash('sha256').update(first.code).digest('hex'));
  });

  test('holds the handler and the CloudWatch client, as one CommonJS file', () => {
    const { code } = bundleCanary();
    expect(code).toContain('ScoreProbeHealthy');
    expect(code).toContain('PutMetricDataCommand');
    // Everything is inside but Node's built-ins, and the SDK's optional SigV4a signers (it requires
    // them only when a request needs SigV4a, which CloudWatch's does not).
    const requires = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    expect([...requires].filter((r) => !r.startsWith('node:')).sort()).toEqual([
      '@aws-sdk/signature-v4-crt',
      '@aws-sdk/signature-v4a',
    ]);
  });
});

describe('ScoreCanary in the prod plan', () => {
  test('the function runs in the canary region on Node.js 22, and the plan shows its code hash', () => {
    const f = one('aws:lambda/function:Function');
    const { sha256 } = bundleCanary();
    expect(f.region).toBe('us-east-2');
    expect(f.props).toMatchObject({
      name: 'prod-risk-canary',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      timeout: 15,
    });
    expect(f.props.code).toEqual({ archive: { 'index.js': { asset: `sha256:${sha256}` } } });
    expect((f.props.tags as Record<string, string>)['code-sha256']).toBe(sha256);
  });

  test("it probes each region's synthetic endpoint on the regional name", () => {
    const vars = (
      one('aws:lambda/function:Function').props.environment as { variables: Record<string, string> }
    ).variables;
    expect(JSON.parse(vars.CANARY_TARGETS)).toEqual([
      { region: 'us-west-2', url: 'https://score-us-west-2.risk.example.com/healthz/score' },
      { region: 'us-east-1', url: 'https://score-us-east-1.risk.example.com/healthz/score' },
    ]);
    expect(vars).toMatchObject({
      CANARY_NAMESPACE: 'prod-risk-canary',
      CANARY_TIMEOUT_MS: '5000',
      CANARY_LATENCY_BUDGET_MS: '1000',
    });
  });

  test('every minute, through EventBridge, with permission for that rule only', () => {
    expect(one('aws:cloudwatch/eventRule:EventRule').props.scheduleExpression).toBe('rate(1 minute)');
    expect(one('aws:lambda/permission:Permission').props).toMatchObject({
      principal: 'events.amazonaws.com',
      action: 'lambda:InvokeFunction',
      sourceArn: expect.stringContaining('prod-risk-canary-every-minute'),
    });
  });

  test('least privilege: its own log streams, metrics in its namespace only, and its VPC ENIs', () => {
    const policy = jsonProp<{ Statement: Record<string, unknown>[] }>(
      one('aws:iam/rolePolicy:RolePolicy'),
      'policy',
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: expect.stringMatching(/prod-risk-canary:log-stream:\*$/),
      }),
      expect.objectContaining({
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'prod-risk-canary' } },
      }),
      {
        Sid: 'AttachToCanaryVpc',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
    ]);
    // No logs:* on every log group, as AWSLambdaVPCAccessExecutionRole would grant.
    expect(JSON.stringify(policy)).not.toContain('logs:CreateLogGroup');
  });

  test.each(['us-west-2', 'us-east-1'])(
    '%s: an alarm on ScoreProbeHealthy and a CLOUDWATCH_METRIC health check on it',
    (region) => {
      const alarm = of('aws:cloudwatch/metricAlarm:MetricAlarm').find((a) => a.name === `canary-${region}`)!;
      expect(alarm.region).toBe('us-east-2');
      expect(alarm.props).toMatchObject({
        name: `prod-canary-score-${region}`,
        namespace: 'prod-risk-canary',
        metricName: 'ScoreProbeHealthy',
        dimensions: { TargetRegion: region },
        comparisonOperator: 'LessThanThreshold',
        threshold: 1,
        evaluationPeriods: 3,
        treatMissingData: 'missing',
        // Subscribed (issue 13): the third region's alerts topic, on ALARM and on OK.
        alarmActions: ['arn:aws:sns:us-east-2:123456789012:prod-risk-audit-alerts'],
        okActions: ['arn:aws:sns:us-east-2:123456789012:prod-risk-audit-alerts'],
      });
      const hc = of('aws:route53/healthCheck:HealthCheck').find((h) => h.name === `canary-${region}`)!;
      expect(hc.props).toMatchObject({
        type: 'CLOUDWATCH_METRIC',
        cloudwatchAlarmName: `prod-canary-score-${region}`,
        cloudwatchAlarmRegion: 'us-east-2',
        insufficientDataHealthStatus: 'LastKnownStatus',
      });
    },
  );
});
