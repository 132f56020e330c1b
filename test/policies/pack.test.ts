/**
 * The pack `policies/index.ts` registers is the list in `policies/pack.ts`, checked without starting
 * the policy server: `PolicyPack` is replaced by a spy that captures its arguments.
 */
import type { PolicyPackArgs } from '@pulumi/policy';
import { PACK_NAME, policies, POLICIES_BY_AREA } from '../../policies/pack';

const constructed: Array<{ name: string; args: PolicyPackArgs }> = [];

jest.mock('@pulumi/policy', () => ({
  ...jest.requireActual('@pulumi/policy'),
  PolicyPack: jest.fn().mockImplementation((name: string, args: PolicyPackArgs) => {
    constructed.push({ name, args });
  }),
}));

describe('policies/index.ts', () => {
  beforeAll(() => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../policies/index');
    });
  });

  test('constructs exactly one PolicyPack, named risk-platform', () => {
    expect(constructed.map((c) => c.name)).toEqual([PACK_NAME]);
  });

  test('registers the names and enforcement levels of pack.ts, in order', () => {
    const registered = constructed[0].args.policies.map((p) => [p.name, p.enforcementLevel]);
    expect(registered).toEqual(policies.map((p) => [p.name, p.enforcementLevel]));
  });
});

describe('the policy list', () => {
  test('names are kebab-case and unique', () => {
    const names = policies.map((p) => p.name);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every description says what must hold', () => {
    for (const p of policies) expect(p.description).toMatch(/\bmust\b/);
  });

  test('only image-digest is advisory', () => {
    expect(policies.filter((p) => p.enforcementLevel !== 'mandatory').map((p) => p.name)).toEqual([
      'image-digest',
    ]);
  });

  test('the areas hold the rules of the issue', () => {
    const byArea = Object.fromEntries(
      Object.entries(POLICIES_BY_AREA).map(([area, ps]) => [area, ps.map((p) => p.name)]),
    );
    expect(byArea).toEqual({
      tagging: ['required-tags'],
      'data-stores': [
        'dynamodb-pitr',
        'dynamodb-cmk-encryption',
        'dynamodb-deletion-protection',
        'dynamodb-dr-replica',
        'dynamodb-throughput-quotas',
      ],
      'streaming-messaging': [
        'kinesis-kms-encryption',
        'kinesis-retention',
        'kinesis-shard-capacity',
        'sqs-kms-encryption',
        'sqs-dead-letter-queue',
        'sqs-tls-only',
        'sqs-no-public-principal',
        'sns-kms-encryption',
        'sns-no-public-principal',
      ],
      keys: ['kms-key-rotation', 'kms-no-wildcard-principal'],
      'network-eks': [
        'eks-supported-version',
        'eks-no-public-endpoint',
        'eks-control-plane-logging',
        'eks-secrets-encryption',
        'eks-node-group-azs',
      ],
      iam: ['iam-no-wildcard-actions', 'iam-no-wildcard-data-plane-resources', 'iam-trust-scoped'],
      'kubernetes-workloads': [
        'image-tag-pinned',
        'image-digest',
        'image-registry-in-region',
        'container-resources',
        'container-probes',
        'container-security-context',
        'no-default-service-account',
        'no-secret-literals-in-env',
        'topology-spread-zones',
        'network-policy-default-deny',
        'local-volumes-evictable',
        'pdb-scales-with-replicas',
      ],
      'autoscaling-capacity': [
        'deployment-pdb',
        'hpa-replica-bounds',
        'autoscaler-exclusive',
        'keda-kinesis-max-replicas',
        'keda-kinesis-load-signal',
        'keda-datadog-fallback',
        'keda-workload-identity',
        'keda-cluster-agent-tls',
        'keda-cron-floor',
      ],
      'dr-parity': ['dr-parity', 'dr-standby-minimums'],
      cost: ['cost-budget'],
      observability: ['monitoring-coverage'],
    });
  });
});
