import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { RunbookOutputs } from '../../stacks/outputs';
import { runAbort } from '../../tools/dr/abort';
import { readFloors } from '../../tools/dr/control/capacity-record';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { updateThroughput } from '../../tools/dr/local/autoscaling-stand-in';
import { runOperation } from '../../tools/dr/runner';
import { runDr } from './cli-run';
import { failover, fixtureOutputs, journalIn, observe, runnerDeps } from './helpers';

/**
 * Issue 15 finding 26 (runbook side), issue 12 build 5: the scale-up raises the DR replica's DynamoDB
 * read floor before the flip, journals the old floor, and `dr abort` / the failback put it back. Against
 * dynalite and the Application Auto Scaling stand-in (tools/dr/local/autoscaling-stand-in.ts).
 */

const FEATURES = 'table/staging-features';
const READS = 'dynamodb:table:ReadCapacityUnits';
const DR = 'us-east-1';
const HOME = 'us-west-2';

/** The staging fixture with autoscaled features reads: home floor 100, DR standby floor 25, max 400. */
function outputsWithTables(): RunbookOutputs {
  const o = fixtureOutputs();
  const reads = (standby: number) => ({
    table: 'staging-features',
    resourceId: FEATURES,
    dimension: READS,
    fullMinCapacity: 100,
    standbyMinCapacity: standby,
    maxCapacity: 400,
  });
  return {
    ...o,
    regions: {
      ...o.regions,
      [HOME]: { ...o.regions[HOME], tableCapacity: [reads(100)] },
      [DR]: { ...o.regions[DR], tableCapacity: [reads(25)] },
    },
  } as RunbookOutputs;
}

let env: LocalEnvironment;
/** New pods never turn ready: every scale-up times out after raising its floors. */
let slow: LocalEnvironment;
beforeAll(async () => {
  env = await LocalEnvironment.start({ outputs: outputsWithTables(), readyDelayMs: 20 });
  slow = await LocalEnvironment.start({ outputs: outputsWithTables(), readyDelayMs: 600_000 });
});
afterAll(async () => {
  await env.stop();
  await slow.stop();
});

const floor = (e: LocalEnvironment, region = DR) => e.autoscaling.target(region, FEATURES, READS)?.min;
const provisionedReads = async (e: LocalEnvironment, region = DR) =>
  (
    await e
      .clients()
      .dynamodb(region)
      .send(new DescribeTableCommand({ TableName: 'staging-features' }))
  ).Table?.ProvisionedThroughput?.ReadCapacityUnits;
const registers = (e: LocalEnvironment) =>
  e.autoscaling.calls.filter((c) => c.command === 'RegisterScalableTarget');

describe('a failover', () => {
  test("raises the DR read floor to the home floor before the flip, and the table's capacity with it", async () => {
    await env.reset();
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    expect(floor(env)).toBe(100);
    expect(await provisionedReads(env)).toBe(100);
    expect(registers(env).map((c) => c.input)).toEqual([
      { ServiceNamespace: 'dynamodb', ResourceId: FEATURES, ScalableDimension: READS, MinCapacity: 100 },
    ]);
    expect(r.steps.find((s) => s.id === 'scale-up')?.detail).toContain(
      'table floors raised staging-features reads 25->100; provisioned staging-features reads 100/100',
    );
    // AND the old floor is journaled for abort
    const rec = await readFloors(journalIn(env, DR).table, r.runId ?? '');
    expect(rec?.changes.find((c) => c.kind === 'table')).toEqual({
      kind: 'table',
      id: `${FEATURES}|${READS}`,
      previous: 25,
      set: 100,
    });
  });

  test("raises to the source's current capacity and replicas when they are above the full floors", async () => {
    await env.reset();
    await updateThroughput(env.clients().dynamodb(HOME), 'staging-features', { read: 160 });
    env.kube[HOME].state.deployments['scoring-api'] = { replicas: 22, ready: 22, readyAt: 0 };
    const r = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(r.status).toBe('completed');
    expect(floor(env)).toBe(160);
    expect(env.kube[DR].state.autoscalers['ScaledObject/scoring-api'].min).toBe(22);
    expect(r.steps.find((s) => s.id === 'scale-up')?.detail).toContain(
      "above full from us-west-2's ready replicas: scoring-api 22 (source's current)",
    );
  });

  test('then the failback restores the standby read floor in the region that becomes standby', async () => {
    const back = await runOperation(runnerDeps(env), {
      op: { kind: 'failback', from: DR, to: HOME },
      dryRun: false,
    });
    expect(back.status).toBe('completed');
    expect(floor(env)).toBe(25);
    expect(back.steps.find((s) => s.id === 'standby')?.detail).toContain(
      'table floors staging-features reads MinCapacity 160->25',
    );
  });

  test('resumed after a crash right after its scale-up, it raises nothing twice and keeps the first record', async () => {
    await env.reset();
    const crashed = await runOperation(
      runnerDeps(env, {
        afterEffect: (ref) => {
          if (ref.id === 'scale-up') throw new Error('simulated crash');
        },
      }),
      { op: failover(env), dryRun: false },
    );
    expect(crashed.status).toBe('failed');
    const again = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(again).toMatchObject({ status: 'completed', runId: crashed.runId, resumed: true });
    expect(registers(env)).toHaveLength(1);
    const rec = await readFloors(journalIn(env, DR).table, crashed.runId ?? '');
    expect(rec?.changes.find((c) => c.kind === 'table')).toMatchObject({ previous: 25, set: 100 });
  });
});

describe('dr failover --dry-run', () => {
  test('shows the planned floors and replicas, and writes nothing', async () => {
    await env.reset();
    const before = await observe(env);
    const out = await runDr(env, ['failover', '--env', 'staging', '--dry-run'], {
      deps: { loadOutputs: async () => env.outputs },
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('     would: ScaledObject/scoring-api: minimum 4 -> 15 (full)');
    expect(out.stdout).toContain(
      `     would: staging-features reads (${FEATURES} ${READS}): MinCapacity 25 -> 100 (full)`,
    );
    expect(registers(env)).toHaveLength(0);
    expect(floor(env)).toBe(25);
    expect(await observe(env)).toEqual(before);
  });
  test('says so under the step when Application Auto Scaling does not answer, and still exits 0', async () => {
    await env.reset();
    env.autoscaling.failingRegions.add(DR);
    const out = await runDr(env, ['failover', '--env', 'staging', '--dry-run'], {
      deps: { loadOutputs: async () => env.outputs },
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      '     would: (preview unavailable: InternalServiceException: Application Auto Scaling in us-east-1 is unavailable (stand-in))',
    );
    expect(registers(env)).toHaveLength(0);
  });
});

describe('a RegisterScalableTarget that fails', () => {
  test('fails the run at scale-up naming the table (exit 1), with nothing fenced or flipped', async () => {
    await env.reset();
    env.autoscaling.failingRegisters.add(FEATURES);
    const routing = { ...env.arc.state.controls };
    const out = await runDr(env, ['failover', '--env', 'staging', '--yes'], {
      deps: { loadOutputs: async () => env.outputs },
    });
    expect(out.code).toBe(1);
    const step =
      out.result && 'steps' in out.result ? out.result.steps.find((s) => s.status === 'failed') : undefined;
    expect(step?.id).toBe('scale-up');
    expect(`${out.stdout}${out.stderr}`).toContain(
      `could not raise the floor of staging-features reads (${FEATURES} ${READS}) in ${DR} from 25 to 100: ` +
        'RegisterScalableTarget failed (ConcurrentUpdateException: Rate exceeded (stand-in)); nothing is fenced or flipped.',
    );
    expect(env.arc.state.controls).toEqual(routing);
    expect(floor(env)).toBe(25);
    // AND dr abort closes it cleanly
    env.autoscaling.failingRegisters.clear();
    const a = await runAbort(runnerDeps(env), {});
    expect(a.status).toBe('aborted');
  });
});

describe('dr abort after a scale-up that timed out', () => {
  test('puts the recorded read floor back', async () => {
    await slow.reset();
    const r = await runOperation(
      runnerDeps(slow, { timings: { pollMs: 10, readinessTimeoutMs: 200, verifyTimeoutMs: 2000 } }),
      { op: failover(slow), dryRun: false },
    );
    expect(r.status).toBe('failed');
    expect(floor(slow)).toBe(100);
    const a = await runAbort(runnerDeps(slow), {});
    expect(a.status).toBe('aborted');
    expect(a.actions).toContain(`${DR}: restored staging-features reads MinCapacity 100->25`);
    expect(floor(slow)).toBe(25);
  });

  test('lists the command for a floor it cannot restore, and still closes the run', async () => {
    await slow.reset();
    const r = await runOperation(
      runnerDeps(slow, { timings: { pollMs: 10, readinessTimeoutMs: 200, verifyTimeoutMs: 2000 } }),
      { op: failover(slow), dryRun: false },
    );
    expect(r.status).toBe('failed');
    slow.autoscaling.failingRegisters.add(FEATURES);
    const a = await runAbort(runnerDeps(slow), {});
    expect(a.status).toBe('aborted');
    expect(a.actions).toContain(
      `${DR}: floors not restored (ConcurrentUpdateException: Rate exceeded (stand-in); cost, not safety): run ` +
        `aws application-autoscaling register-scalable-target --region ${DR} --service-namespace dynamodb ` +
        `--resource-id ${FEATURES} --scalable-dimension ${READS} --min-capacity 25 ; ` +
        `kubectl --context ${slow.outputs.regions[DR].cluster.kubeContext} -n risk-scoring patch scaledobject scoring-api --type merge -p '{"spec":{"minReplicaCount":4}}' ; ` +
        `kubectl --context ${slow.outputs.regions[DR].cluster.kubeContext} -n risk-scoring patch scaledobject stream-scorer --type merge -p '{"spec":{"minReplicaCount":2}}' ; ` +
        `kubectl --context ${slow.outputs.regions[DR].cluster.kubeContext} -n risk-scoring patch scaledobject feedback-worker --type merge -p '{"spec":{"minReplicaCount":1}}'`,
    );
  });
});
