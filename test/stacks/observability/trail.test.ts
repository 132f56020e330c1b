import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { jsonProp, ofType, planOf } from '../../helpers/plan';
import { auditAlertSpecs } from '../../../stacks/observability/trail-documents';

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

const ACCOUNT = '123456789012';
/** The audit key's ARN as the plan's mocks derive it (from its logical name). */
const AUDIT_KEY = 'arn:aws:kms:us-east-2:123456789012:key/mrk-audit-key';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/prod-risk-audit`;
const one = (type: string, name?: string): PlannedResource => {
  const found = ofType(plan, type).filter((r) => name === undefined || r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
type Doc = {
  Statement: {
    Sid?: string;
    Effect: string;
    Principal: unknown;
    Action: unknown;
    Resource: unknown;
    Condition?: unknown;
  }[];
};
const sid = (d: Doc, s: string) => d.Statement.find((x) => x.Sid === s);

describe('AuditTrail', () => {
  test('one multi-region trail in the canary region, log file validation on, encrypted with the audit key', () => {
    const t = one('aws:cloudtrail/trail:Trail');
    expect(t.region).toBe('us-east-2');
    expect(t.props).toMatchObject({
      name: 'prod-risk-audit',
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: AUDIT_KEY,
      s3BucketName: 'audit-bucket-id',
      // The log group's ARN with CloudTrail's required ':*' suffix.
      cloudWatchLogsGroupArn: expect.stringMatching(/\/aws\/cloudtrail\/prod-risk-audit:\*$/),
    });
  });

  test('data events: every write to the control table and item deletes on features and decisions, in both regions', () => {
    const selectors = one('aws:cloudtrail/trail:Trail').props.advancedEventSelectors as {
      name: string;
      fieldSelectors: { field: string; equals: string[] }[];
    }[];
    expect(selectors.map((s) => s.name)).toEqual([
      'management events',
      'control table writes',
      'hot table item deletes',
    ]);
    const arnsOf = (i: number) =>
      selectors[i].fieldSelectors.find((f) => f.field === 'resources.ARN')!.equals;
    expect(arnsOf(1)).toEqual([
      `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/prod-control`,
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/prod-control`,
    ]);
    expect(selectors[1].fieldSelectors).toContainEqual({ field: 'readOnly', equals: ['false'] });
    expect(arnsOf(2)).toEqual([
      `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/prod-features`,
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/prod-features`,
      `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/prod-decisions`,
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/prod-decisions`,
    ]);
    expect(selectors[2].fieldSelectors).toContainEqual({ field: 'eventName', equals: ['DeleteItem'] });
  });

  test('the audit key rotates, and grants CloudTrail encryption for this trail only', () => {
    const k = one('aws:kms/key:Key', 'audit-key');
    expect(k.props).toMatchObject({ region: 'us-east-2', enableKeyRotation: true, deletionWindowInDays: 30 });
    const d = jsonProp<Doc>(k, 'policy');
    expect(sid(d, 'CloudTrailEncryptsThisTrail')).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
    });
    expect(sid(d, 'CloudWatchLogsEncryptsTheLogGroup')).toMatchObject({
      Principal: { Service: 'logs.us-east-2.amazonaws.com' },
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-2:${ACCOUNT}:log-group:/aws/cloudtrail/prod-risk-audit`,
        },
      },
    });
  });

  test('the bucket: Object Lock, versioning, KMS, public access blocked, lifecycle past the retention', () => {
    expect(one('aws:s3/bucket:Bucket').props).toMatchObject({
      bucket: `prod-risk-audit-${ACCOUNT}-us-east-2`,
      objectLockEnabled: true,
      region: 'us-east-2',
    });
    expect(one('aws:s3/bucketVersioning:BucketVersioning').props.versioningConfiguration).toEqual({
      status: 'Enabled',
    });
    expect(one('aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration').props.rule).toEqual({
      defaultRetention: { days: 365, mode: 'GOVERNANCE' },
    });
    expect(one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').props).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const sse = one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')
      .props.rules as { applyServerSideEncryptionByDefault: Record<string, string> }[];
    expect(sse[0].applyServerSideEncryptionByDefault).toEqual({
      kmsMasterKeyId: AUDIT_KEY,
      sseAlgorithm: 'aws:kms',
    });
    const rules = one('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').props
      .rules as Record<string, unknown>[];
    expect(rules[0]).toMatchObject({
      status: 'Enabled',
      expiration: { days: 366 },
      noncurrentVersionExpiration: { noncurrentDays: 366 },
    });
  });

  test('the bucket policy: CloudTrail writes for this trail, TLS only, and nobody deletes a log', () => {
    const d = jsonProp<Doc>(one('aws:s3/bucketPolicy:BucketPolicy'), 'policy');
    expect(sid(d, 'AWSCloudTrailWrite')).toMatchObject({
      Resource: `arn:aws:s3:::prod-risk-audit-${ACCOUNT}-us-east-2/AWSLogs/${ACCOUNT}/*`,
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN },
      },
    });
    expect(sid(d, 'DenyInsecureTransport')).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(sid(d, 'DenyDeletingAuditLogs')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:DeleteBucket'],
    });
  });

  test('CloudWatch Logs delivery: an encrypted log group and a role trusted by this trail only', () => {
    expect(one('aws:cloudwatch/logGroup:LogGroup', 'audit-logs').props).toMatchObject({
      name: '/aws/cloudtrail/prod-risk-audit',
      retentionInDays: 90,
      kmsKeyId: AUDIT_KEY,
    });
    const trust = jsonProp<Doc>(one('aws:iam/role:Role', 'audit-logs-role'), 'assumeRolePolicy');
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': TRAIL_ARN },
    });
    const policy = jsonProp<Doc>(one('aws:iam/rolePolicy:RolePolicy', 'audit-logs-role'), 'policy');
    expect(policy.Statement[0].Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test("the alerts' patterns name the runbook roles and the real tables, each with an alarm to the audit topic", () => {
    const filters = ofType(plan, 'aws:cloudwatch/logMetricFilter:LogMetricFilter');
    const pattern = (key: string) => filters.find((f) => f.name === `audit-${key}`)!.props.pattern as string;
    expect(pattern('routing-control-outside-runbook')).toBe(
      '{ ($.eventSource = "route53-recovery-cluster.amazonaws.com") && ($.eventName = "UpdateRoutingControlState" || $.eventName = "UpdateRoutingControlStates") && ' +
        '($.userIdentity.sessionContext.sessionIssuer.arn != "arn:aws:iam::123456789012:role/risk-platform-oncall") && ' +
        '($.userIdentity.sessionContext.sessionIssuer.arn != "arn:aws:iam::123456789012:role/risk-platform-deployer") }',
    );
    for (const t of [
      'prod-features',
      'prod-decisions',
      'prod-control',
      'prod-stream-scorer-leases-us-west-2',
      'prod-stream-scorer-leases-us-east-1',
    ]) {
      expect(pattern('table-or-replica-deleted')).toContain(`$.requestParameters.tableName = "${t}"`);
    }
    expect(pattern('key-deletion-scheduled')).toContain('$.eventName = "ScheduleKeyDeletion"');
    const alarms = ofType(plan, 'aws:cloudwatch/metricAlarm:MetricAlarm').filter((a) =>
      a.name.startsWith('audit-'),
    );
    expect(alarms.map((a) => a.props.metricName).sort()).toEqual([
      'KmsKeyDeletionScheduled',
      'PlatformTableOrReplicaDeleted',
      'RoutingControlChangedOutsideRunbook',
    ]);
    for (const a of alarms) {
      expect(a.props).toMatchObject({
        namespace: 'prod-risk-audit',
        threshold: 1,
        statistic: 'Sum',
        treatMissingData: 'notBreaching',
      });
      expect(a.props.alarmActions).toEqual([`arn:aws:sns:us-east-2:${ACCOUNT}:prod-risk-audit-alerts`]);
    }
  });

  test('auditAlertSpecs: one runbook role gives one exclusion', () => {
    const [arc] = auditAlertSpecs({ runbookRoleArns: ['arn:aws:iam::1:role/r'], tableNames: ['t'] });
    expect(arc.pattern.match(/sessionIssuer\.arn != /g)).toHaveLength(1);
  });
});
