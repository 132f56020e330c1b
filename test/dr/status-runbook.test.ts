import { ActiveRegionRecord, writeActiveRegion } from '../../tools/dr/control/fence';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { renderStatus } from '../../tools/dr/report';
import { runOperation } from '../../tools/dr/runner';
import { findInconsistencies } from '../../tools/dr/status-checks';
import { readStatus, StatusResult } from '../../tools/dr/status';
import { runDr } from './cli-run';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 13: status shows the lock holder, the open run and inconsistencies. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const W = 'us-west-2';
const E = 'us-east-1';
const record = (active: string, fenced: string, updatedAt: string, runId = 'run-1'): ActiveRegionRecord => ({
  activeRegion: active,
  writeFence: { region: fenced, since: updatedAt },
  runId,
  operation: 'failover',
  updatedAt,
});
const base = { environment: 'staging', primary: W, regions: [W, E] };

describe('findInconsistencies (pure)', () => {
  test('consistent: routing On where the newest record says, the other fenced', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'Off', [E]: 'On' },
        records: [
          { region: W, record: null },
          { region: E, record: record(E, W, '2026-01-01T00:00:00Z') },
        ],
      }),
    ).toEqual([]);
  });

  test('consistent: no record, routing On in the primary', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'On', [E]: 'Off' },
        records: [
          { region: W, record: null },
          { region: E, record: null },
        ],
      }),
    ).toEqual([]);
  });

  test('an older copy in the other replica that disagrees is replication at work, not an inconsistency', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'On', [E]: 'Off' },
        records: [
          { region: W, record: record(W, E, '2026-01-01T01:00:00Z', 'back') },
          { region: E, record: record(E, W, '2026-01-01T00:00:00Z', 'there') },
        ],
      }),
    ).toEqual([]);
  });

  test('routing On in a fenced region', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'On', [E]: 'Off' },
        records: [
          { region: W, record: null },
          { region: E, record: record(E, W, '2026-01-01T00:00:00Z') },
        ],
      }),
    ).toEqual([
      {
        kind: 'fenced-serving',
        message:
          "routing On in us-west-2, a write-fenced region (active-region record in us-east-1's replica: run run-1, since 2026-01-01T00:00:00Z): it takes the traffic and refuses the writes",
      },
    ]);
  });

  test('routing On in a region its own replica fences, although a newer copy elsewhere does not', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'On', [E]: 'Off' },
        records: [
          { region: W, record: record(E, W, '2026-01-01T00:00:00Z', 'old') },
          { region: E, record: { ...record(W, E, '2026-01-01T01:00:00Z', 'new'), activeRegion: W } },
        ],
      }).map((i) => i.kind),
    ).toEqual(['fenced-serving']);
  });

  test('routing On in DR with no record: writes in the primary are not fenced', () => {
    expect(
      findInconsistencies({
        ...base,
        routing: { [W]: 'Off', [E]: 'On' },
        records: [
          { region: W, record: null },
          { region: E, record: null },
        ],
      }),
    ).toEqual([
      {
        kind: 'record-mismatch',
        message:
          'routing On in us-east-1, but there is no active-region record (the primary us-west-2 is then the active region for writers)',
      },
    ]);
  });

  test('no region On, both On, and unreadable routing', () => {
    const records = [{ region: W, record: null }];
    expect(findInconsistencies({ ...base, routing: { [W]: 'Off', [E]: 'Off' }, records })[0].kind).toBe(
      'none-on',
    );
    expect(findInconsistencies({ ...base, routing: { [W]: 'On', [E]: 'On' }, records })[0].message).toBe(
      'routing On in us-west-2 and us-east-1: both take traffic and accept writes (last writer wins)',
    );
    expect(findInconsistencies({ ...base, routing: undefined, records })).toEqual([]);
  });
});

describe('status against the local environment', () => {
  test('a run crashed between the fence and the flip: INCONSISTENT, the open run at its step, exit 1', async () => {
    // GIVEN a failover whose process dies right after writing the fence
    const crashed = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Error('simulated crash');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    // WHEN
    const r = await runDr(env, ['status', '--env', 'staging']);
    // THEN
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('staging: active region us-west-2');
    expect(lines[1]).toMatch(
      /^INCONSISTENT: routing On in us-west-2, a write-fenced region \(active-region record in us-east-1's replica: run failover-\S+, since \S+\): it takes the traffic and refuses the writes$/,
    );
    expect(lines[2]).toBe(
      `  next: run ${crashed.runId} (failover us-west-2 -> us-east-1) is unfinished at step 4/8 fence (running): ` +
        'resume it with `npm run dr -- failover --env staging --to us-east-1`, or, if it has not flipped, ' +
        'close it with `npm run dr -- abort --env staging`',
    );
    const status = r.result as StatusResult;
    expect(status.regions.find((x) => x.region === E)?.runbook).toMatchObject({
      ok: true,
      value: {
        openRun: {
          runId: crashed.runId,
          operation: 'failover',
          step: { n: 4, of: 8, id: 'fence', state: 'running' },
        },
        lock: { runId: crashed.runId, operation: 'failover', owner: 'test@jest', lapsed: true },
      },
    });
  });

  test('after dr abort of that run the status is consistent again (exit 0)', async () => {
    await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'fence') throw new Error('simulated crash');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    expect((await runDr(env, ['abort', '--env', 'staging', '--yes'])).code).toBe(0);
    const r = await runDr(env, ['status', '--env', 'staging']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('INCONSISTENT');
  });

  test('while a run holds the lock: the holder and the open run at its step', async () => {
    // GIVEN status read from inside a failover, during its scale-up
    let during: StatusResult | undefined;
    const deps = runnerDeps(env, {
      afterEffect: async (ref) => {
        if (ref.id === 'scale-up') during = await readStatus(env.outputs, env.clients(), new Date());
      },
    });
    const run = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN
    const text = renderStatus(during as StatusResult);
    expect(text).toMatch(
      new RegExp(
        `^us-east-1 +run ${run.runId} \\(failover\\) by test@jest, lease until \\S+ +${run.runId} failover us-west-2 -> us-east-1 by test@jest, step 3/8 scale-up \\(running\\) +none$`,
        'm',
      ),
    );
    expect(during?.inconsistencies).toEqual([]);
    // AND after it, both replicas free and no open run
    const after = renderStatus(await readStatus(env.outputs, env.clients(), new Date()));
    expect(after).toMatch(/^us-west-2 +free +none +none$/m);
    expect(after).toMatch(/^us-east-1 +free +none +none$/m);
  });

  test('routing On in DR with no record (someone flipped ARC by hand) is INCONSISTENT', async () => {
    const arn = (r: string) => env.outputs.regions[r].routingControlArn;
    env.arc.reset({ [arn(W)]: 'Off', [arn(E)]: 'On' });
    const status = await readStatus(env.outputs, env.clients(), new Date());
    expect(status.inconsistencies.map((i) => i.kind)).toEqual(['record-mismatch']);
    expect(status.nextAction).toMatch(/^no runbook run is open: /);
  });

  test('a completed failover is consistent (exit 0)', async () => {
    await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    const r = await runDr(env, ['status', '--env', 'staging']);
    expect(r.code).toBe(0);
    expect((r.result as StatusResult).inconsistencies).toEqual([]);
  });

  test('a fence written in the serving region’s own replica by hand is caught', async () => {
    await writeActiveRegion(journalIn(env, W).table, record(E, W, new Date().toISOString(), 'manual'));
    const status = await readStatus(env.outputs, env.clients(), new Date());
    expect(status.inconsistencies.map((i) => i.kind)).toEqual(['fenced-serving']);
  });
});
