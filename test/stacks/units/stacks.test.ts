import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError, parseEnvironmentConfig } from '../../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../../stacks/config/stack-file';
import {
  mergeStackConfig,
  readUnitStackConfig,
  resolveProgramConfig,
  splitStackName,
} from '../../../stacks/config/units';
import { buildUnit } from '../../../stacks/program';
import { freshOrder, rolloutOrder } from '../../../stacks/units/order';
import { EnvironmentPlan } from '../../../tools/plan/harness';
import { PlanMocks } from '../../../tools/plan/mocks';
import { checkReferencedOutputs } from '../../../tools/plan/reference-check';
import { planOf } from '../../helpers/plan';
import { tempDir } from '../../helpers/tmp';

const ENVS = ['dev', 'staging', 'prod'] as const;
const plans: Record<string, EnvironmentPlan> = {};
beforeAll(async () => {
  for (const env of ENVS) plans[env] = await planOf(env);
});

const stackOf = (urn: string) => /^urn:pulumi:([^:]+)::/.exec(urn)![1];

describe.each(ENVS)('%s: one stack per region', (env) => {
  test('is three stacks, in the order a fresh environment deploys: global, primary, DR', () => {
    expect(plans[env].stacks.map((s) => s.stack)).toEqual([
      `${env}-global`,
      `${env}-us-west-2`,
      `${env}-us-east-1`,
    ]);
  });

  test("no stack holds AWS resources in both of the environment's regions", () => {
    const canaryRegion = plans[env].config.observability.canaryRegion;
    for (const s of plans[env].stacks) {
      const regional = s.resources.filter((r) => r.type.startsWith('aws:') && r.region !== null);
      const regions = new Set(regional.map((r) => r.region));
      // The global stack's only regional resources are the canary's, its VPC's and the audit trail's, in
      // the third region (observability.canaryRegion), never in a serving one.
      if (s.unit === 'global') expect([...regions]).toEqual([canaryRegion]);
      else {
        // A regional stack: its own region, plus the canary-region half of its peering with the canary
        // VPC (issue 13) and nothing else there.
        expect([...regions].sort()).toEqual([s.unit, canaryRegion].sort());
        expect(
          regional
            .filter((r) => r.region === canaryRegion)
            .map((r) => r.type)
            .sort(),
        ).toEqual([
          'aws:ec2/route:Route',
          'aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter',
        ]);
      }
    }
  });

  test("every resource's URN names its own stack, and the environment is every stack's resources once", () => {
    const all = plans[env].stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.stack, urn: r.urn })));
    for (const { stack, urn } of all) expect(stackOf(urn)).toBe(stack);
    expect(plans[env].resources.map((r) => r.urn)).toEqual(all.map((x) => x.urn).sort());
    expect(new Set(plans[env].resources.map((r) => r.urn)).size).toBe(plans[env].resources.length);
  });
});

describe('what each stack holds (prod)', () => {
  const types = (stack: string) =>
    new Set(plans.prod.stacks.find((s) => s.stack === stack)!.resources.map((r) => r.type));

  test('the global stack: workload roles, ARC, Route 53 failover records and health checks, Datadog', () => {
    const t = types('prod-global');
    for (const expected of [
      'aws:iam/role:Role',
      'aws:route53recoverycontrol/cluster:Cluster',
      'aws:route53recoverycontrol/controlPanel:ControlPanel',
      'aws:route53recoverycontrol/routingControl:RoutingControl',
      'aws:route53recoverycontrol/safetyRule:SafetyRule',
      'aws:route53/healthCheck:HealthCheck',
      'aws:route53/record:Record',
      'datadog:index/monitor:Monitor',
    ])
      expect(t).toContain(expected);
    expect(
      [...t].some(
        (x) => x.startsWith('aws:eks/') || x.startsWith('aws:dynamodb/') || x.startsWith('kubernetes:'),
      ),
    ).toBe(false);
  });

  test('the primary holds the multi-region key and the tables; DR the replica key and the TableReplicas', () => {
    const primary = types('prod-us-west-2');
    const dr = types('prod-us-east-1');
    expect(primary).toContain('aws:kms/key:Key');
    expect(primary).toContain('aws:dynamodb/table:Table');
    expect(primary).not.toContain('aws:dynamodb/tableReplica:TableReplica');
    expect(dr).toContain('aws:kms/replicaKey:ReplicaKey');
    expect(dr).toContain('aws:dynamodb/tableReplica:TableReplica');
    expect(dr).not.toContain('aws:kms/key:Key');
    for (const t of [primary, dr]) {
      for (const x of [
        'aws:eks/cluster:Cluster',
        'aws:kinesis/stream:Stream',
        'aws:sqs/queue:Queue',
        'aws:ssm/parameter:Parameter',
      ])
        expect(t).toContain(x);
    }
  });
});

describe('cross-stack references resolve in the offline plan', () => {
  test("the DR replica key's primaryKeyArn is the primary stack's keyArn output", () => {
    const primary = plans.prod.stacks.find((s) => s.stack === 'prod-us-west-2')!;
    const dr = plans.prod.stacks.find((s) => s.stack === 'prod-us-east-1')!;
    const replica = dr.resources.find((r) => r.type === 'aws:kms/replicaKey:ReplicaKey')!;
    expect(replica.props.primaryKeyArn).toBe(primary.outputs.keyArn);
    expect(primary.outputs.keyArn).toMatch(/^arn:aws:kms:us-west-2:/);
  });

  test("the DR TableReplica's globalTableArn is derived: the home table's ARN, no reference needed", () => {
    const tables = plans.prod.resources.filter(
      (r) => r.type === 'aws:dynamodb/table:Table' && r.props.name === 'prod-decisions',
    );
    const replica = plans.prod.resources.find(
      (r) =>
        r.type === 'aws:dynamodb/tableReplica:TableReplica' &&
        String(r.props.globalTableArn).endsWith('/prod-decisions'),
    )!;
    expect(tables).toHaveLength(1);
    expect(replica.props.globalTableArn).toBe('arn:aws:dynamodb:us-west-2:123456789012:table/prod-decisions');
  });

  test("each region's runbook copy carries the global stack's ARC outputs", () => {
    const global = plans.prod.stacks[0].outputs.traffic as { controlPanelArn: string };
    for (const s of plans.prod.stacks.slice(1)) {
      expect((s.outputs.runbook as { traffic: { controlPanelArn: string } }).traffic.controlPanelArn).toBe(
        global.controlPanelArn,
      );
    }
  });

  test("the real plan: every required output is exported by the referenced stack's plan", () => {
    const plan = plans.prod;
    const outputs = plan.outputs.stacks as Record<string, Record<string, unknown>>;
    for (const s of plan.stacks)
      expect(() => checkReferencedOutputs(plan.config, s.unit, outputs)).not.toThrow();
    expect(outputs['prod-us-west-2'].keyArn).toMatch(/^arn:aws:kms:us-west-2:/);
  });

  test('a reference to a stack not planned yet fails naming the stack and the order', () => {
    const mocks = new PlanMocks('us-east-1', { 'prod-global': {} });
    expect(() =>
      mocks.newResource({
        type: 'pulumi:pulumi:StackReference',
        name: 'prod-us-west-2-ref',
        inputs: { name: 'organization/risk-platform/prod-us-west-2' },
        custom: true,
      } as pulumi.runtime.MockResourceArgs),
    ).toThrow(
      "StackReference 'organization/risk-platform/prod-us-west-2': the offline plan has no stack 'prod-us-west-2' (planned so far: prod-global); stacks are planned global, then primary, then DR",
    );
  });
});

describe('deploy order', () => {
  const config = (activeRegion: string) =>
    ({
      environment: 'prod',
      regions: { primary: { region: 'us-west-2' }, dr: { region: 'us-east-1' } },
      activeRegion,
    }) as unknown as Parameters<typeof rolloutOrder>[0];

  test('fresh: global, then the primary (key, table homes), then DR (replica key, table replicas)', () => {
    expect(freshOrder(config('us-west-2'))).toEqual(['global', 'us-west-2', 'us-east-1']);
  });

  test('update: global, the standby, its gate, then the serving region and its gate', () => {
    expect(rolloutOrder(config('us-west-2')).map((s) => `${s.kind}:${s.stack}`)).toEqual([
      'deploy:prod-global',
      'deploy:prod-us-east-1',
      'gate:prod-us-east-1',
      'deploy:prod-us-west-2',
      'gate:prod-us-west-2',
    ]);
  });

  test('after a failover (dr.activeRegion is the DR region) the active region deploys last', () => {
    const steps = rolloutOrder(config('us-east-1'));
    expect(steps.filter((s) => s.kind === 'deploy').map((s) => s.stack)).toEqual([
      'prod-global',
      'prod-us-west-2',
      'prod-us-east-1',
    ]);
    expect(steps[3]).toEqual({ kind: 'deploy', unit: 'us-east-1', stack: 'prod-us-east-1', serving: true });
  });
});

describe('stack config: the shared file and the stack file', () => {
  const shared = (values: Record<string, string>) => ({ values, secretKeys: [], file: 'Pulumi.prod.yaml' });
  const own = (values: Record<string, string>) => ({
    values,
    secretKeys: [],
    file: 'Pulumi.prod-us-east-1.yaml',
  });

  test('merges the environment settings with the stack unit', () => {
    expect(
      mergeStackConfig(
        'prod-us-east-1',
        shared({ 'risk-platform:environment': 'prod' }),
        own({ 'risk-platform:unit': 'us-east-1' }),
      ).values,
    ).toEqual({ 'risk-platform:environment': 'prod', 'risk-platform:unit': 'us-east-1' });
  });

  test('refuses a key set in both files, naming the key and both files', () => {
    expect(() =>
      mergeStackConfig(
        'prod-us-east-1',
        shared({ 'risk-platform:targets': '{}' }),
        own({ 'risk-platform:targets': '{}' }),
      ),
    ).toThrow(
      "risk-platform:targets: received a value in both Pulumi.prod.yaml and Pulumi.prod-us-east-1.yaml, expected one place: environment settings in Pulumi.prod.yaml, the stack's unit and secrets in Pulumi.prod-us-east-1.yaml",
    );
  });

  test('refuses the unit in the shared file', () => {
    expect(() =>
      mergeStackConfig('prod-us-east-1', shared({ 'risk-platform:unit': 'global' }), own({})),
    ).toThrow('risk-platform:unit: received a value in the shared Pulumi.prod.yaml');
  });

  test('refuses a unit that does not match the stack name', () => {
    const { values, secretKeys } = readUnitStackConfig('prod', 'us-east-1');
    expect(() =>
      parseEnvironmentConfig(
        { ...values, 'risk-platform:unit': '"us-west-2"', 'aws:region': 'us-west-2' },
        {
          stack: 'prod-us-east-1',
          isSecret: (k) => secretKeys.includes(k),
        },
      ),
    ).toThrow(
      'risk-platform:unit: received "us-west-2" in stack "prod-us-east-1", expected the stack name to be "prod-us-west-2" (<environment>-<unit>)',
    );
  });

  test('refuses a regional stack whose default provider is in another region', () => {
    const { values, secretKeys } = readUnitStackConfig('prod', 'us-east-1');
    expect(() =>
      parseEnvironmentConfig(
        { ...values, 'aws:region': 'us-west-2' },
        { stack: 'prod-us-east-1', isSecret: (k) => secretKeys.includes(k) },
      ),
    ).toThrow(
      `aws:region: received "us-west-2", expected the stack's region "us-east-1" (the default provider's region)`,
    );
  });

  test('the program refuses the shared settings alone (no unit): nothing deploys both regions at once', () => {
    const { values, secretKeys } = readStackFile(stackFilePath('prod'));
    const config = parseEnvironmentConfig(
      { ...values, 'aws:region': 'us-west-2' },
      { stack: 'prod', isSecret: (k) => secretKeys.includes(k) },
    );
    expect(() => buildUnit(config)).toThrow(ConfigError);
    expect(() => buildUnit(config)).toThrow(
      'deploy the stacks prod-global, prod-us-west-2 and prod-us-east-1',
    );
  });

  test('under pulumi up the stack file alone is completed from the shared file', () => {
    const dir = tempDir('units-');
    fs.copyFileSync(stackFilePath('staging'), path.join(dir, 'Pulumi.staging.yaml'));
    const { values } = resolveProgramConfig(
      'staging-us-east-1',
      { 'risk-platform:unit': 'us-east-1', 'aws:region': 'us-east-1' },
      () => false,
      dir,
    );
    expect(values['risk-platform:environment']).toBe('staging');
    expect(values['risk-platform:unit']).toBe('us-east-1');
  });

  test('a stack name that is not <env>-<unit> is refused by name', () => {
    expect(splitStackName('prod-us-east-1')).toEqual({ environment: 'prod', unit: 'us-east-1' });
    expect(splitStackName('prod-global')).toEqual({ environment: 'prod', unit: 'global' });
    expect(splitStackName('prod')).toBeUndefined();
    expect(() => resolveProgramConfig('prod', {}, () => false)).toThrow(
      'stack name: received "prod", expected <env>-global or <env>-<region> (for example prod-global, prod-us-west-2)',
    );
  });
});
