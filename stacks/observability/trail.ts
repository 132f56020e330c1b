import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
/** A global table as the trail needs it: the ARNs of its copies (derived in the global stack). */
export interface TableArns {
  readonly arns: readonly pulumi.Input<string>[];
}
import {
  auditAlertSpecs,
  auditBucketPolicy,
  auditKeyPolicy,
  auditNames,
  auditTopicPolicy,
  cloudTrailLogsPolicy,
  cloudTrailLogsTrust,
  trailArn,
} from './trail-documents';

export interface AuditTrailArgs {
  readonly environment: string;
  /** The trail's home region (the canary's): neither serving region, so a regional outage does not stop the audit. */
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  /** The control table: every write is a data event (fence, lock, journal, active region; a few per second). */
  readonly controlTable: TableArns;
  /**
   * The hot tables (features, decisions): only `DeleteItem` is a data event. Every read and write of
   * these at tens of thousands per second would cost more than the estate (0.10 USD per 100,000 events).
   */
  readonly hotTables: readonly TableArns[];
  /** Physical names of every platform table, for the deletion alert's pattern. */
  readonly tableNames: readonly string[];
  /** `observability.runbookRoleArns`. */
  readonly runbookRoleArns: readonly string[];
  /**
   * Object Lock retention of every log file, in days.
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Retention of the CloudWatch Logs copy, in days (it feeds the alerts; S3 is the record).
   * @default 90
   */
  readonly logRetentionDays?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * One multi-region CloudTrail trail for the environment's account: KMS-encrypted with its own audit
 * key, log file validation on, management events and the platform tables' data events, delivered to
 * an S3 bucket (versioned, Object Lock in GOVERNANCE mode plus a deny-delete policy, lifecycle, TLS only,
 * public access blocked) and to CloudWatch Logs, where metric filters and alarms catch the calls that
 * matter: routing-control changes outside the runbook's roles, table or replica deletion, key deletion.
 * @see https://www.pulumi.com/registry/packages/aws/api-docs/cloudtrail/trail/
 */
export class AuditTrail extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly bucket: aws.s3.Bucket;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly trail: aws.cloudtrail.Trail;
  readonly topic: aws.sns.Topic;
  readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:AuditTrail', name, {}, opts);
    const region = args.region;
    const parent = { parent: this };
    const keep = { parent: this, retainOnDelete: true };
    const tags = (n: string) => ({ ...args.tags, Name: n });
    const account = pulumi.output(args.accountId);
    const names = account.apply((a) => auditNames(args.environment, a, region));
    const plain = auditNames(args.environment, '<account>', region);
    const arnOfTrail = account.apply((a) => trailArn(region, a, plain.trail));
    const retention = args.retentionDays ?? 365;

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        region,
        description: `${args.environment} audit trail: CloudTrail log files, their CloudWatch Logs copy, the audit alert topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([account, arnOfTrail])
          .apply(([accountId, t]) =>
            auditKeyPolicy({ accountId, region, trailArn: t, logGroup: plain.logGroup }),
          ),
        tags: tags(plain.trail),
      },
      keep,
    );
    new aws.kms.Alias(`${name}-key`, { region, name: plain.keyAlias, targetKeyId: this.key.keyId }, parent);

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { region, bucket: names.bucket, objectLockEnabled: true, tags: tags(plain.trail) },
      keep,
    );
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-bucket`,
      {
        region,
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-bucket`,
      { region, bucket, versioningConfiguration: { status: 'Enabled' } },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-bucket`,
      {
        region,
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      parent,
    );
    new aws.s3.BucketObjectLockConfiguration(
      `${name}-bucket`,
      { region, bucket, rule: { defaultRetention: { mode: 'GOVERNANCE', days: retention } } },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-bucket`,
      {
        region,
        bucket,
        rules: [
          {
            id: 'age-out-audit-logs',
            status: 'Enabled',
            filter: { prefix: 'AWSLogs/' },
            transitions: [{ days: 90, storageClass: 'GLACIER_IR' }],
            expiration: { days: retention + 1 },
            noncurrentVersionExpiration: { noncurrentDays: retention + 1 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    const bucketPolicy = new aws.s3.BucketPolicy(
      `${name}-bucket`,
      {
        region,
        bucket,
        policy: pulumi
          .all([names, account, arnOfTrail])
          .apply(([n, accountId, t]) => auditBucketPolicy({ bucket: n.bucket, accountId, trailArn: t })),
      },
      parent,
    );

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        region,
        name: plain.logGroup,
        retentionInDays: args.logRetentionDays ?? 90,
        kmsKeyId: this.key.arn,
        tags: tags(plain.logGroup),
      },
      parent,
    );
    const role = new aws.iam.Role(
      `${name}-logs-role`,
      {
        name: plain.role,
        assumeRolePolicy: pulumi
          .all([account, arnOfTrail])
          .apply(([accountId, t]) => cloudTrailLogsTrust({ accountId, trailArn: t })),
        tags: tags(plain.role),
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-logs-role`,
      {
        role: role.name,
        policy: this.logGroup.arn.apply((logGroupArn) => cloudTrailLogsPolicy({ logGroupArn })),
      },
      parent,
    );

    const tableSelector = (extra: { field: string; equals: pulumi.Input<string>[] }[]) => [
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: ['AWS::DynamoDB::Table'] },
      ...extra,
    ];
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        region,
        name: plain.trail,
        s3BucketName: bucket,
        kmsKeyId: this.key.arn,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
        cloudWatchLogsRoleArn: role.arn,
        advancedEventSelectors: [
          { name: 'management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] },
          {
            name: 'control table writes',
            fieldSelectors: tableSelector([
              { field: 'readOnly', equals: ['false'] },
              { field: 'resources.ARN', equals: [...args.controlTable.arns] },
            ]),
          },
          {
            name: 'hot table item deletes',
            fieldSelectors: tableSelector([
              { field: 'eventName', equals: ['DeleteItem'] },
              { field: 'resources.ARN', equals: args.hotTables.flatMap((t) => t.arns) },
            ]),
          },
        ],
        tags: tags(plain.trail),
      },
      // CloudTrail checks the bucket policy and the role when the trail is created.
      { parent: this, dependsOn: [bucketPolicy, rolePolicy] },
    );

    this.topic = new aws.sns.Topic(
      `${name}-alerts`,
      { region, name: plain.topic, kmsMasterKeyId: this.key.arn, tags: tags(plain.topic) },
      parent,
    );
    new aws.sns.TopicPolicy(
      `${name}-alerts`,
      {
        region,
        arn: this.topic.arn,
        policy: pulumi
          .all([this.topic.arn, account])
          .apply(([topicArn, accountId]) => auditTopicPolicy({ topicArn, accountId })),
      },
      parent,
    );

    const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
    for (const spec of auditAlertSpecs({
      runbookRoleArns: args.runbookRoleArns,
      tableNames: args.tableNames,
    })) {
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${spec.key}`,
        {
          region,
          name: `${args.environment}-${spec.key}`,
          logGroupName: this.logGroup.name,
          pattern: spec.pattern,
          metricTransformation: {
            namespace: plain.metricNamespace,
            name: spec.metricName,
            value: '1',
            defaultValue: '0',
          },
        },
        parent,
      );
      alarms[spec.key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.key}`,
        {
          region,
          name: `${args.environment}-audit-${spec.key}`,
          alarmDescription: `Audit (${args.environment}): ${spec.description}. Runbook: docs/RUNBOOK.md#audit-alerts`,
          namespace: plain.metricNamespace,
          metricName: spec.metricName,
          statistic: 'Sum',
          period: 60,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          treatMissingData: 'notBreaching',
          alarmActions: [this.topic.arn],
          tags: tags(`${args.environment}-audit-${spec.key}`),
        },
        parent,
      );
    }
    this.alarms = alarms;
    this.registerOutputs({ trailArn: this.trail.arn, bucket: this.bucket.id, topicArn: this.topic.arn });
  }
}
