/**
 * One passing and at least one failing case per rule, awsguard style: GIVEN the happy-path stack
 * (test/policies/fixtures.ts), WHEN one field changes, THEN exactly the named policies fire. Every
 * case runs through the real evaluator (@pulumi/policy's analyzer entry points).
 */
import { policies } from '../../policies/pack';
import { PlannedResource } from '../../tools/plan/harness';
import { evaluatePolicies } from '../../tools/policy/evaluate';
import {
  DR,
  happyStack,
  inlineReplicaStack,
  k8s,
  PRIMARY,
  PROD_CONFIG,
  resource,
  table,
  violated,
  withChange,
  monitor,
} from './fixtures';

type Props = Record<string, unknown>;
type Change = (props: Props) => void;

interface Case {
  /** The behaviour, as the test is named. */
  readonly when: string;
  /** The logical name of the resource to change (fixtures name them `<region>-...`). */
  readonly resource: string;
  readonly change: Change;
  /** The exact set of policies that must fire. */
  readonly expect: readonly string[];
}

const doc = (p: Props) => JSON.parse(p.policy as string) as { Statement: Props[] };
const setDoc = (p: Props, d: unknown, key = 'policy') => {
  p[key] = JSON.stringify(d);
};
const container = (p: Props) =>
  ((p.spec as Props).template as { spec: { containers: Props[] } }).spec.containers[0] as Props & {
    securityContext: Props;
    resources: Props;
  };
const podSpec = (p: Props) => ((p.spec as Props).template as { spec: Props }).spec;
const spec = (p: Props) => p.spec as Props;

const CASES: Record<string, readonly Case[]> = {
  'dynamodb-pitr': [
    {
      when: 'fails if the table has no PITR',
      resource: `${PRIMARY}-prod-features`,
      change: (p) => void (p.pointInTimeRecovery = { enabled: false }),
      expect: ['dynamodb-pitr'],
    },
    {
      when: 'fails if the DR replica has no PITR',
      resource: `${DR}-prod-features-replica`,
      change: (p) => void (p.pointInTimeRecovery = false),
      expect: ['dynamodb-pitr'],
    },
  ],
  'dynamodb-cmk-encryption': [
    {
      when: 'fails if the table uses the AWS-owned key',
      resource: `${PRIMARY}-prod-features`,
      change: (p) => void (p.serverSideEncryption = { enabled: false }),
      expect: ['dynamodb-cmk-encryption'],
    },
    {
      when: 'fails if the DR replica has no CMK',
      resource: `${DR}-prod-features-replica`,
      change: (p) => void delete p.kmsKeyArn,
      expect: ['dynamodb-cmk-encryption'],
    },
  ],
  'dynamodb-deletion-protection': [
    {
      when: 'fails if the table is unprotected',
      resource: `${PRIMARY}-prod-features`,
      change: (p) => void (p.deletionProtectionEnabled = false),
      expect: ['dynamodb-deletion-protection'],
    },
    {
      when: 'fails if the DR replica is unprotected',
      resource: `${DR}-prod-features-replica`,
      change: (p) => void delete p.deletionProtectionEnabled,
      expect: ['dynamodb-deletion-protection'],
    },
  ],
  'dynamodb-dr-replica': [
    {
      when: 'fails if the replica is in another region than DR',
      resource: `${DR}-prod-features-replica`,
      change: (p) => void (p.region = 'eu-west-1'),
      // Moved away from (or renamed past) its monitors: unwatched too.
      expect: ['dr-parity', 'dynamodb-dr-replica', 'monitoring-coverage'],
    },
    {
      when: 'fails if the replica replicates another table',
      resource: `${DR}-prod-features-replica`,
      change: (p) => void (p.globalTableArn = `arn:aws:dynamodb:${PRIMARY}:123456789012:table/prod-other`),
      // Moved away from (or renamed past) its monitors: unwatched too.
      expect: ['dr-parity', 'dynamodb-dr-replica', 'monitoring-coverage'],
    },
  ],
  'dynamodb-throughput-quotas': [
    {
      when: "fails if a table's read maximum passes the table quota",
      resource: `${PRIMARY}-prod-features-reads`,
      change: (p) => void (p.maxCapacity = 40001),
      expect: ['dynamodb-throughput-quotas'],
    },
  ],
  'kinesis-kms-encryption': [
    {
      when: 'fails if the stream is unencrypted',
      resource: `${PRIMARY}-transactions`,
      change: (p) => void (p.encryptionType = 'NONE'),
      expect: ['kinesis-kms-encryption'],
    },
    {
      when: 'fails with the AWS-managed key',
      resource: `${PRIMARY}-transactions`,
      change: (p) => void (p.kmsKeyId = 'alias/aws/kinesis'),
      expect: ['kinesis-kms-encryption'],
    },
  ],
  'kinesis-retention': [
    {
      when: 'fails if retention is below the minimum',
      resource: `${DR}-transactions`,
      change: (p) => void (p.retentionPeriod = 24),
      expect: ['kinesis-retention'],
    },
  ],
  'kinesis-shard-capacity': [
    {
      when: 'fails if shards are below the declared peak',
      resource: `${PRIMARY}-transactions`,
      change: (p) => void (p.shardCount = 107),
      expect: ['kinesis-shard-capacity'],
    },
  ],
  'sqs-kms-encryption': [
    {
      when: 'fails if the queue has no CMK',
      resource: `${PRIMARY}-prod-case-review`,
      change: (p) => void delete p.kmsMasterKeyId,
      expect: ['sqs-kms-encryption'],
    },
    {
      when: 'fails if the DLQ uses the AWS-managed key',
      resource: `${DR}-prod-case-review-dlq`,
      change: (p) => void (p.kmsMasterKeyId = 'alias/aws/sqs'),
      expect: ['sqs-kms-encryption'],
    },
  ],
  'sqs-dead-letter-queue': [
    {
      when: 'fails if maxReceiveCount is above the bound',
      resource: `${PRIMARY}-prod-case-review`,
      change: (p) =>
        setDoc(p, { ...JSON.parse(p.redrivePolicy as string), maxReceiveCount: 50 }, 'redrivePolicy'),
      expect: ['sqs-dead-letter-queue'],
    },
    {
      when: 'fails if the queue has no redrive policy',
      resource: `${DR}-prod-case-review`,
      change: (p) => void delete p.redrivePolicy,
      expect: ['sqs-dead-letter-queue'],
    },
  ],
  'sqs-tls-only': [
    {
      when: 'fails if the queue policy does not deny insecure transport',
      resource: `${PRIMARY}-prod-case-review-policy`,
      change: (p) => {
        const d = doc(p);
        d.Statement[0].Condition = { Bool: { 'aws:SecureTransport': 'true' } };
        setDoc(p, d);
      },
      expect: ['sqs-tls-only'],
    },
  ],
  'sqs-no-public-principal': [
    {
      when: 'fails if a wildcard principal is not conditioned to the topic',
      resource: `${PRIMARY}-prod-case-review-policy`,
      change: (p) => {
        const d = doc(p);
        d.Statement[1] = { ...d.Statement[1], Principal: '*', Condition: undefined };
        setDoc(p, d);
      },
      expect: ['sqs-no-public-principal'],
    },
  ],
  'sns-kms-encryption': [
    {
      when: 'fails if the topic has no CMK',
      resource: `${PRIMARY}-risk-decisions`,
      change: (p) => void delete p.kmsMasterKeyId,
      expect: ['sns-kms-encryption'],
    },
  ],
  'sns-no-public-principal': [
    {
      when: 'fails if the topic policy allows a wildcard principal',
      resource: `${DR}-risk-decisions-policy`,
      change: (p) => {
        const d = doc(p);
        d.Statement[0].Principal = { AWS: '*' };
        setDoc(p, d);
      },
      expect: ['sns-no-public-principal'],
    },
  ],
  'kms-key-rotation': [
    {
      when: 'fails if rotation is off',
      resource: `${PRIMARY}-platform-key`,
      change: (p) => void (p.enableKeyRotation = false),
      expect: ['kms-key-rotation'],
    },
  ],
  'kms-no-wildcard-principal': [
    {
      when: "fails if the key policy allows '*'",
      resource: `${DR}-platform-key`,
      change: (p) => {
        const d = doc(p);
        d.Statement[0].Principal = '*';
        setDoc(p, d);
      },
      expect: ['kms-no-wildcard-principal'],
    },
  ],
  'eks-supported-version': [
    {
      when: 'fails on a version out of standard support',
      resource: `${PRIMARY}-cluster`,
      change: (p) => void (p.version = '1.33'),
      expect: ['eks-supported-version'],
    },
  ],
  'eks-no-public-endpoint': [
    {
      when: 'fails if the public endpoint is open to 0.0.0.0/0',
      resource: `${PRIMARY}-cluster`,
      change: (p) =>
        void Object.assign(p.vpcConfig as Props, {
          endpointPublicAccess: true,
          publicAccessCidrs: ['0.0.0.0/0'],
        }),
      expect: ['eks-no-public-endpoint'],
    },
    {
      when: 'fails if the public endpoint is on with the default CIDRs',
      resource: `${DR}-cluster`,
      change: (p) => void delete (p.vpcConfig as Props).endpointPublicAccess,
      expect: ['eks-no-public-endpoint'],
    },
  ],
  'eks-control-plane-logging': [
    {
      when: 'fails if the audit log is off',
      resource: `${PRIMARY}-cluster`,
      change: (p) =>
        void (p.enabledClusterLogTypes = ['api', 'authenticator', 'controllerManager', 'scheduler']),
      expect: ['eks-control-plane-logging'],
    },
  ],
  'eks-secrets-encryption': [
    {
      when: 'fails if secrets are not envelope-encrypted',
      resource: `${PRIMARY}-cluster`,
      change: (p) => void delete p.encryptionConfig,
      expect: ['eks-secrets-encryption'],
    },
  ],
  'eks-node-group-azs': [
    {
      when: "fails if a cluster's per-zone node groups together span two AZs",
      resource: `${PRIMARY}-workers`,
      change: (p) => void (p.subnetIds = [`${PRIMARY}-private-a-id`, `${PRIMARY}-private-b-id`]),
      expect: ['eks-node-group-azs'],
    },
    {
      when: 'fails if the node group spans two AZs',
      resource: `${DR}-workers`,
      change: (p) => void (p.subnetIds = (p.subnetIds as string[]).slice(0, 2)),
      expect: ['eks-node-group-azs'],
    },
  ],
  'iam-no-wildcard-actions': [
    {
      when: "fails on a '<service>:*' action",
      resource: `${PRIMARY}-stream-scorer-data`,
      change: (p) => {
        const d = doc(p);
        d.Statement[0].Action = 'kinesis:*';
        setDoc(p, d);
      },
      expect: ['iam-no-wildcard-actions'],
    },
  ],
  'iam-no-wildcard-data-plane-resources': [
    {
      when: "fails on data-plane actions on '*'",
      resource: `${PRIMARY}-stream-scorer-data`,
      change: (p) => {
        const d = doc(p);
        d.Statement[0].Resource = '*';
        setDoc(p, d);
      },
      expect: ['iam-no-wildcard-data-plane-resources'],
    },
  ],
  'iam-trust-scoped': [
    {
      when: 'fails if the Pod Identity trust has no scoping condition',
      resource: `${DR}-stream-scorer`,
      change: (p) => {
        const d = JSON.parse(p.assumeRolePolicy as string) as { Statement: Props[] };
        delete d.Statement[0].Condition;
        setDoc(p, d, 'assumeRolePolicy');
      },
      expect: ['iam-trust-scoped'],
    },
    {
      when: "fails if the trust policy allows '*'",
      resource: `${PRIMARY}-stream-scorer`,
      change: (p) => {
        const d = JSON.parse(p.assumeRolePolicy as string) as { Statement: Props[] };
        d.Statement[0].Principal = { AWS: '*' };
        setDoc(p, d, 'assumeRolePolicy');
      },
      expect: ['iam-trust-scoped'],
    },
  ],
  'image-tag-pinned': [
    {
      when: "fails on the 'latest' tag",
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (container(p).image = 'registry.local:5000/risk/scoring-api:latest'),
      expect: ['image-digest', 'image-tag-pinned'],
    },
    {
      when: 'fails on an untagged image',
      resource: `${DR}-deployment-stream-scorer`,
      change: (p) => void (container(p).image = 'registry.local:5000/risk/stream-scorer'),
      expect: ['image-digest', 'image-tag-pinned'],
    },
  ],
  'image-digest': [
    {
      when: 'advises on a tag without digest',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (container(p).image = 'registry.local/risk/scoring-api:1.4.2'),
      expect: ['image-digest'],
    },
  ],
  'image-registry-in-region': [
    {
      when: "fails if a DR workload pulls from the primary region's registry",
      resource: `${DR}-deployment-scoring-api`,
      change: (p) =>
        void (container(p).image = String(container(p).image).replace(
          `.dkr.ecr.${DR}.`,
          `.dkr.ecr.${PRIMARY}.`,
        )),
      expect: ['image-registry-in-region'],
    },
    {
      when: "fails if a primary workload pulls from the DR region's registry",
      resource: `${PRIMARY}-deployment-stream-scorer`,
      change: (p) =>
        void (container(p).image = String(container(p).image).replace(
          `.dkr.ecr.${PRIMARY}.`,
          `.dkr.ecr.${DR}.`,
        )),
      expect: ['image-registry-in-region'],
    },
    {
      when: 'fails if a workload with a private ECR image has no region label',
      resource: `${DR}-deployment-stream-scorer`,
      change: (p) => void delete ((p.metadata as Props).labels as Props)['risk-platform/region'],
      // Every rule that places a Kubernetes object by its region label loses it too.
      expect: ['deployment-pdb', 'dr-parity', 'image-registry-in-region', 'network-policy-default-deny'],
    },
  ],
  'container-resources': [
    {
      when: 'fails without limits',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void delete container(p).resources.limits,
      expect: ['container-resources'],
    },
  ],
  'container-probes': [
    {
      when: 'fails without a liveness probe',
      resource: `${DR}-deployment-scoring-api`,
      change: (p) => void delete container(p).livenessProbe,
      expect: ['container-probes'],
    },
  ],
  'container-security-context': [
    {
      when: 'fails with a writable root filesystem',
      resource: `${PRIMARY}-deployment-stream-scorer`,
      change: (p) => void (container(p).securityContext.readOnlyRootFilesystem = false),
      expect: ['container-security-context'],
    },
    {
      when: 'fails if privileged',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (container(p).securityContext.privileged = true),
      expect: ['container-security-context'],
    },
    {
      when: 'fails without drop ALL',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (container(p).securityContext.capabilities = { drop: ['NET_RAW'] }),
      expect: ['container-security-context'],
    },
  ],
  'no-default-service-account': [
    {
      when: 'fails on the default service account',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void delete podSpec(p).serviceAccountName,
      expect: ['no-default-service-account'],
    },
  ],
  'no-secret-literals-in-env': [
    {
      when: 'fails on a literal password in env',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (container(p).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }]),
      expect: ['no-secret-literals-in-env'],
    },
  ],
  'pdb-scales-with-replicas': [
    {
      when: 'fails if a Deployment that scales to 60 has a fixed budget of 1',
      resource: `${PRIMARY}-poddisruptionbudget-scoring-api`,
      change: (p) => void (spec(p).maxUnavailable = 1),
      expect: ['pdb-scales-with-replicas'],
    },
    {
      when: 'fails if the budget is a minAvailable count',
      resource: `${DR}-poddisruptionbudget-stream-scorer`,
      change: (p) => {
        delete spec(p).maxUnavailable;
        spec(p).minAvailable = 1;
      },
      expect: ['pdb-scales-with-replicas'],
    },
  ],
  'local-volumes-evictable': [
    {
      when: 'fails if a pod mounts an emptyDir its safe-to-evict annotation does not list',
      resource: `${PRIMARY}-deployment-scoring-api`,
      change: (p) => void (podSpec(p).volumes = [{ name: 'tmp', emptyDir: {} }]),
      expect: ['local-volumes-evictable'],
    },
    {
      when: 'fails if the annotation lists only some of the emptyDirs',
      resource: `${DR}-deployment-stream-scorer`,
      change: (p) => {
        podSpec(p).volumes = [
          { name: 'tmp', emptyDir: {} },
          { name: 'cache', emptyDir: {} },
        ];
        const template = (p.spec as Props).template as Props;
        template.metadata = {
          ...(template.metadata as Props),
          annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'tmp' },
        };
      },
      expect: ['local-volumes-evictable'],
    },
  ],
  'topology-spread-zones': [
    {
      when: 'fails without a zone spread',
      resource: `${DR}-deployment-scoring-api`,
      change: (p) =>
        void (podSpec(p).topologySpreadConstraints = [
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
        ]),
      expect: ['topology-spread-zones'],
    },
  ],
  'network-policy-default-deny': [
    {
      when: 'fails if the namespace denies ingress only',
      resource: `${DR}-networkpolicy-default-deny`,
      change: (p) => void (spec(p).policyTypes = ['Ingress']),
      expect: ['network-policy-default-deny'],
    },
  ],
  'deployment-pdb': [
    {
      when: 'fails if minAvailable equals the ScaledObject minimum',
      resource: `${DR}-poddisruptionbudget-stream-scorer`,
      change: (p) => {
        delete spec(p).maxUnavailable;
        spec(p).minAvailable = '100%';
      },
      expect: ['deployment-pdb'],
    },
    {
      when: 'fails if the PDB allows no disruption',
      resource: `${PRIMARY}-poddisruptionbudget-scoring-api`,
      change: (p) => void (spec(p).maxUnavailable = '0%'),
      expect: ['deployment-pdb'],
    },
    {
      when: 'fails if minAvailable equals the autoscaler minimum',
      resource: `${PRIMARY}-poddisruptionbudget-stream-scorer`,
      change: (p) => {
        delete spec(p).maxUnavailable;
        spec(p).minAvailable = '100%';
      },
      expect: ['deployment-pdb'],
    },
    {
      when: 'fails if no PDB selects the Deployment',
      resource: `${DR}-poddisruptionbudget-scoring-api`,
      change: (p) => void (spec(p).selector = { matchLabels: { 'app.kubernetes.io/name': 'other' } }),
      expect: ['deployment-pdb'],
    },
  ],
  'hpa-replica-bounds': [
    {
      when: 'fails if a ScaledObject minReplicaCount is 1 in prod',
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) => void (spec(p).minReplicaCount = 1),
      expect: ['hpa-replica-bounds'],
    },
    {
      when: 'fails if a ScaledObject maxReplicaCount equals its minReplicaCount',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) => void (spec(p).maxReplicaCount = 2),
      expect: ['hpa-replica-bounds'],
    },
    {
      when: 'fails if minReplicas is 1 in prod',
      resource: `${PRIMARY}-horizontalpodautoscaler-scoring-api`,
      change: (p) => void (spec(p).minReplicas = 1),
      expect: ['hpa-replica-bounds'],
    },
    {
      when: 'fails if maxReplicas equals minReplicas',
      resource: `${PRIMARY}-horizontalpodautoscaler-scoring-api`,
      change: (p) => void (spec(p).maxReplicas = 6),
      expect: ['hpa-replica-bounds'],
    },
  ],
  'autoscaler-exclusive': [
    {
      when: 'fails if two ScaledObjects target the same Deployment',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) => void ((spec(p).scaleTargetRef as Props).name = 'scoring-api'),
      expect: ['autoscaler-exclusive'],
    },
    {
      when: 'fails if an HPA and a ScaledObject target the same Deployment',
      resource: `${PRIMARY}-horizontalpodautoscaler-scoring-api`,
      change: (p) => void ((spec(p).scaleTargetRef as Props).name = 'stream-scorer'),
      expect: ['autoscaler-exclusive'],
    },
  ],
  'keda-kinesis-max-replicas': [
    {
      when: 'fails if maxReplicaCount exceeds the shards',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) => void (spec(p).maxReplicaCount = 109),
      expect: ['keda-kinesis-max-replicas'],
    },
    {
      when: "fails if the stream is not in the ScaledObject's region",
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) =>
        void (((spec(p).triggers as Props[])[0].metadata as Props).dimensionValue = 'prod-transactions-typo'),
      expect: ['keda-kinesis-max-replicas'],
    },
  ],
  'keda-datadog-fallback': [
    {
      when: 'fails if a datadog-scaled object has no fallback and no metricUnavailableValue, on an undeclared metric',
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) =>
        void (spec(p).triggers = [
          {
            type: 'datadog',
            metricType: 'AverageValue',
            metadata: { useClusterAgentProxy: 'true', datadogMetricName: 'rps', targetValue: '10' },
          },
        ]),
      // The trigger dials the cluster agent with no TLS chain in the fixture: that rule fires too.
      expect: ['keda-cluster-agent-tls', 'keda-datadog-fallback'],
    },
    {
      when: 'fails if the fallback holds fewer replicas than the minimum',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) => {
        spec(p).fallback = { failureThreshold: 3, replicas: 1 };
        spec(p).triggers = [
          {
            type: 'datadog',
            metricType: 'AverageValue',
            metadata: { useClusterAgentProxy: 'true', datadogMetricName: 'rps', metricUnavailableValue: '0' },
          },
        ];
      },
      // The trigger dials the cluster agent with no TLS chain in the fixture: that rule fires too.
      expect: ['keda-cluster-agent-tls', 'keda-datadog-fallback'],
    },
  ],
  'keda-cron-floor': [
    {
      when: 'fails if a launch-window cron floor is above maxReplicaCount, in an unknown timezone, with start = end',
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) =>
        void (spec(p).triggers as Props[]).push({
          type: 'cron',
          name: 'prescale-weekly-release',
          metadata: {
            timezone: 'Mars/Olympus',
            start: '0 9 * * TUE',
            end: '0 9 * * TUE',
            desiredReplicas: '100000',
          },
        }),
      expect: ['keda-cron-floor'],
    },
  ],
  'keda-kinesis-load-signal': [
    {
      when: 'fails if the consumer scales on the constant open-shard count (108 shards / 1 > min 4)',
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) =>
        void ((spec(p).triggers as Props[])[0] = {
          type: 'aws-kinesis-stream',
          metadata: { streamName: 'prod-transactions', awsRegion: PRIMARY, shardCount: '1' },
          authenticationRef: { name: 'stream-scorer-aws' },
        }),
      expect: ['keda-kinesis-load-signal'],
    },
    {
      when: 'fails in the standby region too, where the shard constant overrides the standby minimum',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) =>
        void ((spec(p).triggers as Props[])[0] = {
          type: 'aws-kinesis-stream',
          metadata: { streamName: 'prod-transactions', awsRegion: DR, shardCount: '27' },
          authenticationRef: { name: 'stream-scorer-aws' },
        }),
      expect: ['keda-kinesis-load-signal'],
    },
  ],
  'keda-cluster-agent-tls': [
    {
      when: 'fails if a trigger turns off TLS verification (unsafeSsl)',
      resource: `${PRIMARY}-scaledobject-stream-scorer`,
      change: (p) => void (((spec(p).triggers as Props[])[0].metadata as Props).unsafeSsl = 'true'),
      expect: ['keda-cluster-agent-tls'],
    },
  ],
  'keda-workload-identity': [
    {
      when: 'fails if an AWS TriggerAuthentication adds a Secret next to its workload identity',
      resource: `${PRIMARY}-triggerauthentication-stream-scorer-aws`,
      change: (p) =>
        void (spec(p).secretTargetRef = [{ parameter: 'awsSecretAccessKey', name: 'aws', key: 'secret' }]),
      expect: ['keda-workload-identity'],
    },
    {
      when: 'fails if the TriggerAuthentication reads a Secret',
      resource: `${PRIMARY}-triggerauthentication-stream-scorer-aws`,
      change: (p) =>
        void (p.spec = { secretTargetRef: [{ parameter: 'awsAccessKeyID', name: 'aws', key: 'id' }] }),
      expect: ['keda-workload-identity'],
    },
    {
      when: 'fails on the deprecated aws-eks provider',
      resource: `${DR}-triggerauthentication-stream-scorer-aws`,
      change: (p) => void ((spec(p).podIdentity as Props).provider = 'aws-eks'),
      expect: ['keda-workload-identity'],
    },
  ],
  'dr-parity': [
    {
      when: 'fails if the DR topic is missing (renamed)',
      resource: `${DR}-risk-decisions`,
      change: (p) => void (p.name = 'prod-risk-decisions-v2'),
      expect: ['dr-parity'],
    },
    {
      when: 'fails if the DR cluster is missing (other region)',
      resource: `${DR}-cluster`,
      change: (p) => void (p.region = 'eu-west-1'),
      // Moved away from its monitors' region: unwatched too.
      expect: ['dr-parity', 'monitoring-coverage'],
    },
    {
      when: 'fails if the DR Deployment is missing (other region)',
      resource: `${DR}-horizontalpodautoscaler-scoring-api`,
      change: (p) => void ((p.metadata as { labels: Props }).labels['risk-platform/region'] = 'eu-west-1'),
      expect: ['dr-parity'],
    },
  ],
  'dr-standby-minimums': [
    {
      when: 'fails if the DR minimum is below the standby fraction',
      resource: `${DR}-scaledobject-stream-scorer`,
      change: (p) => void (spec(p).minReplicaCount = 0),
      // 0 is also below the prod floor of every autoscaler.
      expect: ['dr-standby-minimums', 'hpa-replica-bounds'],
    },
  ],
  'cost-budget': [
    {
      when: 'fails when 30 c7i.2xlarge nodes take the stack above its monthly budget',
      resource: `${PRIMARY}-workers`,
      change: (p) => {
        p.instanceTypes = ['c7i.2xlarge'];
        (p.scalingConfig as Props).desiredSize = 30;
      },
      expect: ['cost-budget'],
    },
  ],
  'monitoring-coverage': [
    {
      when: 'fails when the only monitor of the stream in us-west-2 names another stream',
      resource: `observability-stream-${PRIMARY}`,
      change: (p) => void (p.query = String(p.query).replace('prod-transactions', 'prod-other')),
      expect: ['monitoring-coverage'],
    },
  ],
  'required-tags': [
    {
      when: 'fails without the owner tag',
      resource: `${PRIMARY}-transactions`,
      change: (p) => void delete (p.tags as Props).owner,
      expect: ['required-tags'],
    },
  ],
};

describe('the happy-path stack', () => {
  let clean: string[];
  beforeAll(async () => {
    clean = await violated(happyStack());
  });
  test.each(policies.map((p) => p.name))('passes %s', (name) => {
    expect(clean).not.toContain(name);
  });
  test('passes every rule with no policy config at all (defaults)', async () => {
    expect(await violated(happyStack(), {})).toEqual([]);
  });
});

describe.each(Object.entries(CASES))('%s', (_policy, cases) => {
  test.each(cases.map((c) => [c.when, c] as const))('%s', async (_when, c) => {
    const vs = await evaluatePolicies(withChange(happyStack(), c.resource, c.change), PROD_CONFIG);
    expect([...new Set(vs.map((v) => v.policy))].sort()).toEqual([...c.expect].sort());
    // Each message says what must hold and names the resource.
    for (const v of vs) expect(v.message).toMatch(/\bmust\b/);
  });
});

test('every policy of the pack has at least one failing case', () => {
  expect(Object.keys(CASES).sort()).toEqual(policies.map((p) => p.name).sort());
});

describe('per-environment configuration', () => {
  const relax = (stack: PlannedResource[]) =>
    withChange(stack, `${PRIMARY}-prod-features`, (p) => void (p.deletionProtectionEnabled = false));

  test('deletion protection is not required where the config says so (dev)', async () => {
    expect(
      await violated(relax(happyStack()), {
        'dynamodb-deletion-protection': { requireDeletionProtection: false },
      }),
    ).toEqual([]);
  });

  test('dev downgrades the replica-count rules to advisory through enforcementLevel', async () => {
    const stack = withChange(
      happyStack(),
      `${PRIMARY}-horizontalpodautoscaler-scoring-api`,
      (p) => void (spec(p).maxReplicas = 6),
    );
    const config = {
      ...PROD_CONFIG,
      'hpa-replica-bounds': { enforcementLevel: 'advisory' as const, minReplicas: 1 },
    };
    expect(await violated(stack, config, 'mandatory')).toEqual([]);
    expect(await violated(stack, config, 'advisory')).toEqual(['hpa-replica-bounds']);
  });

  describe('keda-workload-identity: scaler credentials are short-lived', () => {
    // GIVEN the datadog scaler's authentication, as the chart declares it: a bound token and the cluster agent's address
    const datadogAuth = (spec: Props) =>
      k8s(PRIMARY, 'keda.sh/v1alpha1', 'TriggerAuthentication', 'scoring-api-datadog', {
        spec: {
          configMapTargetRef: [
            { parameter: 'authMode', name: 'scoring-api-metrics-reader-scaler', key: 'authMode' },
          ],
          ...spec,
        },
      });
    const secret = (name: string, rest: Props) => k8s(PRIMARY, 'v1', 'Secret', name, rest);
    const tokenFrom = (name: string) => ({ secretTargetRef: [{ parameter: 'token', name, key: 'token' }] });

    test("passes a non-AWS scaler's bound service-account token", async () => {
      const auth = datadogAuth({
        boundServiceAccountToken: [{ parameter: 'token', serviceAccountName: 'scoring-api-metrics-reader' }],
      });
      expect(await violated([...happyStack(), auth])).toEqual([]);
    });

    test("passes a non-AWS scaler's token from an ordinary Secret", async () => {
      const stack = [
        ...happyStack(),
        secret('datadog-token', { type: 'Opaque', data: { token: '[secret]' } }),
        datadogAuth(tokenFrom('datadog-token')),
      ];
      expect(await violated(stack)).toEqual([]);
    });

    test('fails if a TriggerAuthentication reads a service-account-token Secret', async () => {
      // WHEN the token is the long-lived Secret the token controller fills
      const stack = [
        ...happyStack(),
        secret('scoring-api-metrics-reader-token', {
          type: 'kubernetes.io/service-account-token',
          metadata: {
            name: 'scoring-api-metrics-reader-token',
            namespace: 'risk-scoring',
            labels: { 'risk-platform/region': PRIMARY },
            annotations: { 'kubernetes.io/service-account.name': 'scoring-api-metrics-reader' },
          },
        }),
        datadogAuth(tokenFrom('scoring-api-metrics-reader-token')),
      ];
      const vs = await evaluatePolicies(stack, PROD_CONFIG);
      // THEN keda-workload-identity names the authentication, the parameter and the Secret
      expect(vs.map((v) => v.policy)).toEqual(['keda-workload-identity']);
      expect(vs[0].message).toContain(
        "TriggerAuthentication 'risk-scoring/scoring-api-datadog' must not read long-lived credentials " +
          "(parameter token reads Secret 'risk-scoring/scoring-api-metrics-reader-token', which is a " +
          'kubernetes.io/service-account-token Secret (a token that never expires)); use ' +
          'boundServiceAccountToken: [{ parameter, serviceAccountName }] for a Kubernetes token, podIdentity for AWS.',
      );
    });

    test('fails if a TriggerAuthentication reads a Secret holding AWS keys, whatever the parameter', async () => {
      const stack = [
        ...happyStack(),
        secret('scaler-creds', {
          type: 'Opaque',
          data: { AWS_ACCESS_KEY_ID: '[secret]', token: '[secret]' },
        }),
        datadogAuth(tokenFrom('scaler-creds')),
      ];
      expect(await violated(stack)).toEqual(['keda-workload-identity']);
    });

    test('fails if a Secret names an AWS access key ID in stringData', async () => {
      const stack = [
        ...happyStack(),
        secret('scaler-creds', { type: 'Opaque', stringData: { id: 'AKIAABCDEFGHIJKLMNOP' } }),
        datadogAuth(tokenFrom('scaler-creds')),
      ];
      expect(await violated(stack)).toEqual(['keda-workload-identity']);
    });

    test('a Secret of the same name in the other region does not count', async () => {
      const stack = [
        ...happyStack(),
        k8s(DR, 'v1', 'Secret', 'scaler-creds', { type: 'kubernetes.io/service-account-token' }),
        datadogAuth(tokenFrom('scaler-creds')),
      ];
      expect(await violated(stack)).toEqual([]);
    });
  });

  test('an ON_DEMAND stream needs no shard count', async () => {
    const stack = withChange(happyStack(), `${PRIMARY}-transactions`, (p) => {
      delete p.shardCount;
      p.streamModeDetails = { streamMode: 'ON_DEMAND' };
    });
    expect(await violated(stack)).toEqual([]);
  });

  test('the required shard count from the capacity model wins over the targets', async () => {
    const config = { ...PROD_CONFIG, 'kinesis-shard-capacity': { requiredShardCount: 120 } };
    expect(await violated(happyStack(), config)).toEqual(['kinesis-shard-capacity']);
  });

  test('a public endpoint restricted to named CIDRs passes', async () => {
    const stack = withChange(happyStack(), `${PRIMARY}-cluster`, (p) => {
      Object.assign(p.vpcConfig as Props, {
        endpointPublicAccess: true,
        publicAccessCidrs: ['203.0.113.0/24'],
      });
    });
    expect(await violated(stack)).toEqual([]);
  });

  test('an AWS resource without a region input takes its region from the provider, as the engine shows it', async () => {
    const stack = happyStack().map((r) =>
      r.type === 'aws:sns/topic:Topic' ? { ...r, props: { ...r.props, region: undefined } } : r,
    );
    expect(
      await violated(stack.map((r) => ({ ...r, props: JSON.parse(JSON.stringify(r.props)) as Props }))),
    ).toEqual([]);
  });

  test('an untaggable resource type is skipped by required-tags', async () => {
    const stack = [
      ...happyStack(),
      resource('aws:kms/alias:Alias', 'alias', PRIMARY, { name: 'alias/platform', targetKeyId: 'k' }),
    ];
    expect(await violated(stack)).toEqual([]);
  });
});

describe('global tables declared with inline replicas (the older style)', () => {
  const inline = (change: (replica: Props) => void) =>
    withChange(inlineReplicaStack(), `${PRIMARY}-prod-features`, (p) => change((p.replicas as Props[])[0]));

  test('pass every rule', async () => {
    expect(await violated(inlineReplicaStack())).toEqual([]);
  });

  test.each<[string, (r: Props) => void, string[]]>([
    ['fails if the DR replica has no PITR', (r) => void (r.pointInTimeRecovery = false), ['dynamodb-pitr']],
    ['fails if the DR replica has no CMK', (r) => void delete r.kmsKeyArn, ['dynamodb-cmk-encryption']],
    [
      'fails if the DR replica is unprotected',
      (r) => void delete r.deletionProtectionEnabled,
      ['dynamodb-deletion-protection'],
    ],
    [
      'fails if the replica is in another region than DR',
      (r) => void (r.regionName = 'eu-west-1'),
      ['dr-parity', 'dynamodb-dr-replica'],
    ],
  ])('%s', async (_when, change, expected) => {
    expect(await violated(inline(change))).toEqual(expected);
  });
});

describe('regional tables (per-region state such as shard leases)', () => {
  const leases = (region: string) =>
    resource('aws:dynamodb/table:Table', `${region}-leases`, region, {
      ...table(region, `prod-stream-scorer-leases-${region}`).props,
    });
  const watched = (region: string) => [
    leases(region),
    monitor(region, 'leases', { tablename: `prod-stream-scorer-leases-${region}` }),
  ];

  test('pass the DR rules with a twin named for the DR region', async () => {
    expect(await violated([...happyStack(), ...watched(PRIMARY), ...watched(DR)])).toEqual([]);
  });

  test('fail both DR rules without the DR twin', async () => {
    expect(await violated([...happyStack(), ...watched(PRIMARY)])).toEqual([
      'dr-parity',
      'dynamodb-dr-replica',
    ]);
  });
});

describe('IAM actions without resource-level permissions', () => {
  const withMetrics = (condition?: Props) =>
    withChange(happyStack(), `${PRIMARY}-stream-scorer-data`, (p) => {
      const d = doc(p);
      d.Statement.push({
        Sid: 'PublishConsumerMetrics',
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricData'],
        Resource: '*',
        ...(condition ? { Condition: condition } : {}),
      });
      setDoc(p, d);
    });

  test("cloudwatch:PutMetricData on '*' with a namespace condition passes", async () => {
    expect(
      await violated(withMetrics({ StringEquals: { 'cloudwatch:namespace': 'prod-stream-scorer' } })),
    ).toEqual([]);
  });
});
