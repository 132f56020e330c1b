/**
 * The canary handler against local servers on 127.0.0.1: healthy, slow, failing, TLS error, timeout.
 * Only the CloudWatch client is mocked (aws-sdk-client-mock); the HTTP calls are real.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { optionsFromEnv, runCanary } from '../../../stacks/observability/canary-handler/handler';

const cw = mockClient(CloudWatchClient);
const servers: (http.Server | https.Server)[] = [];
const timers: NodeJS.Timeout[] = [];

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
async function serve(handler: Handler, tls = false): Promise<string> {
  const fixtures = path.join(__dirname, 'fixtures');
  const server = tls
    ? https.createServer(
        {
          key: fs.readFileSync(path.join(fixtures, 'canary-test-tls.key')),
          cert: fs.readFileSync(path.join(fixtures, 'canary-test-tls.crt')),
        },
        handler,
      )
    : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `${tls ? 'https' : 'http'}://127.0.0.1:${port}/healthz/score`;
}
const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));

beforeEach(() => {
  // The handler logs each probe (CloudWatch Logs in Lambda); keep the test output clean.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  cw.reset();
  cw.on(PutMetricDataCommand).resolves({});
});
afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t);
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});
afterAll(() => {
  cw.restore();
  jest.restoreAllMocks();
});

// Generous bounds: the CPU is shared, and a healthy local call must not be judged slow.
const OPTS = { namespace: 'prod-risk-canary', timeoutMs: 800, latencyBudgetMs: 250 };
const NOW = new Date('2026-01-01T00:00:00Z');

/** Runs one round against one region and returns what was published. */
async function round(url: string) {
  const results = await runCanary(
    new CloudWatchClient({ region: 'us-east-2' }),
    { ...OPTS, targets: [{ region: 'us-west-2', url }] },
    () => NOW,
  );
  const calls = cw.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0].args[0].input.Namespace).toBe('prod-risk-canary');
  const data = calls[0].args[0].input.MetricData as MetricDatum[];
  const value = (name: string) => data.find((d) => d.MetricName === name)?.Value;
  const reason = data
    .find((d) => d.MetricName === 'ScoreProbeError')
    ?.Dimensions?.find((x) => x.Name === 'Reason')?.Value;
  return {
    result: results[0],
    data,
    healthy: value('ScoreProbeHealthy'),
    latency: value('ScoreProbeLatency') as number,
    reason,
  };
}

describe('canary handler', () => {
  test('healthy: a fast 200 publishes Healthy 1 and its latency, no error', async () => {
    const r = await round(await serve((_req, res) => res.end('{"decision":"approve"}')));
    expect(r.healthy).toBe(1);
    expect(r.latency).toBeGreaterThanOrEqual(0);
    expect(r.latency).toBeLessThan(250);
    expect(r.reason).toBeUndefined();
    expect(r.data.map((d) => [d.MetricName, d.Unit, d.Dimensions])).toEqual([
      ['ScoreProbeHealthy', 'None', [{ Name: 'TargetRegion', Value: 'us-west-2' }]],
      ['ScoreProbeLatency', 'Milliseconds', [{ Name: 'TargetRegion', Value: 'us-west-2' }]],
    ]);
    expect(r.data[0].Timestamp).toEqual(NOW);
  });

  test('slow: a 200 after the latency budget is unhealthy, reason slow, with the measured latency', async () => {
    const r = await round(await serve((_req, res) => later(400, () => res.end('ok'))));
    expect(r.healthy).toBe(0);
    expect(r.reason).toBe('slow');
    expect(r.latency).toBeGreaterThanOrEqual(390);
    expect(r.latency).toBeLessThan(800);
  });

  test('failing: a 503 is unhealthy, reason http-status', async () => {
    const r = await round(
      await serve((_req, res) => {
        res.statusCode = 503;
        res.end('down');
      }),
    );
    expect(r.healthy).toBe(0);
    expect(r.reason).toBe('http-status');
    expect(r.result.status).toBe(503);
  });

  test('TLS error: a certificate nobody trusts is unhealthy, reason tls', async () => {
    const r = await round(await serve((_req, res) => res.end('ok'), true));
    expect(r.healthy).toBe(0);
    expect(r.reason).toBe('tls');
    expect(r.result.detail).toMatch(/self[- ]signed/i);
  });

  test('timeout: no response within the timeout is unhealthy, reason timeout, latency = the timeout', async () => {
    const r = await round(await serve(() => undefined));
    expect(r).toMatchObject({ healthy: 0, reason: 'timeout', latency: 800 });
  });

  test('connection refused is unhealthy, reason connection', async () => {
    const url = await serve(() => undefined);
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const r = await round(url);
    expect(r).toMatchObject({ healthy: 0, reason: 'connection' });
  });

  test('both regions are probed in one round and published in one call', async () => {
    const ok = await serve((_req, res) => res.end('ok'));
    const bad = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    await runCanary(new CloudWatchClient({ region: 'us-east-2' }), {
      ...OPTS,
      targets: [
        { region: 'us-west-2', url: ok },
        { region: 'us-east-1', url: bad },
      ],
    });
    const data = cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData as MetricDatum[];
    const healthy = data
      .filter((d) => d.MetricName === 'ScoreProbeHealthy')
      .map((d) => [d.Dimensions?.[0].Value, d.Value]);
    expect(healthy).toEqual([
      ['us-west-2', 1],
      ['us-east-1', 0],
    ]);
  });
});

describe('optionsFromEnv', () => {
  const env = {
    CANARY_TARGETS: '[{"region":"us-west-2","url":"https://score-us-west-2.risk.example.com/healthz/score"}]',
    CANARY_NAMESPACE: 'prod-risk-canary',
    CANARY_TIMEOUT_MS: '5000',
    CANARY_LATENCY_BUDGET_MS: '1000',
  };
  test('reads the targets and bounds the component sets', () => {
    expect(optionsFromEnv(env)).toEqual({
      targets: [{ region: 'us-west-2', url: 'https://score-us-west-2.risk.example.com/healthz/score' }],
      namespace: 'prod-risk-canary',
      timeoutMs: 5000,
      latencyBudgetMs: 1000,
    });
  });
  test('names a missing variable', () => {
    expect(() => optionsFromEnv({ ...env, CANARY_NAMESPACE: undefined })).toThrow(
      "environment variable CANARY_NAMESPACE is missing; expected it set by the canary's Pulumi component",
    );
  });
  test('refuses a timeout that is not a positive integer', () => {
    expect(() => optionsFromEnv({ ...env, CANARY_TIMEOUT_MS: 'soon' })).toThrow(
      'environment variable CANARY_TIMEOUT_MS (soon) must be an integer > 0',
    );
  });
});
