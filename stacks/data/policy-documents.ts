import { WorkloadName } from '../naming';
import { InvalidArgumentError } from '../errors';
import { documentOf as document, PolicyDocument, PolicyStatement } from './policy-core';

export * from './policy-core';
export * from './workload-policies';
export * from './heartbeat-policy';

/**
 * The one module of IAM, KMS, SNS and SQS policy documents, for the data plane and the compute plane
 * alike.
 *
 * - Pure builders (`keyPolicy`, `workloadPolicy`, `podIdentityTrustPolicy`, ...) take resolved ARNs
 *   (components resolve their resource objects with `pulumi.all` and call these), return plain
 *   objects, and never emit a wildcard action or an Allow to a wildcard principal: there is no
 *   parameter through which one could arrive.
 * - {@link policyDocument} serializes statements whose resources and condition values may still be
 *   Pulumi Inputs (an ARN of a resource created in the same program), without an invoke.
 *
 * Split by concern, all re-exported here: `policy-core.ts` (types, serializer, guarded statements),
 * `workload-policies.ts` (the workloads' and scalers' data-plane grants), `heartbeat-policy.ts` (the
 * replication heartbeat writer). Unit-tested in `test/stacks/data/policy-documents.test.ts`.
 */

/** The trust policy of a role assumed by an AWS service, e.g. `eks.amazonaws.com`. */
export function serviceTrust(service: string, actions: readonly string[] = ['sts:AssumeRole']): string {
  // No Sid: the exact document the roles were created with (a new Sid would be a diff on every role).
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: actions }],
  });
}

/** An AWS managed policy ARN. */
export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** `arn:aws:iam::<account>:root`: the account, which delegates to its IAM policies. */
export const accountRootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/** The deterministic ARN of an EKS cluster. */
export const eksClusterArn = (region: string, accountId: string, name: string) =>
  `arn:aws:eks:${region}:${accountId}:cluster/${name}`;

/** The IAM role name of a workload, e.g. `prod-risk-scoring-api`. A contract: the charts bind it. */
export const workloadRoleName = (env: string, workload: WorkloadName) => `${env}-risk-${workload}`;

/**
 * The IAM role name of a KEDA-scaled workload's scaler identity, e.g. `prod-risk-stream-scorer-scaler`:
 * what KEDA's operator assumes to read the workload's scaling metric, and nothing else.
 */
export const scalerRoleName = (env: string, workload: WorkloadName) => `${env}-risk-${workload}-scaler`;

/** The same ARN in another region (global table replicas and multi-region keys keep the rest). */
export function arnInRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn')
    throw new InvalidArgumentError(`'arn' (${JSON.stringify(arn)}) must be an ARN`);
  parts[3] = region;
  return parts.join(':');
}

/** The AWS services that use the platform keys on a caller's behalf, as `kms:ViaService` values. */
export const KEY_SERVICES = ['dynamodb', 'kinesis', 'sqs', 'sns', 'eks'] as const;

/** Key administration: everything but cryptographic use, spelled out (no `kms:*`). */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReplicateKey',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:SynchronizeMultiRegionKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  'kms:UpdatePrimaryRegion',
] as const;

/** Cryptographic use of a key through an AWS service (what DynamoDB, Kinesis, SQS, SNS, EKS need). */
export const KEY_USE_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

export interface KeyPolicyInput {
  readonly accountId: string;
  /** The region the key (or replica) lives in; `kms:ViaService` names this region's endpoints. */
  readonly region: string;
  /** The platform's workload roles, named as the key's users (through the platform services only). */
  readonly workloadRoleArns: readonly string[];
  /** SNS topics that deliver into queues encrypted with this key. */
  readonly topicArns: readonly string[];
}

/**
 * The key policy of a platform key (the same shape for the primary and its DR replica):
 * - `KeyAdministration`: the account root, administrative actions only; this also lets the account's
 *   IAM policies grant administration (the deployer's role).
 * - `AccountUseThroughPlatformServices`: principals of this account (with an IAM grant as well) may use
 *   the key only through DynamoDB, Kinesis, SQS, SNS or EKS in this region: the deployer creating
 *   tables and replicas (grants), the runbook writing the control table.
 * - `PlatformWorkloadRoles`: the workload roles by ARN, through the same services only.
 * - `SnsDeliveryToEncryptedQueues`: the SNS service, for the platform's topics only, so it can deliver
 *   into KMS-encrypted queues.
 * No statement allows a `*` principal.
 */
export function keyPolicy(p: KeyPolicyInput): PolicyDocument {
  const root = accountRootArn(p.accountId);
  const viaService = KEY_SERVICES.map((s) => `${s}.${p.region}.amazonaws.com`);
  const statements: PolicyStatement[] = [
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [...KEY_ADMIN_ACTIONS],
      Resource: '*',
    },
    {
      Sid: 'AccountUseThroughPlatformServices',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [...KEY_USE_ACTIONS],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': p.accountId, 'kms:ViaService': viaService } },
    },
  ];
  if (p.workloadRoleArns.length > 0) {
    statements.push({
      Sid: 'PlatformWorkloadRoles',
      Effect: 'Allow',
      Principal: { AWS: [...p.workloadRoleArns] },
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': viaService } },
    });
  }
  if (p.topicArns.length > 0) {
    statements.push({
      Sid: 'SnsDeliveryToEncryptedQueues',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': [...p.topicArns] } },
    });
  }
  return document(statements);
}

/** Denies every request that does not use TLS (`aws:SecureTransport` false). */
export function denyInsecureTransport(actions: readonly string[], resource: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: [...actions],
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': false } },
  };
}

/**
 * A queue's policy: TLS only and, when `topicArn` is given, `sqs:SendMessage` for SNS on behalf of that
 * topic alone. Consumers get access through their IAM roles.
 */
export function queuePolicy(p: { readonly queueArn: string; readonly topicArn?: string }): PolicyDocument {
  const statements: PolicyStatement[] = [denyInsecureTransport(['sqs:*'], p.queueArn)];
  if (p.topicArn) {
    statements.push({
      Sid: 'AllowDecisionTopic',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['sqs:SendMessage'],
      Resource: p.queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': p.topicArn } },
    });
  }
  return document(statements);
}

/** The topic's policy: TLS only, and `sns:Publish` for the named publisher roles. */
export function topicPolicy(p: {
  readonly topicArn: string;
  readonly publisherRoleArns: readonly string[];
}): PolicyDocument {
  const statements: PolicyStatement[] = [denyInsecureTransport(['sns:*'], p.topicArn)];
  if (p.publisherRoleArns.length > 0) {
    statements.push({
      Sid: 'AllowScoringPublishers',
      Effect: 'Allow',
      Principal: { AWS: [...p.publisherRoleArns] },
      Action: ['sns:Publish'],
      Resource: p.topicArn,
    });
  }
  return document(statements);
}

/**
 * The DR runbook topic's policy: TLS only, and `sns:Publish` for principals of the account (the
 * account root, which delegates to IAM: the on-call roles that hold an IAM grant). Nothing for anyone
 * outside the account.
 */
export function runbookTopicPolicy(p: {
  readonly topicArn: string;
  readonly accountId: string;
}): PolicyDocument {
  return document([
    denyInsecureTransport(['sns:*'], p.topicArn),
    {
      Sid: 'AllowAccountPublish',
      Effect: 'Allow',
      Principal: { AWS: accountRootArn(p.accountId) },
      Action: ['sns:Publish'],
      Resource: p.topicArn,
    },
  ]);
}

/** `redrivePolicy` of a source queue. */
export const redrivePolicy = (dlqArn: string, maxReceiveCount: number) =>
  JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount });

/** `redriveAllowPolicy` of a DLQ: only its source queue may use it. */
export const redriveAllowPolicy = (sourceQueueArn: string) =>
  JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [sourceQueueArn] });

export interface PodIdentityTrustInput {
  readonly accountId: string;
  /** The clusters allowed to hand out the role: both regions' (so the DR cluster works on failover). */
  readonly clusterArns: readonly string[];
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The trust policy of a workload role for EKS Pod Identity: the `pods.eks.amazonaws.com` service may
 * assume it and tag the session, only for the given clusters (session tag `eks-cluster-arn`), the
 * namespace and the one service account, and only from this account.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html
 */
export function podIdentityTrustPolicy(p: PodIdentityTrustInput): PolicyDocument {
  if (p.clusterArns.length === 0)
    throw new InvalidArgumentError(`'clusterArns' ([]) must name at least one cluster`);
  return document([
    {
      Sid: 'EksPodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': p.accountId,
          'aws:RequestTag/eks-cluster-arn': [...p.clusterArns],
          'aws:RequestTag/kubernetes-namespace': p.namespace,
          'aws:RequestTag/kubernetes-service-account': p.serviceAccount,
        },
      },
    },
  ]);
}

/**
 * The trust policy of a scaler role: only the KEDA operator roles named (both clusters'), through the
 * account root with an `aws:PrincipalArn` condition (IAM refuses a trust naming a role that does not
 * exist yet, and the operator roles are created with the clusters, after the identities).
 */
export function kedaScalerTrustPolicy(p: {
  readonly accountId: string;
  readonly kedaOperatorRoleArns: readonly string[];
}): PolicyDocument {
  if (p.kedaOperatorRoleArns.length === 0)
    throw new InvalidArgumentError(`'kedaOperatorRoleArns' ([]) must name at least one KEDA operator role`);
  return document([
    {
      Sid: 'KedaOperatorReadsScalingMetric',
      Effect: 'Allow',
      Principal: { AWS: accountRootArn(p.accountId) },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': [...p.kedaOperatorRoleArns] } },
    },
  ]);
}
