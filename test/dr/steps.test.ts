import { LocalEnvironment } from '../../tools/dr/local/harness';
import { reverse } from '../../tools/dr/operation';
import { planSteps } from '../../tools/dr/steps';
import { notify } from '../../tools/dr/steps/notify';
import { failover, observe, sideEffects, startLocal, stepContext } from './helpers';

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());

interface Twice {
  readonly stateAfterFirst: object;
  readonly stateAfterSecond: object;
  readonly effectsAfterFirst: object;
  readonly effectsAfterSecond: object;
}

/** Runs every step of an operation twice in a row, recording state and side effects after each run. */
async function runEachStepTwice(kind: 'failover' | 'failback'): Promise<Map<string, Twice>> {
  const op = kind === 'failover' ? failover(env) : reverse(failover(env));
  const ctx = stepContext(env, op, `${kind}-twice`);
  const out = new Map<string, Twice>();
  for (const step of planSteps(kind)) {
    await step.run(ctx);
    const stateAfterFirst = await observe(env);
    const effectsAfterFirst = sideEffects(env);
    await step.run(ctx);
    out.set(step.id, {
      stateAfterFirst,
      effectsAfterFirst,
      stateAfterSecond: await observe(env),
      effectsAfterSecond: sideEffects(env),
    });
  }
  ctx.lock.stopHeartbeat();
  return out;
}

describe('every step is idempotent', () => {
  let failoverRuns: Map<string, Twice>;
  let failbackRuns: Map<string, Twice>;
  beforeAll(async () => {
    await env.reset();
    failoverRuns = await runEachStepTwice('failover');
    failbackRuns = await runEachStepTwice('failback');
  });

  test.each(planSteps('failover').map((s) => s.id))(
    'failover step %s run twice leaves the same state',
    (id) => {
      const r = failoverRuns.get(id);
      expect(r?.stateAfterSecond).toEqual(r?.stateAfterFirst);
    },
  );

  test.each(planSteps('failover').map((s) => s.id))(
    'failover step %s run twice repeats no side effect',
    (id) => {
      const r = failoverRuns.get(id);
      expect(r?.effectsAfterSecond).toEqual(r?.effectsAfterFirst);
    },
  );

  test.each(planSteps('failback').map((s) => s.id))(
    'failback step %s run twice leaves the same state and effects',
    (id) => {
      const r = failbackRuns.get(id);
      expect(r?.stateAfterSecond).toEqual(r?.stateAfterFirst);
      expect(r?.effectsAfterSecond).toEqual(r?.effectsAfterFirst);
    },
  );

  test('the failover flipped traffic with one ARC update and notified once', () => {
    expect(failoverRuns.get('flip')?.effectsAfterSecond).toMatchObject({ arcUpdates: 1 });
    expect(failoverRuns.get('notify')?.effectsAfterSecond).toMatchObject({ notifications: 1 });
  });

  test('each operation notified on its target region’s topic (the healthy one)', () => {
    const topicOf = Object.fromEntries(
      env.notifications().map((n) => [(JSON.parse(n.body) as { operation: string }).operation, n.topicArn]),
    );
    expect(topicOf).toEqual({
      failover: env.outputs.regions['us-east-1'].notificationTopicArn,
      failback: env.outputs.regions['us-west-2'].notificationTopicArn,
    });
  });
});

describe('notify during an outage of the DR region', () => {
  test('a failback publishes to the primary region’s topic and never calls the DR region’s SNS', async () => {
    // GIVEN SNS in the DR region is down
    await env.reset();
    const op = reverse(failover(env));
    const ctx = stepContext(env, op, 'failback-during-dr-outage');
    const healthy = env.clients();
    const clients = {
      ...healthy,
      sns: (region: string) => {
        if (region !== op.to) throw new Error(`SNS in ${region} is unreachable`);
        return healthy.sns(region);
      },
    };
    // WHEN
    const result = await notify.run({ ...ctx, clients });
    ctx.lock.stopHeartbeat();
    // THEN
    const primaryTopic = env.outputs.regions[op.to].notificationTopicArn;
    expect(result.detail).toContain(`published to ${primaryTopic}`);
    expect(env.notifications().map((n) => n.topicArn)).toEqual([primaryTopic]);
  });
});
