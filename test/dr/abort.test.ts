import { runAbort } from '../../tools/dr/abort';
import { readActiveRegion } from '../../tools/dr/control/fence';
import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { reverse } from '../../tools/dr/operation';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { planSteps } from '../../tools/dr/steps';
import { failover, fixtureOutputs, journalIn, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 1: scale-up before the fence, fence and flip back to back, and `dr abort`. */

class Crash extends Error {
  override name = 'SimulatedCrash';
}

let env: LocalEnvironment;
/** New pods never turn ready within a test: every scale-up times out. */
let slow: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
  slow = await LocalEnvironment.start({ outputs: fixtureOutputs(), readyDelayMs: 600_000 });
});
afterAll(async () => {
  await env.stop();
  await slow.stop();
});

const record = (e: LocalEnvironment, region: string) => readActiveRegion(journalIn(e, region).table);
const routing = (e: LocalEnvironment) => ({ ...e.arc.state.controls });

test('the order is preflight, lock, scale-up, then fence and flip back to back', () => {
  for (const kind of ['failover', 'failback'] as const) {
    expect(
      planSteps(kind)
        .map((s) => s.id)
        .slice(0, 5),
    ).toEqual(['preflight', 'lock', 'scale-up', 'fence', 'flip']);
  }
});

describe('a scale-up that times out', () => {
  let result: OperationResult;
  let initialRouting: object;
  beforeAll(async () => {
    await slow.reset();
    initialRouting = routing(slow);
    // GIVEN the DR workloads cannot reach full capacity within the readiness timeout
    const deps = runnerDeps(slow, {
      timings: { pollMs: 10, readinessTimeoutMs: 200, verifyTimeoutMs: 2000 },
    });
    // WHEN a failover runs
    result = await runOperation(deps, { op: failover(slow), dryRun: false });
  });

  test('fails at scale-up', () => {
    expect(result.status).toBe('failed');
    expect(result.steps.find((s) => s.status === 'failed')?.id).toBe('scale-up');
  });
  test('leaves the primary, which still takes all the traffic, unfenced', async () => {
    expect(await record(slow, 'us-east-1')).toBeUndefined();
    expect(await record(slow, 'us-west-2')).toBeUndefined();
    expect(routing(slow)).toEqual(initialRouting);
  });

  describe('then dr abort', () => {
    let aborted: Awaited<ReturnType<typeof runAbort>>;
    beforeAll(async () => {
      aborted = await runAbort(runnerDeps(slow), {});
    });
    test('closes the run and says what it did', () => {
      expect(aborted).toMatchObject({ status: 'aborted', runId: result.runId, operation: 'failover' });
      expect(aborted.actions).toEqual([
        'us-east-1: not fenced by this run',
        'us-west-2: not fenced by this run',
        `run ${result.runId} closed as aborted (audited)`,
        'us-east-1: restored ScaledObject/scoring-api minimum 15->4',
        'us-east-1: restored ScaledObject/stream-scorer minimum 5->2',
        'us-east-1: restored ScaledObject/feedback-worker minimum 2->1',
        'lock released in us-east-1; us-west-2: released',
      ]);
      // AND the standby minimums are back in the stand-in
      expect(
        Object.fromEntries(
          Object.entries(slow.kube['us-east-1'].state.autoscalers).map(([k, a]) => [k, a.min]),
        ),
      ).toEqual({
        'ScaledObject/scoring-api': 4,
        'ScaledObject/stream-scorer': 2,
        'ScaledObject/feedback-worker': 1,
      });
    });
    test('leaves no open run and no lock, and audits the abort once', async () => {
      const j = journalIn(slow, 'us-east-1');
      expect(await j.openRun()).toBeUndefined();
      expect(await j.table.get(keys.lock())).toBeUndefined();
      expect(await journalIn(slow, 'us-west-2').table.get(keys.lock())).toBeUndefined();
      expect((await j.getRun(result.runId ?? ''))?.status).toBe('aborted');
      const audit = (await j.audit()).filter((a) => a.stepId === 'abort');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ runId: result.runId, owner: 'test@jest' });
    });
    test('a second abort finds nothing to abort', async () => {
      const again = await runAbort(runnerDeps(slow), {});
      expect(again).toMatchObject({
        status: 'refused',
        error: 'no unfinished run in the journal of us-west-2 or us-east-1: nothing to abort',
      });
    });
  });
});

describe('dr abort after a crash between the fence and the flip', () => {
  test('puts back the active-region record the failback replaced', async () => {
    await env.reset();
    // GIVEN a completed failover, then a failback that crashed right after its fence
    expect((await runOperation(runnerDeps(env), { op: failover(env), dryRun: false })).status).toBe(
      'completed',
    );
    // (the harness does not replicate: copy the failover's record into us-west-2, as the global table would)
    const before = await record(env, 'us-east-1');
    await journalIn(env, 'us-west-2').table.put({ ...keys.activeRegion(), ...before });
    expect(before).toMatchObject({ activeRegion: 'us-east-1', writeFence: { region: 'us-west-2' } });
    const back = reverse(failover(env));
    const crashed = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Crash('crash after the fence');
        },
      }),
      { op: back, dryRun: false },
    );
    expect((await record(env, 'us-west-2'))?.runId).toBe(crashed.runId);
    // WHEN
    const aborted = await runAbort(runnerDeps(env), {});
    // THEN the failover's record (us-east-1 active, us-west-2 fenced) is back, and the run closed
    expect(aborted).toMatchObject({ status: 'aborted', runId: crashed.runId, operation: 'failback' });
    expect(aborted.actions[0]).toBe(
      'us-west-2: active-region record restored (us-east-1 active, us-west-2 fenced, as before the run)',
    );
    expect(await record(env, 'us-west-2')).toEqual(before);
    expect(await journalIn(env, 'us-west-2').openRun()).toBeUndefined();
  });

  test('removes the fence of a first failover (no record before it)', async () => {
    await env.reset();
    const crashed = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Crash('crash after the fence');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    const aborted = await runAbort(runnerDeps(env), { to: 'us-east-1' });
    expect(aborted.status).toBe('aborted');
    expect(aborted.actions[0]).toBe(
      'us-east-1: write fence removed (no active-region record before the run)',
    );
    expect(await record(env, 'us-east-1')).toBeUndefined();
    expect((await journalIn(env, 'us-east-1').getRun(crashed.runId ?? ''))?.status).toBe('aborted');
  });
});

describe('dr abort refuses, changing nothing', () => {
  test('after the flip: traffic has moved, finish the run and move back', async () => {
    await env.reset();
    const crashed = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'flip') throw new Crash('crash after the flip');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    const fenced = await record(env, 'us-east-1');
    const aborted = await runAbort(runnerDeps(env), {});
    expect(aborted).toMatchObject({
      status: 'refused',
      error:
        `run ${crashed.runId} has flipped traffic to us-east-1 (us-east-1 On, us-west-2 Off): ` +
        'finish it with `dr failover --to us-east-1` (the same command resumes it), then move back with `dr failback`',
    });
    expect(await record(env, 'us-east-1')).toEqual(fenced);
    expect((await journalIn(env, 'us-east-1').openRun())?.runId).toBe(crashed.runId);
  });

  test('while another invocation is alive and driving the run', async () => {
    await env.reset();
    let aborted: Awaited<ReturnType<typeof runAbort>> | undefined;
    const first = await runOperation(
      runnerDeps(env, {
        afterEffect: async (ref) => {
          if (ref.id === 'scale-up') aborted = await runAbort(runnerDeps(env), {});
        },
      }),
      { op: failover(env), dryRun: false },
    );
    expect(aborted?.status).toBe('refused');
    expect(aborted?.error).toMatch(/^run failover-\S+ is being driven by another invocation \(test@jest/);
    expect(first.status).toBe('completed');
  });
});
