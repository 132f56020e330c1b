import { PlannedResource } from '../../tools/plan/harness';
import { PolicyPackConfig } from '../../policies/types';
import { evaluatePolicies, Violation } from '../../tools/policy/evaluate';

/**
 * Happy-path resources, one builder per type, shaped like the offline plan (`resources.json`): inputs
 * under Pulumi input names, Kubernetes objects as full manifests. Tests change ONE field and assert
 * the exact policy that fires.
 */
export const PRIMARY = 'us-west-2';
export const DR = 'us-east-1';
const ACCOUNT = '123456789012';
const TAGS = { owner: 'team', 'cost-centre': 'cc-1', 'data-classification': 'internal', environment: 'prod' };
const DIGEST = `@sha256:${'a'.repeat(64)}`;

type Props = Record<string, unknown>;

export function resource(type: string, name: string, region: string | null, props: Props): PlannedResource {
  return { urn: `urn:pulumi:prod::risk-platform::${type}::${name}`, type, name, region, parent: null, props };
}

const keyArn = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/mrk-platform`;
const statement = (s: Props) => JSON.stringify({ Version: '2012-10-17', Statement: [s] });

export const kmsKey = (region = PRIMARY) =>
  resource('aws:kms/key:Key', `${region}-platform-key`, region, {
    region,
    description: 'platform key',
    multiRegion: true,
    enableKeyRotation: true,
    policy: statement({
      Sid: 'Root',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    }),
    tags: TAGS,
  });

export const table = (region = PRIMARY, name = 'prod-features') =>
  resource('aws:dynamodb/table:Table', `${region}-${name}`, region, {
    region,
    name,
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'pk',
    rangeKey: 'sk',
    attributes: [
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
    ],
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: keyArn(region) },
    deletionProtectionEnabled: true,
    streamEnabled: true,
    streamViewType: 'NEW_AND_OLD_IMAGES',
    tags: TAGS,
  });

/** The table's DR replica as its own resource, as the program declares it. */
export const tableReplica = (region = DR, name = 'prod-features') =>
  resource('aws:dynamodb/tableReplica:TableReplica', `${region}-${name}-replica`, region, {
    region,
    globalTableArn: `arn:aws:dynamodb:${PRIMARY}:${ACCOUNT}:table/${name}`,
    kmsKeyArn: keyArn(region),
    pointInTimeRecovery: true,
    deletionProtectionEnabled: true,
    tags: TAGS,
  });

/** The older declaration: the DR replica inline in the table's `replicas` (the pack accepts both). */
export function inlineReplicaStack(): PlannedResource[] {
  return happyStack()
    .filter((r) => r.type !== 'aws:dynamodb/tableReplica:TableReplica')
    .map((r) =>
      r.type === 'aws:dynamodb/table:Table'
        ? {
            ...r,
            props: {
              ...r.props,
              replicas: [
                {
                  regionName: DR,
                  kmsKeyArn: keyArn(DR),
                  pointInTimeRecovery: true,
                  deletionProtectionEnabled: true,
                  propagateTags: true,
                },
              ],
            },
          }
        : r,
    );
}

export const stream = (region = PRIMARY) =>
  resource('aws:kinesis/stream:Stream', `${region}-transactions`, region, {
    region,
    name: 'prod-transactions',
    encryptionType: 'KMS',
    kmsKeyId: keyArn(region),
    retentionPeriod: 168,
    shardCount: 108,
    streamModeDetails: { streamMode: 'PROVISIONED' },
    tags: TAGS,
  });

const queueArn = (region: string, name: string) => `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;
export const queue = (region = PRIMARY, name = 'prod-case-review') =>
  resource('aws:sqs/queue:Queue', `${region}-${name}`, region, {
    region,
    name,
    kmsMasterKeyId: keyArn(region),
    messageRetentionSeconds: 1209600,
    redrivePolicy: JSON.stringify({
      deadLetterTargetArn: queueArn(region, `${name}-dlq`),
      maxReceiveCount: 5,
    }),
    tags: TAGS,
  });

export const dlq = (region = PRIMARY, name = 'prod-case-review-dlq') =>
  resource('aws:sqs/queue:Queue', `${region}-${name}`, region, {
    region,
    name,
    kmsMasterKeyId: keyArn(region),
    messageRetentionSeconds: 1209600,
    tags: TAGS,
  });

const topicArn = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:prod-risk-decisions`;
export const queuePolicy = (region = PRIMARY, name = 'prod-case-review') =>
  resource('aws:sqs/queuePolicy:QueuePolicy', `${region}-${name}-policy`, region, {
    region,
    queueUrl: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${name}`,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: queueArn(region, name),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'AllowTopic',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn(region, name),
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn(region) } },
        },
      ],
    }),
  });

export const topic = (region = PRIMARY) =>
  resource('aws:sns/topic:Topic', `${region}-risk-decisions`, region, {
    region,
    name: 'prod-risk-decisions',
    kmsMasterKeyId: keyArn(region),
    tags: TAGS,
  });

export const topicPolicy = (region = PRIMARY) =>
  resource('aws:sns/topicPolicy:TopicPolicy', `${region}-risk-decisions-policy`, region, {
    region,
    arn: topicArn(region),
    policy: statement({
      Sid: 'PublishFromScoring',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/prod-${region}-scoring-api` },
      Action: 'sns:Publish',
      Resource: topicArn(region),
    }),
  });

export const cluster = (region = PRIMARY) =>
  resource('aws:eks/cluster:Cluster', `${region}-cluster`, region, {
    region,
    name: `prod-risk-${region}`,
    version: '1.35',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-${region}-cluster`,
    vpcConfig: {
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
      subnetIds: ['a', 'b', 'c'].map((z) => `${region}-private-${z}-id`),
    },
    enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: keyArn(region) } },
    tags: TAGS,
  });

export const nodeGroup = (region = PRIMARY) =>
  resource('aws:eks/nodeGroup:NodeGroup', `${region}-workers`, region, {
    region,
    clusterName: `prod-risk-${region}`,
    nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/prod-${region}-nodes`,
    subnetIds: ['a', 'b', 'c'].map((z) => `${region}-private-${z}-id`),
    scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 30 },
    tags: TAGS,
  });

export const podIdentityRole = (region = PRIMARY, workload = 'stream-scorer') =>
  resource('aws:iam/role:Role', `${region}-${workload}`, null, {
    name: `prod-${region}-${workload}`,
    assumeRolePolicy: statement({
      Sid: 'PodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    }),
    tags: TAGS,
  });

export const rolePolicy = (region = PRIMARY, workload = 'stream-scorer') =>
  resource('aws:iam/rolePolicy:RolePolicy', `${region}-${workload}-data`, null, {
    role: `prod-${region}-${workload}`,
    policy: statement({
      Sid: 'ReadStream',
      Effect: 'Allow',
      Action: [
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:DescribeStreamSummary',
        'kinesis:ListShards',
      ],
      Resource: `arn:aws:kinesis:${region}:${ACCOUNT}:stream/prod-transactions`,
    }),
  });

// ------------------------------------------------------------------------------------ Kubernetes

const NS = 'risk-scoring';
export const k8s = (
  region: string,
  apiVersion: string,
  kind: string,
  name: string,
  rest: Props,
  labels: Props = {},
) => {
  const type = `kubernetes:${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}:${kind}`;
  return resource(type, `${region}-${kind.toLowerCase()}-${name}`, region, {
    apiVersion,
    kind,
    metadata: { name, namespace: NS, labels: { 'risk-platform/region': region, ...labels } },
    ...rest,
  });
};
const selector = (workload: string) => ({
  'app.kubernetes.io/name': workload,
  'app.kubernetes.io/part-of': 'risk-platform',
});

export const deployment = (region = PRIMARY, workload = 'scoring-api') =>
  k8s(region, 'apps/v1', 'Deployment', workload, {
    spec: {
      selector: { matchLabels: selector(workload) },
      template: {
        metadata: { labels: { ...selector(workload), 'risk-platform/region': region } },
        spec: {
          serviceAccountName: workload,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: workload,
              image: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/risk/${workload}${DIGEST}`,
              env: [{ name: 'MODEL_VERSION', value: 'fraud-gbm-2026.11.3' }],
              resources: {
                requests: { cpu: '500m', memory: '512Mi' },
                limits: { cpu: '1000m', memory: '512Mi' },
              },
              readinessProbe: { httpGet: { path: '/healthz/ready', port: 8081 } },
              livenessProbe: { httpGet: { path: '/healthz/live', port: 8081 } },
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector(workload) },
            },
          ],
        },
      },
    },
  });

export const pdb = (region = PRIMARY, workload = 'scoring-api') =>
  k8s(region, 'policy/v1', 'PodDisruptionBudget', workload, {
    spec: {
      maxUnavailable: '10%',
      selector: { matchLabels: selector(workload) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });

export const hpa = (region = PRIMARY, workload = 'scoring-api', min = region === PRIMARY ? 6 : 2) =>
  k8s(region, 'autoscaling/v2', 'HorizontalPodAutoscaler', workload, {
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload },
      minReplicas: min,
      maxReplicas: 60,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    },
  });

export const triggerAuthentication = (region = PRIMARY, workload = 'stream-scorer') =>
  k8s(region, 'keda.sh/v1alpha1', 'TriggerAuthentication', `${workload}-aws`, {
    spec: {
      podIdentity: { provider: 'aws', roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-${region}-${workload}` },
    },
  });

export const scaledObject = (
  region = PRIMARY,
  workload = 'stream-scorer',
  min = region === PRIMARY ? 4 : 2,
) =>
  k8s(region, 'keda.sh/v1alpha1', 'ScaledObject', workload, {
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload },
      minReplicaCount: min,
      maxReplicaCount: 16,
      triggers: [
        {
          type: 'aws-cloudwatch',
          metricType: 'AverageValue',
          metadata: {
            namespace: 'AWS/Kinesis',
            metricName: 'IncomingRecords',
            dimensionName: 'StreamName',
            dimensionValue: 'prod-transactions',
            metricStat: 'Sum',
            metricStatPeriod: '60',
            targetMetricValue: '60000',
            minMetricValue: '0',
            awsRegion: region,
          },
          authenticationRef: { name: `${workload}-aws` },
        },
      ],
    },
  });

export const defaultDeny = (region = PRIMARY) =>
  k8s(region, 'networking.k8s.io/v1', 'NetworkPolicy', 'default-deny', {
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });

/**
 * A Datadog monitor (global: no region) scoped to one region's resource; `monitoring-coverage` reads
 * its region and the names it scopes from the query and tags.
 */
export const monitor = (region: string, key: string, scope: Props, service = 'risk-platform') =>
  resource('datadog:index/monitor:Monitor', `observability-${key}-${region}`, null, {
    name: `[prod] ${key} (${region})`,
    type: 'query alert',
    query: `max(last_5m):max:metric.${key}{${Object.entries({ region, ...scope })
      .map(([k, v]) => `${k}:${String(v)}`)
      .join(',')}} > 0`,
    message: `${key} in ${region}.\n\n@pagerduty-risk-platform`,
    monitorThresholds: { critical: '0' },
    tags: ['env:prod', `service:${service}`, `region:${region}`],
  });

/** The monitors of one region of the happy stack: one per stateful or serving resource. */
export const regionMonitors = (region: string): PlannedResource[] => [
  monitor(region, 'table', { tablename: 'prod-features' }),
  monitor(region, 'stream', { streamname: 'prod-transactions' }),
  monitor(region, 'queue', { queuename: 'prod-case-review' }),
  monitor(region, 'dlq', { queuename: 'prod-case-review-dlq' }),
  monitor(region, 'cluster', { kube_cluster_name: `prod-risk-${region}` }),
  monitor(region, 'latency', { kube_cluster_name: `prod-risk-${region}` }, 'scoring-api'),
  monitor(region, 'lag', { kube_cluster_name: `prod-risk-${region}` }, 'stream-scorer'),
];

/** One region of the happy stack. */
export function regionStack(region: string): PlannedResource[] {
  return [
    kmsKey(region),
    ...(region === PRIMARY ? [table(region)] : [tableReplica(region)]),
    stream(region),
    queue(region),
    dlq(region),
    queuePolicy(region),
    queuePolicy(region, 'prod-case-review-dlq'),
    topic(region),
    topicPolicy(region),
    cluster(region),
    nodeGroup(region),
    podIdentityRole(region),
    rolePolicy(region),
    defaultDeny(region),
    deployment(region, 'scoring-api'),
    pdb(region, 'scoring-api'),
    hpa(region, 'scoring-api'),
    deployment(region, 'stream-scorer'),
    pdb(region, 'stream-scorer'),
    triggerAuthentication(region),
    scaledObject(region),
    ...regionMonitors(region),
  ];
}

/** The whole happy stack: primary and DR. Fresh objects on every call. */
/** A table's autoscaling target in one region (within AWS's default throughput quotas). */
export const tableTarget = (region: string, dim: 'Read' | 'Write', maxCapacity = 1000) =>
  resource('aws:appautoscaling/target:Target', `${region}-prod-features-${dim.toLowerCase()}s`, region, {
    region,
    serviceNamespace: 'dynamodb',
    resourceId: 'table/prod-features',
    scalableDimension: `dynamodb:table:${dim}CapacityUnits`,
    minCapacity: 5,
    maxCapacity,
    tags: TAGS,
  });

export const happyStack = (): PlannedResource[] => [
  ...regionStack(PRIMARY),
  ...regionStack(DR),
  tableTarget(PRIMARY, 'Read'),
  tableTarget(PRIMARY, 'Write'),
  tableTarget(DR, 'Read'),
];

/** A prod-like policy config, as `policyConfigFor` writes it. */
export const PROD_CONFIG: PolicyPackConfig = {
  'dynamodb-deletion-protection': { requireDeletionProtection: true },
  'dynamodb-dr-replica': { drRegion: DR },
  'kinesis-retention': { minRetentionHours: 168 },
  'kinesis-shard-capacity': { peakStreamRecordsPerSec: 50000, meanRecordBytes: 1500, headroom: 1.5 },
  'sqs-dead-letter-queue': { minMaxReceiveCount: 3, maxMaxReceiveCount: 10 },
  'eks-supported-version': { supportedVersions: ['1.34', '1.35'] },
  'eks-node-group-azs': { minNodeGroupAzs: 3 },
  'hpa-replica-bounds': { minReplicas: 2 },
  'dr-parity': { primaryRegion: PRIMARY, drRegion: DR },
  'dr-standby-minimums': { primaryRegion: PRIMARY, drRegion: DR, standbyFraction: 0.25 },
  // The happy stack costs 5,676 USD a month at list prices (npm run cost).
  'cost-budget': { monthlyBudgetUsd: 10_000 },
};

/** Applies `change` to a deep copy of the one resource whose name is `name`. */
export function withChange(
  resources: readonly PlannedResource[],
  name: string,
  change: (props: Props) => void,
): PlannedResource[] {
  let found = false;
  const out = resources.map((r) => {
    if (r.name !== name) return r;
    found = true;
    const props = structuredClone(r.props);
    change(props);
    return { ...r, props };
  });
  if (!found) throw new Error(`no resource named '${name}' in the stack`);
  return out;
}

/** The sorted, distinct names of the policies violated at the given level (default: any). */
export async function violated(
  resources: readonly PlannedResource[],
  config: PolicyPackConfig = PROD_CONFIG,
  level?: Violation['enforcementLevel'],
): Promise<string[]> {
  const vs = await evaluatePolicies(resources, config);
  return [...new Set(vs.filter((v) => !level || v.enforcementLevel === level).map((v) => v.policy))].sort();
}
