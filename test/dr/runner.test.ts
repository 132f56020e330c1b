import { keys } from '../../tools/dr/control/keys';
import { AuditCheck, checkDrillAudit } from '../../tools/dr/local/audit-check';
import { LOCAL_HEARTBEAT_INTERVAL_MS, LocalEnvironment } from '../../tools/dr/local/harness';
import { Operation, reverse } from '../../tools/dr/operation';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { DrillResult, runDrill } from '../../tools/dr/drill';
import { planSteps } from '../../tools/dr/steps';
import { failover, journalIn, runnerDeps, sideEffects, startLocal } from './helpers';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());

class Crash extends Error {
  override name = 'SimulatedCrash';
}

describe('a crash at each step, then a resume', () => {
  const results = new Map<
    number,
    {
      crashed: OperationResult;
      resumed: OperationResult;
      auditSteps: number[];
      effects: object;
      routing: object;
    }
  >();
  beforeAll(async () => {
    for (const [i] of planSteps('failover').entries()) {
      const n = i + 1;
      await env.reset();
      const op = failover(env);
      const crashed = await runOperation(
        runnerDeps(env, {
          afterEffect: (ref) => {
            if (ref.n === n) throw new Crash(`crash after step ${n}`);
          },
        }),
        { op, dryRun: false },
      );
      const resumed = await runOperation(runnerDeps(env), { op, dryRun: false });
      const audit = await journalIn(env, op.to).audit();
      results.set(n, {
        crashed,
        resumed,
        auditSteps: audit
          .filter((a) => a.runId === resumed.runId && a.stepId !== 'preflight-recheck')
          .map((a) => a.n ?? 0),
        effects: sideEffects(env),
        routing: env.arc.state.controls,
      });
    }
  });
  const numbers = planSteps('failover').map((s, i) => [i + 1, s.id] as const);

  test.each(numbers)('crash at step %i (%s) fails the first run', (n) => {
    expect(results.get(n)?.crashed.status).toBe('failed');
  });
  test.each(numbers)('after a crash at step %i (%s) the re-run resumes the same run and completes', (n) => {
    const r = results.get(n);
    expect(r?.resumed).toMatchObject({ status: 'completed', resumed: true, runId: r?.crashed.runId });
  });
  test.each(numbers)('after a crash at step %i (%s) the audit holds every step exactly once', (n) => {
    expect(results.get(n)?.auditSteps.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  test.each(numbers)('after a crash at step %i (%s) each side effect happened once', (n) => {
    expect(results.get(n)?.effects).toEqual({ patches: 3, arcUpdates: 1, notifications: 1 });
  });
  test.each(numbers)('after a crash at step %i (%s) traffic ends in DR', (n) => {
    const outputs = env.outputs;
    expect(results.get(n)?.routing).toEqual({
      [outputs.regions['us-west-2'].routingControlArn]: 'Off',
      [outputs.regions['us-east-1'].routingControlArn]: 'On',
    });
  });
});

/** Side effects since `before` (the failover that sets up a failback is not the failback's). */
function delta(
  env: LocalEnvironment,
  before: ReturnType<typeof sideEffects>,
): ReturnType<typeof sideEffects> {
  const now = sideEffects(env);
  return {
    patches: now.patches - before.patches,
    arcUpdates: now.arcUpdates - before.arcUpdates,
    notifications: now.notifications - before.notifications,
  };
}

/** Routing and autoscaler minimums: where traffic goes and which region is at full capacity. */
function converged(env: LocalEnvironment): object {
  return {
    routing: env.arc.state.controls,
    mins: Object.fromEntries(
      Object.entries(env.kube).map(([r, k]) => [r, Object.values(k.state.autoscalers).map((a) => a.min)]),
    ),
  };
}

describe('a crash at each step of a failback, then a resume', () => {
  const back = (): Operation => reverse(failover(env));
  const steps = planSteps('failback');
  let baseline: { effects: object; state: object };
  const results = new Map<
    number,
    {
      crashed: OperationResult;
      resumed: OperationResult;
      auditSteps: number[];
      effects: object;
      state: object;
    }
  >();
  beforeAll(async () => {
    // The uncrashed failback: what every crashed-and-resumed one must end in.
    await env.reset();
    const initial = converged(env);
    await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    const before = sideEffects(env);
    await runOperation(runnerDeps(env), { op: back(), dryRun: false });
    baseline = { effects: delta(env, before), state: converged(env) };
    expect(baseline.state).toEqual(initial);

    for (const [i] of steps.entries()) {
      const n = i + 1;
      await env.reset();
      await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
      const start = sideEffects(env);
      const crashed = await runOperation(
        runnerDeps(env, {
          afterEffect: (ref) => {
            if (ref.n === n) throw new Crash(`crash after failback step ${n}`);
          },
        }),
        { op: back(), dryRun: false },
      );
      const resumed = await runOperation(runnerDeps(env), { op: back(), dryRun: false });
      const audit = await journalIn(env, back().to).audit();
      results.set(n, {
        crashed,
        resumed,
        auditSteps: audit
          .filter((a) => a.runId === resumed.runId && a.stepId !== 'preflight-recheck')
          .map((a) => a.n ?? 0),
        effects: delta(env, start),
        state: converged(env),
      });
    }
  });
  const numbers = steps.map((s, i) => [i + 1, s.id] as const);

  test('failback has 9 steps, standby restore among them', () => {
    expect(steps.map((s) => s.id)).toContain('standby');
    expect(numbers).toHaveLength(9);
  });
  test("the uncrashed failback flips once, notifies once and patches DR's 3 autoscalers back to standby", () => {
    // The primary kept its full minimums through the failover: its scale-up patches nothing.
    expect(baseline.effects).toEqual({ patches: 3, arcUpdates: 1, notifications: 1 });
  });
  test.each(numbers)('crash at failback step %i (%s) fails the first run', (n) => {
    expect(results.get(n)?.crashed.status).toBe('failed');
  });
  test.each(numbers)('after a crash at failback step %i (%s) the re-run resumes and completes', (n) => {
    const r = results.get(n);
    expect(r?.resumed).toMatchObject({ status: 'completed', resumed: true, runId: r?.crashed.runId });
  });
  test.each(numbers)('after a crash at failback step %i (%s) the audit holds every step once', (n) => {
    expect(results.get(n)?.auditSteps.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  test.each(numbers)('after a crash at failback step %i (%s) each side effect happened once', (n) => {
    expect(results.get(n)?.effects).toEqual(baseline.effects);
  });
  test.each(numbers)(
    'after a crash at failback step %i (%s) traffic is back in primary, DR at standby minimums',
    (n) => {
      expect(results.get(n)?.state).toEqual(baseline.state);
    },
  );
});

describe('a crash at each step of a drill, then a resume', () => {
  // Positions 1-8 crash the failover half, 9-17 the failback half.
  const positions = [
    ...planSteps('failover').map((s, i) => ['failover', i + 1, s.id] as const),
    ...planSteps('failback').map((s, i) => ['failback', i + 1, s.id] as const),
  ].map(([operation, n, id], i) => [i + 1, operation, n, id] as const);
  let baseline: { effects: object; state: object };
  const results = new Map<
    number,
    { crashed: DrillResult; resumed: DrillResult; audit: AuditCheck; effects: object; state: object }
  >();
  beforeAll(async () => {
    await env.reset();
    const initial = converged(env);
    const clean = await runDrill(runnerDeps(env), { dryRun: false });
    expect(clean.status).toBe('completed');
    baseline = { effects: sideEffects(env), state: converged(env) };
    expect(baseline.state).toEqual(initial);

    for (const [p, operation, n] of positions) {
      await env.reset();
      const crashed = await runDrill(
        runnerDeps(env, {
          afterEffect: (ref) => {
            if (ref.operation === operation && ref.n === n)
              throw new Crash(`crash after ${operation} step ${n}`);
          },
        }),
        { dryRun: false },
      );
      const resumed = await runDrill(runnerDeps(env), { dryRun: false });
      results.set(p, {
        crashed,
        resumed,
        audit: await checkDrillAudit(env, resumed),
        effects: sideEffects(env),
        state: converged(env),
      });
    }
  });

  test('a drill has 17 steps', () => expect(positions).toHaveLength(17));
  test('the uncrashed drill flips twice, notifies once per half, patches DR up and back down', () => {
    expect(baseline.effects).toEqual({ patches: 6, arcUpdates: 2, notifications: 2 });
  });
  test.each(positions)('crash at drill step %i (%s %i, %s) fails the drill', (p, operation) => {
    const r = results.get(p);
    expect(r?.crashed.status).toBe('failed');
    expect(r?.crashed[operation]?.status).toBe('failed');
  });
  test.each(positions)(
    'after a crash at drill step %i (%s %i, %s) the re-run completes the same drill',
    (p) => {
      const r = results.get(p);
      expect(r?.resumed).toMatchObject({ status: 'completed', drillId: r?.crashed.drillId });
      expect(r?.resumed.failover.runId).toBe(`${r?.crashed.drillId}.failover`);
      expect(r?.resumed.failback?.runId).toBe(`${r?.crashed.drillId}.failback`);
    },
  );
  test.each(positions)(
    'after a crash at drill step %i (%s %i, %s) the audit holds all 17 steps once',
    (p) => {
      expect(results.get(p)?.audit).toEqual({ ok: true, records: 17, problems: [] });
    },
  );
  test.each(positions)('after a crash at drill step %i (%s %i, %s) each side effect happened once', (p) => {
    expect(results.get(p)?.effects).toEqual(baseline.effects);
  });
  test.each(positions)('after a crash at drill step %i (%s %i, %s) traffic is back where it started', (p) => {
    expect(results.get(p)?.state).toEqual(baseline.state);
  });
});

describe('the lock', () => {
  test('a second invocation is refused while the first holds the lock', async () => {
    await env.reset();
    const op = failover(env);
    let release: () => void = () => undefined;
    const paused = new Promise<void>((r) => (release = r));
    let second: OperationResult | undefined;
    const first = runOperation(
      runnerDeps(env, {
        afterEffect: async (ref) => {
          if (ref.id === 'fence') {
            second = await runOperation(runnerDeps(env), { op, dryRun: false });
            release();
          }
        },
      }),
      { op, dryRun: false },
    );
    await paused;
    expect(second?.status).toBe('refused');
    expect(second?.error).toMatch(/being driven by another invocation/);
    expect((await first).status).toBe('completed');
  });

  test('another run is refused while the lock is unexpired', async () => {
    await env.reset();
    const op = failover(env);
    const control = journalIn(env, op.to).table;
    await control.put({
      ...keys.lock(),
      runId: 'other-run',
      operation: 'failback',
      owner: 'someone@else',
      invocation: 'x',
      acquiredAt: 'then',
      expiresAt: Date.now() + 60_000,
    });
    const result = await runOperation(runnerDeps(env), { op, dryRun: false });
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(/held by run other-run \(failback by someone@else\)/);
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('a resumed run waits for the lapsed lease of its crashed invocation', async () => {
    await env.reset();
    const op = failover(env);
    const crashed = await runOperation(
      runnerDeps(env, {
        lease: { leaseMs: 300, waitMs: 0 },
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Crash('crash');
        },
      }),
      { op, dryRun: false },
    );
    // A hard crash does not hand the lease back: put it back to look held.
    await journalIn(env, op.to).table.update(keys.lock(), {
      UpdateExpression: 'SET expiresAt = :e REMOVE handedBack',
      ExpressionAttributeValues: { ':e': Date.now() + 300 },
    });
    const deps = runnerDeps(env, { lease: { leaseMs: 300, waitMs: 2000 } });
    const resumed = await runOperation(deps, { op, dryRun: false });
    expect(resumed).toMatchObject({ status: 'completed', runId: crashed.runId });
    expect(deps.lines).toContainEqual(
      expect.stringMatching(
        /^ {4}the lease of invocation inv-\w+ \(test@jest\) of this run: watching it for 0\.3 s; a crashed invocation does not renew it$/,
      ),
    );
    expect(deps.lines).toContainEqual(
      expect.stringMatching(/^ {4}not renewed for 0\.\d s: taken over from invocation inv-/),
    );
  });
});

describe('preflight', () => {
  test('stale replication is refused with the reason', async () => {
    // GIVEN a replication lag of 60 s (the heartbeat in the target and the source's CloudWatch agree)
    await env.reset({ replicationLatencyMs: 60_000 });
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(
      /^PreflightRefused: preflight refused: replication us-west-2 -> us-east-1 within RPO 15 s \(heartbeat#us-west-2 read in us-east-1\): stale replication: heartbeat#us-west-2 is 60\d{3} ms old \(written [^)]+\): replication lag ≈ 59\d{3} ms \(age - 250 ms write interval\) exceeds 15000 ms, while us-west-2 still writes it \(\d+ ms old in us-west-2's own replica\); /,
    );
    expect(result.error).toContain(
      "source region us-west-2: stale replication reported by us-west-2's CloudWatch: staging-features 60000 ms, staging-decisions 60000 ms, staging-control 60000 ms exceeds 15000 ms",
    );
    expect(env.arc.updateCalls()).toBe(0);
  });

  test('a refused run is recorded in the audit and leaves no open run', async () => {
    await env.reset({ replicationLatencyMs: 60_000 });
    const op = failover(env);
    const result = await runOperation(runnerDeps(env), { op, dryRun: false });
    const journal = journalIn(env, op.to);
    expect((await journal.audit()).map((a) => [a.runId, a.stepId])).toEqual([[result.runId, 'preflight']]);
    expect(await journal.openRun()).toBeUndefined();
  });

  test('--force --reason overrides stale replication and the reason is in the audit', async () => {
    await env.reset({ replicationLatencyMs: 60_000 });
    const op = failover(env);
    const result = await runOperation(runnerDeps(env), {
      op,
      dryRun: false,
      forceReason: 'us-west-2 is down, INC-4711',
    });
    const preflight = (await journalIn(env, op.to).audit()).find((a) => a.stepId === 'preflight');
    expect(result.status).toBe('completed');
    expect(preflight?.forceReason).toBe('us-west-2 is down, INC-4711');
    expect(preflight?.data?.overriddenChecks).toEqual([
      expect.stringMatching(/^replication us-west-2 -> us-east-1 .*: stale replication: heartbeat#us-west-2/),
      expect.stringMatching(/^source region us-west-2: stale replication reported by/),
    ]);
  });

  test('the observed RPO is the heartbeat age at cut-over less one write interval (the replication lag)', async () => {
    // GIVEN a replication lag of 1234 ms; the stand-in writes every LOCAL_HEARTBEAT_INTERVAL_MS (the outputs say so)
    await env.reset({ replicationLatencyMs: 1234 });
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    // THEN age - interval: the lag, less at most one interval (and the time preflight takes to read)
    expect(result.replicationLatencyMs).toBeGreaterThanOrEqual(1234 - LOCAL_HEARTBEAT_INTERVAL_MS);
    expect(result.replicationLatencyMs).toBeLessThan(1234 + 500);
  });
});

describe('dry run', () => {
  test('writes nothing to the control tables and makes no ARC call', async () => {
    await env.reset();
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: true });
    expect(result.status).toBe('planned');
    expect(await env.controlItems('us-east-1')).toEqual([]);
    expect(await env.controlItems('us-west-2')).toEqual([]);
    expect(env.arc.calls).toHaveLength(0);
    expect(sideEffects(env)).toEqual({ patches: 0, arcUpdates: 0, notifications: 0 });
  });

  test('lists every step as planned', async () => {
    await env.reset();
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: true });
    expect(result.steps.map((s) => `${s.n}:${s.id}:${s.status}`)).toEqual(
      planSteps('failover').map((s, i) => `${i + 1}:${s.id}:planned`),
    );
  });
});

describe('ARC', () => {
  test('falls back to the next cluster endpoint when the first fails, and sticks to it', async () => {
    await env.reset();
    const [first, second] = env.outputs.traffic.clusterEndpoints;
    env.arc.failingEndpoints.add(first.endpoint);
    const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    const updates = env.arc.calls.filter((c) => c.command === 'UpdateRoutingControlStates');
    expect(result.status).toBe('completed');
    // The flip's read of the states already found the first endpoint failing: the update goes to the second.
    expect(updates.map((c) => c.endpoint)).toEqual([second.endpoint]);
    // The failing endpoint is paid for once in the whole run, not once per ARC call (issue 16 finding 9).
    expect(env.arc.calls.filter((c) => c.endpoint === first.endpoint)).toHaveLength(1);
    expect(env.arc.calls.length).toBeGreaterThan(3);
  });

  test('fails the step when every endpoint fails, leaving the journal to resume', async () => {
    await env.reset();
    for (const e of env.outputs.traffic.clusterEndpoints) env.arc.failingEndpoints.add(e.endpoint);
    const op = failover(env);
    const result = await runOperation(runnerDeps(env), { op, dryRun: false });
    expect(result.status).toBe('failed');
    expect(result.steps.find((s) => s.status === 'failed')?.id).toBe('flip');
    expect((await journalIn(env, op.to).openRun())?.runId).toBe(result.runId);
  });

  test('the stand-in enforces the safety rule: turning primary off first is rejected', async () => {
    await env.reset();
    const { UpdateRoutingControlStateCommand } = await import('@aws-sdk/client-route53-recovery-cluster');
    const ep = env.outputs.traffic.clusterEndpoints[0];
    const client = env.clients().arc(ep.endpoint, ep.region);
    await expect(
      client.send(
        new UpdateRoutingControlStateCommand({
          RoutingControlArn: env.outputs.regions['us-west-2'].routingControlArn,
          RoutingControlState: 'Off',
        }),
      ),
    ).rejects.toThrow(/violate the safety rule/);
  });
});

describe('failback', () => {
  test('restores the standby minimums in the region that becomes standby', async () => {
    await env.reset();
    const op = failover(env);
    await runOperation(runnerDeps(env), { op, dryRun: false });
    const back = await runOperation(runnerDeps(env), {
      op: { kind: 'failback', from: op.to, to: op.from },
      dryRun: false,
    });
    expect(back.status).toBe('completed');
    expect(Object.values(env.kube['us-east-1'].state.autoscalers).map((a) => a.min)).toEqual(
      env.outputs.regions['us-east-1'].workloads.deployments.map((d) => d.autoscaler.standbyMinReplicas),
    );
  });

  test('is refused while a failover run is unfinished in its target region', async () => {
    await env.reset();
    const op = failover(env);
    await runOperation(
      runnerDeps(env, {
        afterEffect: (r) => {
          if (r.id === 'flip') throw new Crash('x');
        },
      }),
      { op, dryRun: false },
    );
    // A failback to us-east-1 (from the wrong side) shares the journal with the unfinished failover.
    const result = await runOperation(runnerDeps(env), {
      op: { kind: 'failback', from: op.from, to: op.to },
      dryRun: false,
    });
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(/an unfinished failover run .* finish it first/);
  });
});

describe('drill', () => {
  test('records the failover source and target in runbook#open-drill (the guard names the target from it)', async () => {
    await env.reset();
    // GIVEN a drill that crashes in its failover's flip
    const deps = runnerDeps(env, {
      afterEffect: (ref) => {
        if (ref.operation === 'failover' && ref.id === 'flip') throw new Error('simulated crash');
      },
    });
    await runDrill(deps, { dryRun: false }).catch(() => undefined);
    // THEN the open drill says where it goes
    const open = await journalIn(env, 'us-east-1').table.get<Record<string, unknown>>(keys.openDrill());
    expect(open).toMatchObject({
      from: 'us-west-2',
      to: 'us-east-1',
      drillId: expect.stringMatching(/^drill-/),
    });
  });
});
