import { ConfigError, parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';

/** `observability.canaryNetwork` (issue 13): the canary VPC, peered with both regional VPCs. */

const KEY = 'risk-platform:observability';

function parseWith(env: string, edit: (net: Record<string, unknown>) => void) {
  const { values, secretKeys } = readStackFile(stackFilePath(env));
  const obj = JSON.parse(values[KEY]) as { canaryNetwork: Record<string, unknown> };
  edit(obj.canaryNetwork);
  return parseEnvironmentConfig(
    { ...values, [KEY]: JSON.stringify(obj) },
    { stack: env, isSecret: (k) => secretKeys.includes(k) },
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

test.each([
  ['dev', '10.22.0.0/24'],
  ['staging', '10.32.0.0/24'],
  ['prod', '10.42.0.0/24'],
])('%s: the canary VPC is %s over use2-az1 and use2-az2', (env, cidr) => {
  expect(parseWith(env, () => undefined).observability.canaryNetwork).toEqual({
    vpcCidr: cidr,
    availabilityZoneIds: ['use2-az1', 'use2-az2'],
  });
});

test.each([
  ['the primary VPC', '10.40.0.0/24', 'us-west-2 10.40.0.0/16'],
  ['the DR VPC', '10.41.128.0/24', 'us-east-1 10.41.0.0/16'],
])('refuses a canary VPC inside %s', (_what, cidr, clash) => {
  expect(issuesOf(() => parseWith('prod', (n) => (n.vpcCidr = cidr)))).toEqual([
    `risk-platform:observability.canaryNetwork.vpcCidr: received "${cidr}", expected a CIDR that overlaps neither regional VPC (${clash}): the canary VPC is peered with both`,
  ]);
});

test('refuses a canary VPC larger than a /24', () => {
  expect(issuesOf(() => parseWith('prod', (n) => (n.vpcCidr = '10.42.0.0/16')))).toEqual([
    'risk-platform:observability.canaryNetwork.vpcCidr: received "10.42.0.0/16", expected an IPv4 CIDR block between /24 and /27 (the canary VPC holds a few ENIs only)',
  ]);
});

test.each([[['use2-az1']], [['use2-az1', 'use2-az1']], [['us-east-2a', 'us-east-2b']]])(
  'refuses the zones %j',
  (zones) => {
    expect(issuesOf(() => parseWith('prod', (n) => (n.availabilityZoneIds = zones)))[0]).toMatch(
      /^risk-platform:observability\.canaryNetwork\.availabilityZoneIds(\.\d)?: received .*, expected a list of 2 or 3 distinct availability zone IDs of the canary region/,
    );
  },
);

test('refuses a missing canary network', () => {
  const { values, secretKeys } = readStackFile(stackFilePath('prod'));
  const obj = JSON.parse(values[KEY]) as Record<string, unknown>;
  delete obj.canaryNetwork;
  expect(
    issuesOf(() =>
      parseEnvironmentConfig(
        { ...values, [KEY]: JSON.stringify(obj) },
        { stack: 'prod', isSecret: (k) => secretKeys.includes(k) },
      ),
    )[0],
  ).toMatch(
    /^risk-platform:observability\.canaryNetwork: received nothing \(the key is missing\), expected /,
  );
});
