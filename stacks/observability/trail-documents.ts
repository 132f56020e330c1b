/**
 * The policy documents and log filter patterns of the audit trail, as pure functions of names and
 * ARNs (plain strings), so each statement and pattern has a test.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */

type Statement = Record<string, unknown>;
const doc = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The physical names of one environment's audit trail (a contract: renaming replaces them). */
export const auditNames = (env: string, accountId: string, region: string) => ({
  trail: `${env}-risk-audit`,
  bucket: `${env}-risk-audit-${accountId}-${region}`,
  logGroup: `/aws/cloudtrail/${env}-risk-audit`,
  role: `${env}-risk-audit-cloudtrail-logs`,
  topic: `${env}-risk-audit-alerts`,
  metricNamespace: `${env}-risk-audit`,
  keyAlias: `alias/${env}-risk-audit`,
});

export const trailArn = (region: string, accountId: string, trail: string) =>
  `arn:aws:cloudtrail:${region}:${accountId}:trail/${trail}`;

/** The audit key's policy: the account administers it, CloudTrail encrypts for this trail only, CloudWatch Logs for this log group only. */
export function auditKeyPolicy(a: {
  accountId: string;
  region: string;
  trailArn: string;
  logGroup: string;
}): string {
  const root = `arn:aws:iam::${a.accountId}:root`;
  return doc([
    { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'CloudTrailEncryptsThisTrail',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': a.trailArn },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${a.accountId}:trail/*`,
        },
      },
    },
    {
      Sid: 'CloudTrailDescribesKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': a.trailArn } },
    },
    {
      Sid: 'AccountReadsTrailLogs',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': a.accountId },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${a.accountId}:trail/*`,
        },
      },
    },
    {
      Sid: 'CloudWatchLogsEncryptsTheLogGroup',
      Effect: 'Allow',
      Principal: { Service: `logs.${a.region}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${a.region}:${a.accountId}:log-group:${a.logGroup}`,
        },
      },
    },
    {
      Sid: 'CloudWatchPublishesAlarmsToTheTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': a.accountId } },
    },
  ]);
}

/** The bucket's policy: CloudTrail writes this trail's logs; TLS only; nobody deletes a log or the bucket. */
export function auditBucketPolicy(a: { bucket: string; accountId: string; trailArn: string }): string {
  const bucketArn = `arn:aws:s3:::${a.bucket}`;
  return doc([
    {
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': a.trailArn } },
    },
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn}/AWSLogs/${a.accountId}/*`,
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': a.trailArn },
      },
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      // Object Lock keeps each version for the retention; this also stops deleting versions (and
      // delete markers) and the bucket by any principal. Lifecycle expiry is S3's own action, which a
      // bucket policy does not govern, so the lifecycle still ages logs out after the retention.
      Sid: 'DenyDeletingAuditLogs',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket'],
      Resource: [bucketArn, `${bucketArn}/*`],
    },
  ]);
}

/** CloudTrail's trust (this trail only) and its permission to write this log group's streams. */
export function cloudTrailLogsTrust(a: { accountId: string; trailArn: string }): string {
  return doc([
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': a.accountId, 'aws:SourceArn': a.trailArn } },
    },
  ]);
}

export function cloudTrailLogsPolicy(a: { logGroupArn: string }): string {
  return doc([
    {
      Sid: 'WriteTrailEvents',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `${a.logGroupArn.replace(/:\*$/, '')}:log-stream:*`,
    },
  ]);
}

/** The audit topic's policy: CloudWatch alarms of this account publish; TLS only. */
export function auditTopicPolicy(a: { topicArn: string; accountId: string }): string {
  return doc([
    {
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: a.topicArn,
      Condition: { StringEquals: { 'aws:SourceAccount': a.accountId } },
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: a.topicArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}

/** One audit alert: a CloudWatch Logs metric filter on the trail's log group and the alarm on it. */
export interface AuditAlertSpec {
  readonly key: 'routing-control-outside-runbook' | 'table-or-replica-deleted' | 'key-deletion-scheduled';
  readonly metricName: string;
  readonly pattern: string;
  readonly description: string;
}

const anyOf = (field: string, values: readonly string[]) =>
  `(${values.map((v) => `${field} = "${v}"`).join(' || ')})`;

/** The calls that matter here, as filter patterns on the trail's events. */
export function auditAlertSpecs(a: {
  readonly runbookRoleArns: readonly string[];
  readonly tableNames: readonly string[];
}): AuditAlertSpec[] {
  const notRunbook = a.runbookRoleArns
    .map((r) => `($.userIdentity.sessionContext.sessionIssuer.arn != "${r}")`)
    .join(' && ');
  const tables = anyOf('$.requestParameters.tableName', a.tableNames);
  return [
    {
      key: 'routing-control-outside-runbook',
      metricName: 'RoutingControlChangedOutsideRunbook',
      // ARC's data plane (route53-recovery-cluster) logs state changes as management events.
      pattern:
        '{ ($.eventSource = "route53-recovery-cluster.amazonaws.com") && ' +
        `${anyOf('$.eventName', ['UpdateRoutingControlState', 'UpdateRoutingControlStates'])} && ${notRunbook} }`,
      description: `a routing-control state change by a principal other than the runbook's roles (${a.runbookRoleArns.join(', ')})`,
    },
    {
      key: 'table-or-replica-deleted',
      metricName: 'PlatformTableOrReplicaDeleted',
      // A 2019.11.21 global table loses a replica through UpdateTable with a ReplicaUpdates Delete.
      pattern:
        `{ ($.eventSource = "dynamodb.amazonaws.com") && ${tables} && (($.eventName = "DeleteTable") || ` +
        '(($.eventName = "UpdateTable") && ($.requestParameters.replicaUpdates[0].delete.regionName = "*"))) }',
      description: `a platform table (${a.tableNames.join(', ')}) or one of its replicas deleted`,
    },
    {
      key: 'key-deletion-scheduled',
      metricName: 'KmsKeyDeletionScheduled',
      pattern:
        '{ ($.eventSource = "kms.amazonaws.com") && ' +
        `${anyOf('$.eventName', ['ScheduleKeyDeletion', 'DisableKey'])} }`,
      description:
        'a KMS key scheduled for deletion or disabled (tables, streams and queues are unreadable without it)',
    },
  ];
}
