import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { awsClients, Clients } from '../../tools/dr/clients';
import { writeHeartbeat } from '../../tools/dr/control/heartbeat';
import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { reverse } from '../../tools/dr/operation';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { verify } from '../../tools/dr/steps/verify';
import { failover, journalIn, runnerDeps, startLocal, stepContext } from './helpers';

/** Static stability: the runbook acts on the target region's evidence when the source region is down. */

let env: LocalEnvironment;
let closedPort: string;
beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  env = await startLocal();
  // A port nothing listens on: connections are refused, like an unreachable regional endpoint.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closedPort = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((r) => server.close(() => r()));
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

/** The local environment, with `down`'s DynamoDB and CloudWatch pointed at a closed port (bounded clients). */
function withRegionDown(down: string): Clients {
  const healthy = env.clients();
  const dead = awsClients({ endpoint: () => closedPort });
  return {
    ...healthy,
    dynamodb: (r) => (r === down ? dead.dynamodb(r) : healthy.dynamodb(r)),
    cloudwatch: (r) => (r === down ? dead.cloudwatch(r) : healthy.cloudwatch(r)),
  };
}

describe('preflight: the source region is unreachable', () => {
  let result: OperationResult;
  let ms: number;
  let lines: string[];
  let lockAudit: string | undefined;
  beforeAll(async () => {
    await env.reset();
    const deps = runnerDeps(env, { clients: withRegionDown('us-west-2') });
    const t0 = performance.now();
    result = await runOperation(deps, { op: failover(env), dryRun: false });
    ms = performance.now() - t0;
    lines = deps.lines;
    const audit = await journalIn(env, 'us-east-1').audit();
    lockAudit = audit.find((a) => a.runId === result.runId && a.stepId === 'lock')?.detail;
  });

  test('the failover completes on the target region’s evidence', () => {
    expect(result.status).toBe('completed');
  });
  test('within a few seconds (bounded AWS calls)', () => {
    expect(ms).toBeLessThan(10_000);
  });
  test('the unreachable source is reported as its own preflight result', () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}WARN source region us-west-2: source region unreachable: /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {4}ok {3}replication us-west-2 -> us-east-1 .*heartbeat#us-west-2 is \d+ ms old/,
      ),
    );
  });
  test('the lock is held in the target only, and the journal and audit say so', () => {
    expect(lockAudit).toMatch(
      /^held in us-east-1 by test@jest until .*; lock held in one region only \(other unreachable\): us-west-2: /,
    );
    expect(result.steps.find((s) => s.id === 'lock')?.detail).toContain(
      'lock held in one region only (other unreachable)',
    );
  });
});

describe('preflight: replication freshness from the heartbeat read in the target', () => {
  test('a heartbeat older than the RPO refuses the failover', async () => {
    // GIVEN the scoring-api in us-west-2 stopped writing 60 s ago; CloudWatch reports nothing wrong
    await env.pauseHeartbeats();
    await writeHeartbeat(journalIn(env, 'us-east-1').table, {
      region: 'us-west-2',
      writtenAt: Date.now() - 60_000,
    });
    // WHEN
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    // THEN
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(
      /stale replication: heartbeat#us-west-2 is 60\d{3} ms old .*exceeds 15000 ms/,
    );
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('no heartbeat in the target refuses: freshness unknown', async () => {
    await env.pauseHeartbeats();
    await journalIn(env, 'us-east-1').table.delete(keys.heartbeat('us-west-2'));
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(result.status).toBe('refused');
    expect(result.error).toContain("no heartbeat#us-west-2 item in us-east-1's control table");
  });

  test('--force --reason overrides a stale heartbeat with the source down, and the reason is audited', async () => {
    // GIVEN us-west-2 silent for 60 s and no inbound record in us-east-1 (its writer never saw it)
    await env.pauseHeartbeats();
    await journalIn(env, 'us-east-1').table.delete(keys.heartbeat('us-east-1'));
    await writeHeartbeat(journalIn(env, 'us-east-1').table, {
      region: 'us-west-2',
      writtenAt: Date.now() - 60_000,
    });
    const result = await runOperation(runnerDeps(env, { clients: withRegionDown('us-west-2') }), {
      op: failover(env),
      dryRun: false,
      forceReason: 'us-west-2 down since 03:02, INC-4711',
    });
    const preflight = (await journalIn(env, 'us-east-1').audit()).find(
      (a) => a.runId === result.runId && a.stepId === 'preflight',
    );
    expect(result.status).toBe('completed');
    expect(preflight?.forceReason).toBe('us-west-2 down since 03:02, INC-4711');
    expect(preflight?.data?.overriddenChecks).toEqual([
      expect.stringMatching(
        /^replication us-west-2 -> us-east-1 .*stale replication: heartbeat#us-west-2 .*source silent .*no inbound replication record/,
      ),
    ]);
    expect(preflight?.data?.warnings).toEqual([
      expect.stringMatching(/^source region us-west-2: source region unreachable: /),
    ]);
  });
});

describe('preflight: heartbeat semantics (healthy lag, and a silent source)', () => {
  const RPO_MS = 15_000;
  const east = () => journalIn(env, 'us-east-1').table;
  const iso = (ms: number) => new Date(ms).toISOString();

  /** us-west-2's heartbeat in us-east-1 written `ageMs` ago, and us-east-1's own item (inbound record or none). */
  async function given(ageMs: number, inbound?: { lagMs: number }) {
    await env.pauseHeartbeats();
    const writtenAt = Date.now() - ageMs;
    await east().delete(keys.heartbeat('us-east-1'));
    await writeHeartbeat(east(), { region: 'us-west-2', writtenAt, writer: 'hb-west' });
    await writeHeartbeat(east(), {
      region: 'us-east-1',
      writtenAt: Date.now(),
      writer: 'hb-east',
      ...(inbound ? { inboundLagMs: inbound.lagMs, inboundWrittenAt: writtenAt } : {}),
    });
    return writtenAt;
  }

  test('healthy: a heartbeat older than the RPO passes when its age less one interval is within it', async () => {
    // GIVEN writers every 5 s and us-west-2's heartbeat 18 s old in us-east-1 (18 s > RPO 15 s, 13 s <= it)
    await given(18_000);
    const outputs = { ...env.outputs, heartbeatIntervalSeconds: 5 };
    // WHEN
    const deps = runnerDeps(env, { outputs });
    const result = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN
    expect(result.status).toBe('completed');
    expect(result.replicationLatencyMs).toBeGreaterThanOrEqual(13_000);
    expect(result.replicationLatencyMs).toBeLessThanOrEqual(RPO_MS);
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^ {4}ok {3}replication us-west-2 -> us-east-1 .*heartbeat#us-west-2 is 18\d{3} ms old .*replication lag ≈ 13\d{3} ms \(age - 5000 ms write interval\) ≤ RPO 15000 ms$/,
      ),
    );
  });

  test('source down and silent: passes on the last inbound lag observed in the target (within the RPO)', async () => {
    // GIVEN us-west-2 silent for 60 s; us-east-1's writer last saw it 420 ms behind
    const silentSince = await given(60_000, { lagMs: 420 });
    // WHEN
    const deps = runnerDeps(env, { clients: withRegionDown('us-west-2') });
    const result = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN without --force, and the observed RPO is that lag
    expect(result.status).toBe('completed');
    expect(result.replicationLatencyMs).toBe(420);
    expect(deps.lines).toContainEqual(
      expect.stringContaining(
        `WARN replication us-west-2 -> us-east-1 within RPO 15 s (heartbeat#us-west-2 read in us-east-1): source silent since ${iso(silentSince)}; last observed replication lag 420 ms ≤ RPO 15000 ms`,
      ),
    );
  });

  test('source reachable but its writer silent too: the same inbound evidence decides', async () => {
    const silentSince = await given(60_000, { lagMs: 900 });
    await writeHeartbeat(journalIn(env, 'us-west-2').table, { region: 'us-west-2', writtenAt: silentSince });
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(result.status).toBe('completed');
    expect(result.replicationLatencyMs).toBe(900);
  });

  test('source silent with a last inbound lag above the RPO: refused', async () => {
    const silentSince = await given(60_000, { lagMs: 20_000 });
    const result = await runOperation(runnerDeps(env, { clients: withRegionDown('us-west-2') }), {
      op: failover(env),
      dryRun: false,
    });
    expect(result.status).toBe('refused');
    expect(result.error).toContain(
      `stale replication: source silent since ${iso(silentSince)}; last observed replication lag 20000 ms exceeds RPO 15000 ms`,
    );
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('source silent and no inbound record in the target: refused', async () => {
    await given(60_000);
    const result = await runOperation(runnerDeps(env, { clients: withRegionDown('us-west-2') }), {
      op: failover(env),
      dryRun: false,
    });
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(
      /source silent \(us-west-2 unreachable: .*\) and no inbound replication record on heartbeat#us-east-1 in us-east-1's control table/,
    );
  });
});

describe('the lock is taken in both regions’ replicas', () => {
  test('a failback started while a failover runs is refused (two runs in opposite directions)', async () => {
    const op = failover(env);
    let second: OperationResult | undefined;
    const first = runOperation(
      runnerDeps(env, {
        afterEffect: async (ref) => {
          if (ref.id === 'fence')
            second = await runOperation(runnerDeps(env), { op: reverse(op), dryRun: false });
        },
      }),
      { op, dryRun: false },
    );
    const done = await first;
    expect(second?.status).toBe('refused');
    expect(second?.error).toMatch(/LockRefused: the runbook lock is held by run failover-/);
    expect(done.status).toBe('completed');
    expect(env.arc.updateCalls()).toBe(1);
  });

  test('held in the other region’s replica by another run: refused, and the target’s copy is given back', async () => {
    // GIVEN a failback holding the lock in us-west-2's replica only (its target)
    await journalIn(env, 'us-west-2').table.put({
      ...keys.lock(),
      runId: 'failback-other',
      operation: 'failback',
      owner: 'someone@else',
      invocation: 'x',
      acquiredAt: 'then',
      expiresAt: Date.now() + 60_000,
    });
    // WHEN a failover to us-east-1 starts
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    // THEN
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(
      /the runbook lock in us-west-2's replica is held by run failback-other \(failback by someone@else\)/,
    );
    expect(await journalIn(env, 'us-east-1').table.get(keys.lock())).toBeUndefined();
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('a completed run releases the lock in both replicas', async () => {
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(result.status).toBe('completed');
    expect(result.steps.find((s) => s.id === 'lock')?.detail).toMatch(/^held in us-east-1 and us-west-2 /);
    expect(await journalIn(env, 'us-east-1').table.get(keys.lock())).toBeUndefined();
    expect(await journalIn(env, 'us-west-2').table.get(keys.lock())).toBeUndefined();
  });
});

describe('verify', () => {
  const flipped = () => {
    const r = env.outputs.regions;
    env.arc.state.controls = {
      [r['us-east-1'].routingControlArn]: 'On',
      [r['us-west-2'].routingControlArn]: 'Off',
    };
  };

  test('CloudWatch us-east-1 failing: passes on the routing controls read back, with a warning', async () => {
    flipped();
    env.cloudwatch.failingRegions.add('us-east-1');
    const r = await verify.run(stepContext(env, failover(env)));
    expect(r.detail).toMatch(
      /^routing controls read back us-east-1=On us-west-2=Off; WARNING: Route 53 health checks not verified: CloudWatch us-east-1 unavailable \(InternalServiceError: /,
    );
    expect(r.data).toMatchObject({ healthChecks: 'unverified' });
  });

  test('routing controls read back wrong: fails, whatever CloudWatch says', async () => {
    // GIVEN the flip did not happen (primary still On)
    await expect(verify.run(stepContext(env, failover(env)))).rejects.toThrow(
      'routing controls read back us-east-1=Off us-west-2=On',
    );
  });

  test('with CloudWatch healthy the health checks are verified', async () => {
    flipped();
    const r = await verify.run(stepContext(env, failover(env)));
    expect(r.detail).toContain('health us-east-1=healthy us-west-2=unhealthy');
  });
});
