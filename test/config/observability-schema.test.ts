import { ConfigError, parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';

const KEY = 'risk-platform:observability';

/** Parses prod's committed config with the observability object edited. */
function parseWith(edit: (v: Record<string, unknown>) => void) {
  const { values, secretKeys } = readStackFile(stackFilePath('prod'));
  const obj = JSON.parse(values[KEY]) as Record<string, unknown>;
  edit(obj);
  return parseEnvironmentConfig(
    { ...values, [KEY]: JSON.stringify(obj) },
    { stack: 'prod', isSecret: (k) => secretKeys.includes(k) },
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

describe('observability config (issue 13)', () => {
  test('prod parses with its canary region, SLO targets, runbook roles and model defaults', () => {
    const c = parseWith(() => undefined);
    expect(c.observability.canaryRegion).toBe('us-east-2');
    expect(c.observability.slo).toEqual({ availabilityTarget: 99.95, latencyTarget: 99.9, timeframe: '30d' });
    expect(c.observability.model).toEqual({
      scoreDriftThreshold: 0.1,
      featureMaxAgeSeconds: 900,
      rolloutMinutes: 30,
    });
    expect(c.observability.runbookRoleArns).toEqual([
      'arn:aws:iam::123456789012:role/risk-platform-oncall',
      'arn:aws:iam::123456789012:role/risk-platform-deployer',
    ]);
  });

  test.each([
    ['the primary region', 'us-west-2'],
    ['the DR region', 'us-east-1'],
  ])('refuses %s as the canary region', (_what, region) => {
    expect(issuesOf(() => parseWith((v) => (v.canaryRegion = region)))).toEqual([
      `risk-platform:observability.canaryRegion: received "${region}", expected a third region, neither the primary nor the DR region (us-west-2, us-east-1): the canary must not fail with the region it watches`,
    ]);
  });

  test('refuses a missing canary region', () => {
    expect(issuesOf(() => parseWith((v) => delete v.canaryRegion))[0]).toMatch(
      /^risk-platform:observability\.canaryRegion: received nothing \(the key is missing\), expected /,
    );
  });

  test('refuses an SLO target below the bound the 14.4x alert needs', () => {
    expect(
      issuesOf(() => parseWith((v) => ((v.slo as Record<string, unknown>).availabilityTarget = 90))),
    ).toEqual([
      'risk-platform:observability.slo.availabilityTarget: received 90, expected a percentage between 95 and 99.999 (SLO target)',
    ]);
  });

  test('refuses an SLO timeframe Datadog does not offer', () => {
    expect(issuesOf(() => parseWith((v) => ((v.slo as Record<string, unknown>).timeframe = '14d')))).toEqual([
      'risk-platform:observability.slo.timeframe: received "14d", expected one of 7d, 30d, 90d',
    ]);
  });

  test('refuses a runbook role that is not a role ARN', () => {
    expect(issuesOf(() => parseWith((v) => (v.runbookRoleArns = ['oncall'])))).toEqual([
      'risk-platform:observability.runbookRoleArns.0: received "oncall", expected a list of at least one IAM role ARN the DR runbook runs as (e.g. arn:aws:iam::123456789012:role/risk-platform-oncall)',
    ]);
  });
});
