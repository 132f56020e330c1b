import { NOT_CONFIGURED } from '../../tools/dr/canary';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { readStatus } from '../../tools/dr/status';
import { renderCanaryStatus } from '../../tools/dr/status-canary';
import { ExitCode } from '../../tools/lib/exit-codes';
import { runDr } from './cli-run';
import { startLocal } from './helpers';

describe('renderCanaryStatus', () => {
  test('not configured is one line', () => {
    expect(renderCanaryStatus({ configured: false, detail: NOT_CONFIGURED })).toBe(
      `canary: ${NOT_CONFIGURED}`,
    );
  });

  test('one row per region: state, last success, its age, latency, failures', () => {
    const text = renderCanaryStatus({
      configured: true,
      region: 'us-east-2',
      namespace: 'prod-risk-canary',
      failingAfter: 3,
      readAt: '2026-12-08T03:00:00.000Z',
      regions: {
        'us-west-2': {
          state: 'failing',
          region: 'us-west-2',
          samples: 15,
          lastAt: '2026-12-08T02:59:30.000Z',
          lastAgeMs: 30_000,
          lastSuccessAt: '2026-12-08T02:51:30.000Z',
          lastSuccessAgeMs: 510_000,
          lastLatencyMs: 5000,
          failureRate: 8 / 15,
          failures: 8,
          consecutiveFailures: 8,
          lastFailureReason: 'timeout',
        },
        'us-east-1': { state: 'unreachable', region: 'us-east-1', error: 'DeadlineExceeded: late' },
      },
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('canary (from us-east-2, prod-risk-canary; failing = last 3 probes failed):');
    expect(lines.find((l) => l.startsWith('us-west-2'))?.split(/ {2,}/)).toEqual([
      'us-west-2',
      'FAILING (timeout)',
      '2026-12-08T02:51:30.000Z',
      '8 min 30 s',
      '5000 ms',
      '8/15',
    ]);
    expect(lines.find((l) => l.startsWith('us-east-1'))?.split(/ {2,}/)).toEqual([
      'us-east-1',
      'unreachable (DeadlineExceeded: late)',
      '-',
      '-',
      '-',
      '-',
    ]);
  });
});

describe('dr status reads the canary (local environment)', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startLocal();
  });
  afterAll(() => env.stop());
  beforeEach(() => env.reset());
  const NOW = new Date('2026-12-08T03:00:00.000Z');

  test('per region: state, last success, its age and latency', async () => {
    env.cloudwatch.canaryFailing.add('us-west-2');
    const status = await readStatus(env.outputs, env.clients(), NOW);
    expect(status.canary).toMatchObject({
      configured: true,
      region: 'us-east-2',
      regions: {
        'us-east-1': {
          state: 'healthy',
          lastSuccessAt: '2026-12-08T02:59:30.000Z',
          lastSuccessAgeMs: 30_000,
          lastLatencyMs: 180,
        },
        'us-west-2': {
          state: 'failing',
          lastSuccessAt: null,
          lastLatencyMs: 5000,
          consecutiveFailures: 5,
          lastFailureReason: 'timeout',
        },
      },
    });
  });

  test('--json carries it; the text shows it; an unreachable canary does not change the exit code', async () => {
    env.cloudwatch.failingRegions.add('us-east-2');
    const json = await runDr(env, ['status', '--env', 'staging', '--json']);
    const text = await runDr(env, ['status', '--env', 'staging']);
    expect(json.code).toBe(ExitCode.Ok);
    expect(text.code).toBe(ExitCode.Ok);
    const parsed = JSON.parse(json.stdout) as {
      canary: { regions: Record<string, { state: string; error: string }> };
    };
    expect(parsed.canary.regions['us-east-1']).toEqual({
      state: 'unreachable',
      region: 'us-east-1',
      error: 'InternalServiceError: CloudWatch in us-east-2 is unavailable (stand-in)',
    });
    expect(text.stdout).toContain(
      'canary (from us-east-2, staging-risk-canary; failing = last 3 probes failed):',
    );
    expect(text.stdout).toMatch(
      /\nus-west-2 +unreachable \(InternalServiceError: CloudWatch in us-east-2 is unavailable \(stand-in\)\) +- +- +- +-\n/,
    );
  });

  test('outputs without a canary section: "canary: not configured"', async () => {
    const { canary: _c, ...old } = env.outputs;
    const status = await readStatus(old, env.clients(), NOW);
    expect(status.canary).toEqual({ configured: false, detail: NOT_CONFIGURED });
  });
});
