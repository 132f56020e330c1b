import { ConfigError, parseEnvironmentConfig } from '../../stacks/config/load';
import { listEnvironments, readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { tempDir } from '../helpers/tmp';

/** The committed prod stack file, as Pulumi hands it to the program. */
function prodValues(): { values: Record<string, string>; secretKeys: string[] } {
  return readStackFile(stackFilePath('prod'));
}

/** Parses prod's config with one key's JSON object edited. */
function parseWith(key: string, edit: (value: Record<string, unknown>) => void, stack = 'prod') {
  const { values, secretKeys } = prodValues();
  const obj = JSON.parse(values[key]) as Record<string, unknown>;
  edit(obj);
  return parseEnvironmentConfig(
    { ...values, [key]: JSON.stringify(obj) },
    { stack, isSecret: (k) => secretKeys.includes(k) },
  );
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError)
      return e.issues.map((i) => `${i.key}: received ${i.received}, expected ${i.expected}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnvironmentConfig', () => {
  test('parses the committed prod stack file into one typed object', () => {
    const { values, secretKeys } = prodValues();
    const config = parseEnvironmentConfig(values, { stack: 'prod', isSecret: (k) => secretKeys.includes(k) });
    expect(config.environment).toBe('prod');
    expect(config.sites.map((s) => [s.role, s.region])).toEqual([
      ['primary', 'us-west-2'],
      ['dr', 'us-east-1'],
    ]);
    expect(config.regions.primary.availabilityZoneIds).toEqual(['usw2-az1', 'usw2-az2', 'usw2-az3']);
    expect(config.regions.dr.availabilityZoneIds).toEqual(['use1-az1', 'use1-az2', 'use1-az4']);
    expect(config.tags).toMatchObject({
      owner: 'trust-and-safety-platform',
      'cost-centre': 'cc-4411',
      'data-classification': 'confidential',
      environment: 'prod',
    });
  });

  test.each<[string, string, (v: Record<string, unknown>) => void, string]>([
    [
      'an unknown region',
      'risk-platform:regions',
      (v) => ((v.dr as Record<string, unknown>).region = 'mars-north-9'),
      'risk-platform:regions.dr.region: received "mars-north-9", expected an AWS region, one of us-east-1,',
    ],
    [
      'a negative peak',
      'risk-platform:targets',
      (v) => (v.peakScoringRps = -5),
      'risk-platform:targets.peakScoringRps: received -5, expected a number > 0 (peak scoring requests per second)',
    ],
    [
      'a negative per-pod throughput',
      'risk-platform:targets',
      (v) => (v.scoringPodRps = -1),
      'risk-platform:targets.scoringPodRps: received -1, expected a number > 0 (requests per second per scoring-api pod)',
    ],
    [
      'no cluster admin role',
      'risk-platform:cluster',
      (v) => (v.adminRoleArns = []),
      'risk-platform:cluster.adminRoleArns: received [], expected a list of at least one IAM role ARN (the CI deploy role, then e.g. the on-call break-glass role)',
    ],
    [
      'a cluster admin that is not a role ARN',
      'risk-platform:cluster',
      (v) => (v.adminRoleArns = ['risk-platform-deployer']),
      'risk-platform:cluster.adminRoleArns.0: received "risk-platform-deployer", expected an IAM role ARN such as arn:aws:iam::123456789012:role/risk-platform-deployer',
    ],
    [
      'a DR region equal to the primary',
      'risk-platform:regions',
      (v) =>
        Object.assign(v.dr as Record<string, unknown>, {
          region: 'us-west-2',
          availabilityZoneIds: ['usw2-az1', 'usw2-az2', 'usw2-az3'],
        }),
      'risk-platform:regions.dr.region: received "us-west-2", expected a region different from the primary region (us-west-2)',
    ],
    // Issue 15 finding 2: zones by AZ ID, of the stack's region, not where EKS refuses cluster subnets.
    [
      'a DR zone where EKS refuses cluster subnets',
      'risk-platform:regions',
      (v) => ((v.dr as Record<string, unknown>).availabilityZoneIds = ['use1-az1', 'use1-az3', 'use1-az4']),
      'risk-platform:regions.dr.availabilityZoneIds.1: received "use1-az3", expected an AZ ID EKS supports for cluster subnets: use1-az3 is refused in us-east-1 (UnsupportedAvailabilityZoneException; EKS user guide, VPC and subnet requirements)',
    ],
    [
      'a primary zone of another region',
      'risk-platform:regions',
      (v) =>
        ((v.primary as Record<string, unknown>).availabilityZoneIds = ['usw2-az1', 'use1-az2', 'usw2-az3']),
      'risk-platform:regions.primary.availabilityZoneIds.1: received "use1-az2", expected an AZ ID of us-west-2 (usw2-az<N>), not of another region',
    ],
    [
      'a zone given by name',
      'risk-platform:regions',
      (v) =>
        ((v.primary as Record<string, unknown>).availabilityZoneIds = ['usw2-az1', 'usw2-az2', 'us-west-2c']),
      'risk-platform:regions.primary.availabilityZoneIds.2: received "us-west-2c", expected an AZ ID such as usw2-az1 (<region prefix>-az<N>; AZ names such as us-west-2a map to different zones in each account)',
    ],
    [
      'a zone listed twice',
      'risk-platform:regions',
      (v) =>
        ((v.primary as Record<string, unknown>).availabilityZoneIds = ['usw2-az1', 'usw2-az2', 'usw2-az1']),
      'risk-platform:regions.primary.availabilityZoneIds.2: received "usw2-az1", expected an AZ ID not already listed (slot 0)',
    ],
    [
      'two zones only',
      'risk-platform:regions',
      (v) => ((v.primary as Record<string, unknown>).availabilityZoneIds = ['usw2-az1', 'usw2-az2']),
      'risk-platform:regions.primary.availabilityZoneIds: received ["usw2-az1","usw2-az2"], expected exactly 3 AZ IDs, one per zone',
    ],
    [
      'the retired availabilityZones key',
      'risk-platform:regions',
      (v) =>
        ((v.dr as Record<string, unknown>).availabilityZones = ['us-east-1a', 'us-east-1b', 'us-east-1c']),
      'risk-platform:regions.dr.availabilityZones: received ["us-east-1a","us-east-1b","us-east-1c"], expected no such key: zones are configured by AZ ID in availabilityZoneIds',
    ],
    [
      'a missing key',
      'risk-platform:targets',
      (v) => delete v.headroom,
      'risk-platform:targets.headroom: received nothing (the key is missing), expected a value (a number between 1 and 10 (headroom factor))',
    ],
    [
      'a wrong type',
      'risk-platform:targets',
      (v) => (v.peakStreamRecordsPerSec = 'lots'),
      'risk-platform:targets.peakStreamRecordsPerSec: received "lots", expected a number (peak stream records per second)',
    ],
    [
      'an unknown key',
      'risk-platform:dr',
      (v) => (v.rpoSecs = 5),
      'risk-platform:dr.rpoSecs: received 5, expected no such key (unknown keys are refused; check the spelling)',
    ],
    [
      'a standby fraction above 1',
      'risk-platform:dr',
      (v) => (v.standbyFraction = 1.5),
      'risk-platform:dr.standbyFraction: received 1.5, expected a number in (0, 1] (standby fraction)',
    ],
    [
      'an active region outside the environment',
      'risk-platform:dr',
      (v) => (v.activeRegion = 'eu-west-1'),
      'risk-platform:dr.activeRegion: received "eu-west-1", expected one of the environment\'s regions (us-west-2 or us-east-1); omit it to serve from the primary region',
    ],
    [
      'an RPO too small for the replication heartbeat to measure',
      'risk-platform:dr',
      (v) => (v.rpoSeconds = 2),
      'risk-platform:dr.rpoSeconds: received 2, expected at least 3 seconds: the replication heartbeat writes once a second at the fastest, so a smaller RPO cannot be measured',
    ],
    [
      'an empty active region',
      'risk-platform:dr',
      (v) => (v.activeRegion = ''),
      'risk-platform:dr.activeRegion: received "", expected a non-empty string (an AWS region)',
    ],
    [
      'overlapping VPC CIDRs',
      'risk-platform:regions',
      (v) => ((v.dr as Record<string, unknown>).vpcCidr = '10.40.128.0/17'),
      'risk-platform:regions.dr.vpcCidr: received "10.40.128.0/17", expected a CIDR that does not overlap the primary VPC (10.40.0.0/16)',
    ],
    [
      'a CIDR with host bits',
      'risk-platform:regions',
      (v) => ((v.primary as Record<string, unknown>).vpcCidr = '10.40.0.1/16'),
      'risk-platform:regions.primary.vpcCidr: received "10.40.0.1/16", expected an IPv4 CIDR block such as 10.40.0.0/16 with no host bits set',
    ],
    [
      "a source-queue retention as long as the DLQs'",
      'risk-platform:messaging',
      (v) => (v.retentionDays = 14),
      "risk-platform:messaging.retentionDays: received 14, expected an integer between 1 and 13 (days), less than the dead-letter queues' 14 days",
    ],
    [
      'a Kubernetes version out of EKS standard support',
      'risk-platform:cluster',
      (v) => (v.kubernetesVersion = '1.30'),
      'risk-platform:cluster.kubernetesVersion: received "1.30", expected a Kubernetes version in EKS standard support, one of 1.35',
    ],
    [
      'an image tagged latest',
      'risk-platform:workloads',
      (v) => ((v.images as Record<string, unknown>).scoringApi = 'risk/scoring-api:latest'),
      'risk-platform:workloads.images.scoringApi: received "risk/scoring-api:latest", expected an image reference not tagged latest',
    ],
    [
      'a private image with its registry host (the DR region would pull from the primary region)',
      'risk-platform:workloads',
      (v) =>
        ((v.images as Record<string, unknown>).streamScorer =
          '123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/stream-scorer:2026.11.20-4f9c2ab'),
      'risk-platform:workloads.images.streamScorer: received "123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/stream-scorer:2026.11.20-4f9c2ab", expected a repository path without the registry host, such as risk/stream-scorer:2026.11.20-4f9c2ab (each region pulls from its own registry, <registryAccountId>.dkr.ecr.<region>.amazonaws.com)',
    ],
    [
      'a private image outside the replicated risk/ prefix',
      'risk-platform:workloads',
      (v) => ((v.images as Record<string, unknown>).feedbackWorker = 'fraud/feedback-worker:1.2.3'),
      'risk-platform:workloads.images.feedbackWorker: received "fraud/feedback-worker:1.2.3", expected a repository path under risk/ (the prefix ECR replicates to the DR region), such as risk/scoring-api@sha256:<64 hex>',
    ],
    [
      'a heartbeat image from a private registry host',
      'risk-platform:workloads',
      (v) =>
        ((v.images as Record<string, unknown>).replicationHeartbeat =
          '123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/aws-cli:2.31.23'),
      'risk-platform:workloads.images.replicationHeartbeat: received "123456789012.dkr.ecr.us-west-2.amazonaws.com/risk/aws-cli:2.31.23", expected a repository path without the registry host, such as risk/aws-cli:2.31.23',
    ],
    [
      'an unpinned private image',
      'risk-platform:workloads',
      (v) => ((v.images as Record<string, unknown>).scoringApi = 'risk/scoring-api'),
      'risk-platform:workloads.images.scoringApi: received "risk/scoring-api", expected an image reference pinned by digest (repo@sha256:<64 hex>) or an immutable tag (repo:1.2.3)',
    ],
    [
      'a registry account that is not a 12-digit account ID',
      'risk-platform:workloads',
      (v) => (v.registryAccountId = '1234'),
      'risk-platform:workloads.registryAccountId: received "1234", expected a 12-digit AWS account ID (the private ECR registry account)',
    ],
    [
      'a missing registry account',
      'risk-platform:workloads',
      (v) => delete v.registryAccountId,
      'risk-platform:workloads.registryAccountId: received nothing (the key is missing), expected a value (a 12-digit AWS account ID',
    ],
  ])('refuses %s, naming key, value and expectation', (_what, key, edit, message) => {
    const issues = issuesOf(() => parseWith(key, edit));
    expect(issues).toHaveLength(1);
    expect(issues[0].startsWith(message)).toBe(true);
  });

  test('serves from the primary region when dr.activeRegion is not set', () => {
    const { values, secretKeys } = prodValues();
    const config = parseEnvironmentConfig(values, { stack: 'prod', isSecret: (k) => secretKeys.includes(k) });
    expect(config.activeRegion).toBe('us-west-2');
  });

  test('serves from the DR region when dr.activeRegion names it, keeping the roles', () => {
    const config = parseWith('risk-platform:dr', (v) => (v.activeRegion = 'us-east-1'));
    expect(config.activeRegion).toBe('us-east-1');
    expect(config.sites.map((s) => [s.role, s.region])).toEqual([
      ['primary', 'us-west-2'],
      ['dr', 'us-east-1'],
    ]);
  });

  test('refuses an environment key that differs from the stack name', () => {
    const { values, secretKeys } = prodValues();
    expect(
      issuesOf(() =>
        parseEnvironmentConfig(values, { stack: 'staging', isSecret: (k) => secretKeys.includes(k) }),
      ),
    ).toEqual(['risk-platform:environment: received "prod", expected the stack name "staging"']);
  });

  test('refuses aws:region other than the primary region', () => {
    const { values, secretKeys } = prodValues();
    const issues = issuesOf(() =>
      parseEnvironmentConfig(
        { ...values, 'aws:region': 'eu-west-1' },
        { stack: 'prod', isSecret: (k) => secretKeys.includes(k) },
      ),
    );
    expect(issues).toEqual([
      'aws:region: received "eu-west-1", expected the primary region "us-west-2" (the default provider\'s region)',
    ]);
  });

  test('refuses a Datadog key stored in plaintext', () => {
    const { values } = prodValues();
    const issues = issuesOf(() => parseEnvironmentConfig(values, { stack: 'prod', isSecret: () => false }));
    expect(issues).toEqual([
      'datadog:apiKey: received a plaintext value, expected a secret (pulumi config set --secret datadog:apiKey <value>)',
      'datadog:appKey: received a plaintext value, expected a secret (pulumi config set --secret datadog:appKey <value>)',
    ]);
  });

  test('reports every problem at once', () => {
    const issues = issuesOf(() =>
      parseWith('risk-platform:targets', (v) => {
        v.peakScoringRps = 0;
        v.headroom = 0.5;
      }),
    );
    expect(issues.map((i) => i.split(':')[1])).toEqual(['targets.peakScoringRps', 'targets.headroom']);
  });
});

describe('committed stack files', () => {
  test.each(['dev', 'staging', 'prod'])('%s parses and keeps no plaintext secret', (env) => {
    const { values, secretKeys } = readStackFile(stackFilePath(env));
    expect(() =>
      parseEnvironmentConfig(values, { stack: env, isSecret: (k) => secretKeys.includes(k) }),
    ).not.toThrow();
    for (const [key, value] of Object.entries(values)) {
      if (/apikey|appkey|password|token|secret/i.test(key)) expect(secretKeys).toContain(key);
      expect(value).not.toMatch(/^[a-f0-9]{32}$/);
    }
  });

  test('staging and prod run primary us-west-2 and DR us-east-1', () => {
    for (const env of ['staging', 'prod']) {
      const { values } = readStackFile(stackFilePath(env));
      const regions = JSON.parse(values['risk-platform:regions']) as Record<string, { region: string }>;
      expect([regions.primary.region, regions.dr.region]).toEqual(['us-west-2', 'us-east-1']);
    }
  });
});

describe('stack file errors', () => {
  const fs = jest.requireActual<typeof import('fs')>('fs');
  const path = jest.requireActual<typeof import('path')>('path');
  const dir = () => tempDir('stack-file-');

  test('refuses a stack file that is not YAML, naming the file', () => {
    const file = path.join(dir(), 'Pulumi.dev.yaml');
    fs.writeFileSync(file, 'config: [\n  a: b\n');
    expect(() => readStackFile(file)).toThrow(ConfigError);
    expect(() => readStackFile(file)).toThrow(/Pulumi\.dev\.yaml: received invalid YAML \(/);
  });

  test('refuses a config that is not a mapping', () => {
    const file = path.join(dir(), 'Pulumi.dev.yaml');
    fs.writeFileSync(file, 'config:\n  - a\n');
    expect(() => readStackFile(file)).toThrow(
      'Pulumi.dev.yaml: received config: ["a"], expected a `config:` mapping of namespace:key to value',
    );
  });

  test('refuses a missing environments directory', () => {
    expect(() => listEnvironments('/nonexistent/environments')).toThrow(
      'environments directory: received "/nonexistent/environments", expected an existing directory of Pulumi.<env>.yaml files',
    );
  });
});
