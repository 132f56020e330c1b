import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionSite } from '../config/load';
import { InvalidArgumentError } from '../errors';
import { ScoringDns, syntheticEndpointUrl } from '../traffic/dns';
import { bundleCanary } from './canary-bundle';
import { CanaryNetwork } from './canary-network';

/** A probe with no full response in 5 s is a timeout (the Lambda's own timeout leaves room for the publish). */
export const CANARY_TIMEOUT_MS = 5000;
/**
 * A 2xx slower than 1 s is unhealthy: far above the in-region p99 SLO (tens of ms) plus a cross-region
 * round trip and a fresh TLS handshake (~100-300 ms), so only a real degradation trips it.
 */
export const CANARY_LATENCY_BUDGET_MS = 1000;
/** Minutes of failed probes before a region's alarm fires (and its health check turns unhealthy). */
export const CANARY_ALARM_MINUTES = 3;

/**
 * The EC2 calls Lambda makes with the function's role to manage its VPC network interfaces.
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
 */
export const CANARY_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** The canary's physical names (a contract: the runbook reads the metrics by these). */
export const canaryNames = (env: string) => ({
  function: `${env}-risk-canary`,
  role: `${env}-risk-canary`,
  logGroup: `/aws/lambda/${env}-risk-canary`,
  namespace: `${env}-risk-canary`,
  schedule: `${env}-risk-canary-every-minute`,
  alarm: (region: string) => `${env}-canary-score-${region}`,
});

export interface ScoreCanaryArgs {
  readonly environment: string;
  /** `observability.canaryRegion`: neither of `sites`. */
  readonly region: string;
  /** The regions it probes, primary first. */
  readonly sites: readonly Pick<RegionSite, 'role' | 'region'>[];
  readonly dns: ScoringDns;
  readonly accountId: pulumi.Input<string>;
  /** The canary's VPC (peered with each regional VPC by the regional stacks): the Lambda runs in it. */
  readonly network: Pick<CanaryNetwork, 'subnets' | 'lambdaSecurityGroup'>;
  /**
   * Where the per-region alarms publish (ALARM and OK): an SNS topic in the canary region that on-call
   * subscribes to (the audit alerts' topic, `<env>-risk-audit-alerts`, which CloudWatch may publish to).
   */
  readonly alarmTopic: { readonly arn: pulumi.Input<string> };
  readonly tags: Readonly<Record<string, string>>;
}

const doc = (statements: Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/**
 * The synthetic canary: a Lambda in a third region that every minute calls each region's
 * `/healthz/score` on its regional name and publishes the result to CloudWatch there; per region a
 * CloudWatch alarm on `ScoreProbeHealthy` and a Route 53 `CLOUDWATCH_METRIC` health check on it, so
 * the failover evidence does not depend on the region that failed. Evidence only: ARC's routing
 * controls stay the switch (docs/ARCHITECTURE.md).
 */
export class ScoreCanary extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;
  readonly healthChecks: Readonly<Record<string, aws.route53.HealthCheck>>;
  /** SHA-256 of the bundled handler (hex). */
  readonly codeSha256: string;

  constructor(name: string, args: ScoreCanaryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:ScoreCanary', name, {}, opts);
    if (args.sites.some((s) => s.region === args.region)) {
      throw new InvalidArgumentError(
        `'region' (${args.region}) is one of the regions it probes (${args.sites.map((s) => s.region).join(', ')}); expected a third region`,
      );
    }
    const region = args.region;
    const n = canaryNames(args.environment);
    const parent = { parent: this };
    const tags = (name: string, extra: Record<string, string> = {}) => ({
      ...args.tags,
      Name: name,
      ...extra,
    });
    const account = pulumi.output(args.accountId);
    const bundle = bundleCanary();
    this.codeSha256 = bundle.sha256;

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { region, name: n.logGroup, retentionInDays: 30, tags: tags(n.logGroup) },
      parent,
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: n.role,
        assumeRolePolicy: account.apply((a) =>
          doc([
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': a } },
            },
          ]),
        ),
        tags: tags(n.role),
      },
      parent,
    );
    // Least privilege: its own log group's streams, PutMetricData into its namespace only
    // (PutMetricData has no resource-level permissions; the namespace condition is the scope), and the
    // ENI calls Lambda makes with the role to attach the function to its VPC: the EC2 actions of
    // AWSLambdaVPCAccessExecutionRole without its `logs:*` on every log group. `DescribeNetworkInterfaces`
    // works only on `*` (Lambda developer guide, "Giving Lambda functions access to resources in an
    // Amazon VPC"), and Lambda names no resource ahead of creating the ENI, so the statement is `*`.
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role`,
      {
        role: role.name,
        policy: logGroup.arn.apply((arn) =>
          doc([
            {
              Sid: 'WriteOwnLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `${arn.replace(/:\*$/, '')}:log-stream:*`,
            },
            {
              Sid: 'PublishCanaryMetrics',
              Effect: 'Allow',
              Action: 'cloudwatch:PutMetricData',
              Resource: '*',
              Condition: { StringEquals: { 'cloudwatch:namespace': n.namespace } },
            },
            {
              Sid: 'AttachToCanaryVpc',
              Effect: 'Allow',
              Action: CANARY_VPC_ACTIONS,
              Resource: '*',
            },
          ]),
        ),
      },
      parent,
    );

    const targets = args.sites.map((s) => ({
      region: s.region,
      url: syntheticEndpointUrl(args.dns, s.region),
    }));
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        region,
        name: n.function,
        description: `Synthetic score probe of ${targets.map((t) => t.region).join(' and ')} from ${region} (bundle sha256 ${bundle.sha256.slice(0, 12)})`,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.StringAsset(bundle.code) }),
        role: role.arn,
        memorySize: 256,
        timeout: Math.ceil(CANARY_TIMEOUT_MS / 1000) + 10,
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
        // In the canary VPC: the internal NLBs are reached over the peering connections (CanaryPeering).
        vpcConfig: {
          subnetIds: args.network.subnets.map((s) => s.id),
          securityGroupIds: [args.network.lambdaSecurityGroup.id],
        },
        environment: {
          variables: {
            CANARY_TARGETS: JSON.stringify(targets),
            CANARY_NAMESPACE: n.namespace,
            CANARY_TIMEOUT_MS: String(CANARY_TIMEOUT_MS),
            CANARY_LATENCY_BUDGET_MS: String(CANARY_LATENCY_BUDGET_MS),
          },
        },
        tags: tags(n.function, { 'code-sha256': bundle.sha256 }),
      },
      { parent: this, dependsOn: [rolePolicy] },
    );
    const schedule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      { region, name: n.schedule, scheduleExpression: 'rate(1 minute)', tags: tags(n.schedule) },
      parent,
    );
    new aws.lambda.Permission(
      `${name}-schedule`,
      {
        region,
        function: this.function.name,
        action: 'lambda:InvokeFunction',
        principal: 'events.amazonaws.com',
        sourceArn: schedule.arn,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-schedule`,
      { region, rule: schedule.name, arn: this.function.arn },
      parent,
    );

    const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
    const healthChecks: Record<string, aws.route53.HealthCheck> = {};
    for (const site of args.sites) {
      alarms[site.region] = new aws.cloudwatch.MetricAlarm(
        `${name}-${site.region}`,
        {
          region,
          name: n.alarm(site.region),
          alarmDescription:
            `The canary in ${region} has failed to score in ${site.region} (${site.role}) for ${CANARY_ALARM_MINUTES} minutes. ` +
            'Runbook: docs/RUNBOOK.md#canary',
          namespace: n.namespace,
          metricName: 'ScoreProbeHealthy',
          dimensions: { TargetRegion: site.region },
          statistic: 'Maximum',
          period: 60,
          evaluationPeriods: CANARY_ALARM_MINUTES,
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
          // A silent canary is no evidence either way: INSUFFICIENT_DATA, never a region marked down.
          treatMissingData: 'missing',
          alarmActions: [args.alarmTopic.arn],
          okActions: [args.alarmTopic.arn],
          tags: tags(n.alarm(site.region), { region: site.region, role: site.role }),
        },
        parent,
      );
      healthChecks[site.region] = new aws.route53.HealthCheck(
        `${name}-${site.region}`,
        {
          type: 'CLOUDWATCH_METRIC',
          cloudwatchAlarmName: alarms[site.region].name,
          cloudwatchAlarmRegion: region,
          insufficientDataHealthStatus: 'LastKnownStatus',
          tags: tags(n.alarm(site.region), { region: site.region, role: site.role }),
        },
        parent,
      );
    }
    this.alarms = alarms;
    this.healthChecks = healthChecks;
    this.registerOutputs({
      functionArn: this.function.arn,
      codeSha256: this.codeSha256,
      healthCheckIds: Object.fromEntries(Object.entries(healthChecks).map(([r, h]) => [r, h.id])),
    });
  }
}
