import { LocalEnvironment } from '../../tools/dr/local/harness';
import { runOperation } from '../../tools/dr/runner';
import { verify } from '../../tools/dr/steps/verify';
import { failover, runnerDeps, startLocal, stepContext } from './helpers';

/** Issue 16 finding 8: a health check without datapoints warns; only contradicting data fails verify. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await startLocal();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const hc = (region: string) => env.outputs.regions[region].healthCheckId;
const flipped = () => {
  const r = env.outputs.regions;
  env.arc.state.controls = {
    [r['us-east-1'].routingControlArn]: 'On',
    [r['us-west-2'].routingControlArn]: 'Off',
  };
};

test("the target's health check without datapoints: the failover completes, notifies, and warns naming it", async () => {
  // GIVEN us-east-1's health check publishes nothing; us-west-2's follows its routing control
  env.cloudwatch.healthOverrides.set(hc('us-east-1'), undefined);
  // WHEN
  const result = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
  // THEN
  expect(result.status).toBe('completed');
  expect(result.steps.find((s) => s.id === 'verify')?.detail).toContain(
    `WARNING: Route 53 health checks not verified: no HealthCheckStatus datapoint in CloudWatch us-east-1 within 2 s for us-east-1 (${hc('us-east-1')}) (us-east-1=no data (want 1), us-west-2=0 (want 0)); nothing contradicts the routing controls read back`,
  );
  expect(env.notifications()).toHaveLength(1);
});

test("the source's health check without datapoints warns too", async () => {
  flipped();
  env.cloudwatch.healthOverrides.set(hc('us-west-2'), undefined);
  const r = await verify.run(stepContext(env, failover(env)));
  expect(r.data).toMatchObject({ healthChecks: 'unverified' });
  expect(r.detail).toContain(
    `for us-west-2 (${hc('us-west-2')}) (us-east-1=1 (want 1), us-west-2=no data (want 0))`,
  );
});

test('a datapoint contradicting the routing controls fails, even with the other check missing', async () => {
  // GIVEN us-east-1's check still unhealthy after the flip, us-west-2's silent
  flipped();
  env.cloudwatch.healthOverrides.set(hc('us-east-1'), 0);
  env.cloudwatch.healthOverrides.set(hc('us-west-2'), undefined);
  // WHEN / THEN
  await expect(verify.run(stepContext(env, failover(env)))).rejects.toThrow(
    'health checks contradict the routing controls after 2 s: us-east-1=0 (want 1), us-west-2=no data (want 0)',
  );
});

test('a contradiction that clears before --verify-timeout verifies', async () => {
  flipped();
  env.cloudwatch.healthOverrides.set(hc('us-west-2'), 1);
  setTimeout(() => env.cloudwatch.healthOverrides.delete(hc('us-west-2')), 200);
  const r = await verify.run(stepContext(env, failover(env)));
  expect(r.detail).toContain('health us-east-1=healthy us-west-2=unhealthy');
});
