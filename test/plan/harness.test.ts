import * as pulumi from '@pulumi/pulumi';
import { ConfigError } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { program } from '../../stacks/program';
import {
  assignRegions,
  EnvironmentPlan,
  planEnvironment,
  plainInputs,
  SECRET_MARKER,
} from '../../tools/plan/harness';
import { PlanMocks } from '../../tools/plan/mocks';
import { planOf } from '../helpers/plan';
import { serializeResources } from '../../tools/plan/run';

let dev: EnvironmentPlan;
let staging: EnvironmentPlan;

beforeAll(async () => {
  dev = await planOf('dev');
  staging = await planOf('staging');
});

describe('planEnvironment', () => {
  test('gives every resource every field of the resources.json contract', () => {
    for (const r of dev.resources) {
      expect(Object.keys(r)).toEqual(['urn', 'type', 'name', 'region', 'parent', 'props']);
      expect(r.urn).toMatch(/^urn:pulumi:dev-(global|us-west-2|us-east-1)::risk-platform::/);
      expect(typeof r.type).toBe('string');
      expect(typeof r.name).toBe('string');
      expect(r.region === null || typeof r.region === 'string').toBe(true);
      expect(r.parent === null || typeof r.parent === 'string').toBe(true);
      expect(typeof r.props).toBe('object');
    }
  });

  test('is deterministic: two runs serialize byte for byte the same', async () => {
    const again = await planEnvironment('dev');
    expect(serializeResources(again.resources)).toBe(serializeResources(dev.resources));
  });

  test('registers the stack as the only root, every other parent being a registered resource', () => {
    const urns = new Set(dev.resources.map((r) => r.urn));
    const roots = dev.resources.filter((r) => r.parent === null);
    // One stack per unit: each stack's root, and nothing else at the root.
    expect(roots.map((r) => r.urn)).toEqual([
      'urn:pulumi:dev-global::risk-platform::pulumi:pulumi:Stack::risk-platform-dev-global',
      'urn:pulumi:dev-us-east-1::risk-platform::pulumi:pulumi:Stack::risk-platform-dev-us-east-1',
      'urn:pulumi:dev-us-west-2::risk-platform::pulumi:pulumi:Stack::risk-platform-dev-us-west-2',
    ]);
    for (const r of dev.resources) if (r.parent) expect(urns.has(r.parent)).toBe(true);
  });

  test('records Pulumi type tokens and inputs under Pulumi input names', () => {
    const vpc = staging.resources.find((r) => r.type === 'aws:ec2/vpc:Vpc' && r.region === 'us-east-1');
    expect(vpc?.props).toMatchObject({
      cidrBlock: '10.31.0.0/16',
      enableDnsHostnames: true,
      region: 'us-east-1',
    });
  });

  test('places staging resources in both regions, from the same component per region', () => {
    const regionals = staging.resources.filter((r) => r.type === 'risk-platform:platform:Region');
    expect(regionals.map((r) => [r.name, r.region])).toEqual([
      ['us-east-1', 'us-east-1'],
      ['us-west-2', 'us-west-2'],
    ]);
    const perRegion = (region: string) =>
      staging.resources
        .filter((r) => r.region === region && r.type.startsWith('aws:ec2/'))
        .map((r) => r.type)
        .sort();
    expect(perRegion('us-east-1')).toEqual(perRegion('us-west-2'));
  });

  test('gives the network three AZs, endpoints for every data-plane service, and NAT per AZ in staging', () => {
    const inRegion = staging.resources.filter((r) => r.region === 'us-west-2');
    const subnets = inRegion.filter((r) => r.type === 'aws:ec2/subnet:Subnet');
    // Placed by AZ ID, never by an account's zone name (issue 15 finding 2).
    expect(new Set(subnets.map((s) => s.props.availabilityZoneId))).toEqual(
      new Set(['usw2-az1', 'usw2-az2', 'usw2-az3']),
    );
    expect(subnets.filter((s) => 'availabilityZone' in s.props)).toEqual([]);
    const endpoints = inRegion.filter((r) => r.type === 'aws:ec2/vpcEndpoint:VpcEndpoint');
    expect(
      endpoints
        .map((e) => [String(e.props.serviceName).split('.').slice(3).join('.'), e.props.vpcEndpointType])
        .sort(),
    ).toEqual([
      ['dynamodb', 'Gateway'],
      ['ecr.api', 'Interface'],
      ['ecr.dkr', 'Interface'],
      ['kinesis-streams', 'Interface'],
      ['kms', 'Interface'],
      ['monitoring', 'Interface'],
      ['s3', 'Gateway'],
      ['sns', 'Interface'],
      ['sqs', 'Interface'],
      ['sts', 'Interface'],
    ]);
    expect(inRegion.filter((r) => r.type === 'aws:ec2/natGateway:NatGateway')).toHaveLength(3);
  });

  test('runs dev with a single NAT gateway per region through the same code path', () => {
    expect(
      dev.resources.filter((r) => r.type === 'aws:ec2/natGateway:NatGateway' && r.region === 'us-east-1'),
    ).toHaveLength(1);
  });

  test('refuses an invalid config with a ConfigError naming the key', async () => {
    await expect(planEnvironment('prod', { 'risk-platform:environment': '"qa"' })).rejects.toThrow(
      /risk-platform:environment: received "qa", expected one of dev, staging, prod/,
    );
  });
});

describe('program', () => {
  test('registers no resource when the config is invalid', async () => {
    const mocks = new PlanMocks('us-west-2');
    const created = jest.spyOn(mocks, 'newResource');
    await pulumi.runtime.setMocks(mocks, 'risk-platform', 'prod', false);
    const { values, secretKeys } = readStackFile(stackFilePath('prod'));
    pulumi.runtime.setAllConfig({ ...values, 'risk-platform:targets': '{"peakScoringRps":-5}' }, secretKeys);
    expect(() => program()).toThrow(ConfigError);
    expect(created).not.toHaveBeenCalled();
  });
});

describe('plainInputs', () => {
  test('masks secrets and turns resource references into URNs', () => {
    const sig = '4dabf18193072939515e22adb298388d';
    expect(
      plainInputs({
        b: { [sig]: '1b47061264138c4ac30d75fd1eb44270', value: 'api-key' },
        a: { [sig]: '5cf8f73096256a8f31e491e813e4eb8e', urn: 'urn:pulumi:x::y::t::n' },
      }),
    ).toEqual({ a: 'urn:pulumi:x::y::t::n', b: SECRET_MARKER });
  });
});

describe('assignRegions', () => {
  const reg = (
    urn: string,
    type: string,
    props: Record<string, unknown> = {},
    parent: string | null = null,
    provider: string | null = null,
  ) => ({
    urn,
    type,
    name: urn,
    parent,
    provider,
    props,
  });

  test('takes the per-resource region, null for IAM, and the default provider region otherwise', () => {
    const regions = assignRegions(
      [
        reg('a', 'aws:sqs/queue:Queue', { region: 'us-east-1' }),
        reg('b', 'aws:iam/role:Role'),
        reg('c', 'aws:sqs/queue:Queue'),
      ],
      'us-west-2',
    );
    expect([regions.get('a'), regions.get('b'), regions.get('c')]).toEqual(['us-east-1', null, 'us-west-2']);
  });

  test('gives a Kubernetes resource the region of its provider, found through the provider parent', () => {
    const regions = assignRegions(
      [
        reg('comp', 'risk-platform:x:Y'),
        reg('vpc', 'aws:ec2/vpc:Vpc', { region: 'us-east-1' }, 'comp'),
        reg('prov', 'pulumi:providers:kubernetes', {}, 'comp'),
        reg('dep', 'kubernetes:apps/v1:Deployment', {}, null, 'prov::id'),
      ],
      'us-west-2',
    );
    expect([regions.get('comp'), regions.get('prov'), regions.get('dep')]).toEqual([
      'us-east-1',
      'us-east-1',
      'us-east-1',
    ]);
  });
});
