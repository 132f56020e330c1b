import { diffPlans } from '../../tools/diff/diff';
import { PlanRecord } from '../../tools/diff/load';
import { KUBERNETES_RULE, REGION_RULE, REPLACE_INPUTS } from '../../tools/diff/replace-inputs';

/** `{ a: { b: value } }` for the path `a.b`. */
function at(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function resource(type: string, props: Record<string, unknown>): PlanRecord {
  return {
    urn: `urn:pulumi:prod::risk-platform::${type}::r`,
    type,
    name: 'r',
    region: 'us-west-2',
    parent: null,
    props: { tags: { owner: 'a' }, ...props },
  };
}

function opWhenChanged(type: string, path: string): string | undefined {
  return diffPlans([resource(type, at(path, 'old'))], [resource(type, at(path, 'new'))]).changes[0]?.op;
}

const cases = Object.entries(REPLACE_INPUTS).flatMap(([type, rule]) =>
  rule.paths.map((p) => [type, p] as const),
);

describe('the replace-forcing inputs table', () => {
  test.each(cases)('%s: a change of %s is a replace', (type, p) => {
    expect(opWhenChanged(type, p)).toBe('replace');
  });

  test.each(Object.keys(REPLACE_INPUTS))('%s: a tag change is an update', (type) => {
    const changed = diffPlans([resource(type, {})], [resource(type, { tags: { owner: 'b' } })]);
    expect(changed.changes.map((c) => [c.op, c.paths])).toEqual([['update', ['tags.owner']]]);
  });

  test('moving an AWS resource to another region is a replace', () => {
    expect(REGION_RULE.paths).toEqual(['region']);
    expect(opWhenChanged('aws:sqs/queue:Queue', 'region')).toBe('replace');
  });

  test.each(KUBERNETES_RULE.paths)('a Kubernetes object whose %s changes is replaced', (p) => {
    expect(opWhenChanged('kubernetes:apps/v1:Deployment', p)).toBe('replace');
  });

  test('a change below a replace-forcing input replaces too (node group subnets)', () => {
    const base = resource('aws:eks/nodeGroup:NodeGroup', { subnetIds: ['a', 'b'] });
    const head = resource('aws:eks/nodeGroup:NodeGroup', { subnetIds: ['a', 'c'] });
    expect(diffPlans([base], [head]).changes[0]).toMatchObject({ op: 'replace', paths: ['subnetIds[1]'] });
  });

  test('every entry cites its upstream source', () => {
    for (const rule of Object.values(REPLACE_INPUTS)) {
      expect(rule.source).toMatch(
        /^hashicorp\/terraform-provider-aws internal\/service\/[a-z0-9]+\/[a-z_]+\.go$/,
      );
    }
  });
});

describe('node group launch template and subnet placement (issue 15)', () => {
  const NODE_GROUP = 'aws:eks/nodeGroup:NodeGroup';
  const SUBNET = 'aws:ec2/subnet:Subnet';

  test('replaces a node group whose launch template id or name changes', () => {
    expect(opWhenChanged(NODE_GROUP, 'launchTemplate.id')).toBe('replace');
    expect(opWhenChanged(NODE_GROUP, 'launchTemplate.name')).toBe('replace');
  });

  test('updates a node group in place when only the launch template version changes', () => {
    expect(opWhenChanged(NODE_GROUP, 'launchTemplate.version')).toBe('update');
  });

  test('replaces a node group that gains a launch template', () => {
    const base = resource(NODE_GROUP, { nodeGroupName: 'g' });
    const head = resource(NODE_GROUP, { nodeGroupName: 'g', launchTemplate: { id: 'lt-1', version: '1' } });
    expect(diffPlans([base], [head]).changes[0]?.op).toBe('replace');
  });

  test('replaces a subnet that moves from availabilityZone to availabilityZoneId', () => {
    const base = resource(SUBNET, { cidrBlock: '10.40.0.0/18', availabilityZone: 'us-west-2a' });
    const head = resource(SUBNET, { cidrBlock: '10.40.0.0/18', availabilityZoneId: 'usw2-az1' });
    expect(diffPlans([base], [head]).changes[0]?.op).toBe('replace');
  });

  test('updates a subnet in place when only its tags change', () => {
    expect(opWhenChanged(SUBNET, 'tags.availability-zone-id')).toBe('update');
  });
});
