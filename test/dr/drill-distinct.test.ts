import { keys } from '../../tools/dr/control/keys';
import { runAbort } from '../../tools/dr/abort';
import { DrillResult, runDrill } from '../../tools/dr/drill';
import { drillMarkdown } from '../../tools/dr/drill-report';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { renderDrill } from '../../tools/dr/report';
import { runOperation, RunnerDeps } from '../../tools/dr/runner';
import { failover, journalIn, runnerDeps, startLocal } from './helpers';

/** Issue 16 finding 12: drills stay drills. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const W = 'us-west-2';
const E = 'us-east-1';
const on = () =>
  Object.keys(env.outputs.regions).filter(
    (r) => env.arc.state.controls[env.outputs.regions[r].routingControlArn] === 'On',
  );

/** A drill whose failback preflight finds replication 60 s behind (the failover half completes). */
async function drillWithFailbackRefused(): Promise<DrillResult> {
  const deps: RunnerDeps = runnerDeps(env, {
    afterEffect: async (ref) => {
      if (ref.operation === 'failover' && ref.id === 'unlock') {
        env.cloudwatch.values = { ...env.cloudwatch.values, replicationLatencyMs: 60_000 };
        await env.writeHeartbeats();
      }
    },
  });
  return runDrill(deps, { dryRun: false });
}

describe('a drill whose failback is refused', () => {
  test('is refused with traffic in the DR region, and stays open', async () => {
    const d = await drillWithFailbackRefused();
    expect([d.failover.status, d.failback?.status]).toEqual(['completed', 'refused']);
    expect(on()).toEqual([E]);
    expect(await journalIn(env, E).table.get(keys.openDrill())).toMatchObject({ drillId: d.drillId, to: E });
  });

  test('does not advise setting the DR region active; it says to resume the drill', async () => {
    const d = await drillWithFailbackRefused();
    const text = renderDrill(d);
    expect(text).not.toContain('pulumi config set');
    expect(drillMarkdown(d)).not.toContain('pulumi config set');
    expect(d.nextAction).toMatch(
      new RegExp(
        `^drill ${d.drillId} is unfinished: traffic is in us-east-1 because of the drill's failover, and its failback was refused \\(PreflightRefused: .*stale replication.*\\)\\. ` +
          'This is a drill: do not set us-east-1 as the active region in the stack config\\. Fix the cause and resume the drill with ' +
          '`npm run dr -- drill --env staging --to us-east-1` \\(add `--force --reason "\\.\\.\\."` only to override the refused preflight deliberately\\): it runs the failback only\\.$',
      ),
    );
    expect(text).toContain(`\nNEXT: ${d.nextAction}`);
    expect(drillMarkdown(d)).toContain(`## Next\n\n${d.nextAction}\n`);
  });

  test('resuming the drill once replication is fresh runs the failback under the same id and closes the drill', async () => {
    const first = await drillWithFailbackRefused();
    env.cloudwatch.values = { ...env.cloudwatch.values, replicationLatencyMs: 420 };
    await env.writeHeartbeats();
    const again = await runDrill(runnerDeps(env), { dryRun: false });
    expect(again).toMatchObject({ status: 'completed', drillId: first.drillId });
    expect(again.failback?.runId).toBe(`${first.drillId}.failback`);
    expect(on()).toEqual([W]);
    expect(await journalIn(env, E).table.get(keys.openDrill())).toBeUndefined();
  });
});

describe('a plain failover meets a crashed drill', () => {
  test('refuses naming the drill and the commands, and changes nothing', async () => {
    // GIVEN a drill crashed in its failover's scale-up
    const crashed = await runDrill(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'scale-up') throw new Error('simulated crash');
        },
      }),
      { dryRun: false },
    );
    const before = await env.controlItems(E);
    const half = await journalIn(env, E).getRun(`${crashed.drillId}.failover`);
    // WHEN a plain failover runs
    const deps = runnerDeps(env);
    const r = await runOperation(deps, { op: failover(env), dryRun: false });
    // THEN
    expect(r.status).toBe('refused');
    expect(r.error).toBe(
      `JournalConflict: run ${crashed.drillId}.failover (us-west-2 -> us-east-1, started ${half?.startedAt} by test@jest) ` +
        `is the failover half of drill ${crashed.drillId}; a plain \`dr failover\` does not take over a drill: ` +
        'resume the drill with `npm run dr -- drill --env staging --to us-east-1`, or, if its flip has not happened, ' +
        'close it with `npm run dr -- abort --env staging`',
    );
    expect(await env.controlItems(E)).toEqual(before);
    // AND the drill still resumes and completes
    expect((await runDrill(runnerDeps(env), { dryRun: false })).status).toBe('completed');
  });

  test('a plain failover --dry-run says the same (and is refused)', async () => {
    await runDrill(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'scale-up') throw new Error('simulated crash');
        },
      }),
      { dryRun: false },
    );
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: true });
    expect(r.status).toBe('refused');
    expect(r.error).toMatch(
      /is the failover half of drill drill-\S+; a plain `dr failover` does not take over a drill/,
    );
  });
});

describe('dr abort of a drill’s failback half', () => {
  test('closes the half but keeps the drill open, saying why and how to resume', async () => {
    // GIVEN a drill crashed in its failback's scale-up (traffic in us-east-1)
    const crashed = await runDrill(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.operation === 'failback' && ref.id === 'scale-up') throw new Error('simulated crash');
        },
      }),
      { dryRun: false },
    );
    // WHEN
    const a = await runAbort(runnerDeps(env), {});
    // THEN
    expect(a.status).toBe('aborted');
    expect(a.actions).toContain(
      `drill ${crashed.drillId} stays open: traffic is in us-east-1 because of its failover; resume the drill with ` +
        '`npm run dr -- drill --env staging --to us-east-1` to bring it back (do not set us-east-1 as the active region)',
    );
    expect(await journalIn(env, E).table.get(keys.openDrill())).toMatchObject({ drillId: crashed.drillId });
    // AND resuming the drill reopens the aborted half and completes it
    const again = await runDrill(runnerDeps(env), { dryRun: false });
    expect(again).toMatchObject({ status: 'completed', drillId: crashed.drillId });
    expect(on()).toEqual([W]);
  });
});
