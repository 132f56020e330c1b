import { ConfigError, parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';

/** Parses an environment's committed config with one key's JSON object edited. */
function parseWith(key: string, edit: (value: Record<string, unknown>) => void, stack = 'prod') {
  const { values, secretKeys } = readStackFile(stackFilePath(stack));
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

describe('cluster.privateApiAccessCidrs (issue 15 finding 4)', () => {
  it('refuses a private-only endpoint that admits no runner CIDR', () => {
    expect(issuesOf(() => parseWith('risk-platform:cluster', (c) => (c.privateApiAccessCidrs = [])))).toEqual(
      [
        'risk-platform:cluster.privateApiAccessCidrs: received [], expected at least one CIDR of the deploy runners: the API endpoint is private only (cluster.publicAccessCidrs is []), and the cluster security group admits nothing from outside the cluster',
      ],
    );
  });

  it('refuses 0.0.0.0/0 and malformed CIDRs, naming the entry', () => {
    const issues = issuesOf(() =>
      parseWith('risk-platform:cluster', (c) => (c.privateApiAccessCidrs = ['0.0.0.0/0', '10.250.0.1/22'])),
    );
    expect(issues).toEqual([
      'risk-platform:cluster.privateApiAccessCidrs.0: received "0.0.0.0/0", expected the CIDR of the runners (not 0.0.0.0/0: the private endpoint is for named networks)',
      'risk-platform:cluster.privateApiAccessCidrs.1: received "10.250.0.1/22", expected an IPv4 CIDR block such as 10.40.0.0/16 with no host bits set',
    ]);
  });

  it('defaults to none where the public endpoint is open to named CIDRs (staging)', () => {
    const config = parseWith('risk-platform:cluster', () => undefined, 'staging');
    expect(config.cluster.privateApiAccessCidrs).toEqual([]);
  });

  it("reads prod's runner CIDR", () => {
    const config = parseWith('risk-platform:cluster', () => undefined);
    expect(config.cluster.privateApiAccessCidrs).toEqual(['10.250.0.0/22']);
  });
});

describe('cluster.viewerRoleArns (issue 15 finding 19)', () => {
  it('refuses an entry that is not a role ARN', () => {
    expect(
      issuesOf(() => parseWith('risk-platform:cluster', (c) => (c.viewerRoleArns = ['preview']))),
    ).toEqual([
      'risk-platform:cluster.viewerRoleArns.0: received "preview", expected an IAM role ARN such as arn:aws:iam::123456789012:role/risk-platform-preview',
    ]);
  });
  it('defaults to none', () => {
    const config = parseWith('risk-platform:cluster', (c) => delete c.viewerRoleArns);
    expect(config.cluster.viewerRoleArns).toEqual([]);
  });
});
