import { keys } from '../../tools/dr/control/keys';
import { LocalEnvironment } from '../../tools/dr/local/harness';
import { reverse } from '../../tools/dr/operation';
import { OperationResult, runOperation } from '../../tools/dr/runner';
import { failover, fixtureOutputs, journalIn, runnerDeps } from './helpers';

/** Issue 16 finding 6: a failback with the DR region's Kubernetes API server hanging. */

let env: LocalEnvironment;
beforeAll(async () => {
  env = await LocalEnvironment.start({
    outputs: fixtureOutputs(),
    readyDelayMs: 20,
    kubeCallTimeoutMs: 1000,
  });
});
afterAll(() => env.stop());

describe('failback with the old DR region (us-east-1) hanging', () => {
  let result: OperationResult;
  let ms: number;
  beforeAll(async () => {
    await env.reset();
    const there = await runOperation(runnerDeps(env), { op: failover(env), dryRun: false });
    expect(there).toMatchObject({ status: 'completed', error: undefined });
    // GIVEN us-east-1's API server now accepts requests and never answers
    env.kube['us-east-1'].hanging = true;
    // WHEN
    const t0 = performance.now();
    result = await runOperation(runnerDeps(env), { op: reverse(failover(env)), dryRun: false });
    ms = performance.now() - t0;
  });

  test('completes: traffic is back in us-west-2', () => {
    expect(result.status).toBe('completed');
    expect(env.arc.state.controls[env.outputs.regions['us-west-2'].routingControlArn]).toBe('On');
  });
  test('within seconds: standby costs one bounded call, not the run', () => {
    expect(ms).toBeLessThan(5000);
  });
  test('notifies and releases the lock before standby, which is last', () => {
    expect(result.steps.map((s) => s.id).slice(-3)).toEqual(['notify', 'unlock', 'standby']);
    expect(env.notifications()).toHaveLength(2);
  });
  test('the lock is released in both regions', async () => {
    for (const region of ['us-west-2', 'us-east-1']) {
      expect(await journalIn(env, region).table.get(keys.lock())).toBeUndefined();
    }
  });
  test('standby is a warning naming what is left and the kubectl command for each', () => {
    const r = env.outputs.regions['us-east-1'];
    const standby = result.steps.find((s) => s.id === 'standby');
    expect(standby?.status).toBe('done');
    expect(standby?.detail).toMatch(
      /^WARNING: standby minimums not restored in us-east-1 \(DeadlineExceeded: Kubernetes API us-east-1: get /,
    );
    const first = r.workloads.deployments[0];
    const field = first.autoscaler.kind === 'HorizontalPodAutoscaler' ? 'minReplicas' : 'minReplicaCount';
    expect(standby?.detail).toContain(
      `kubectl --context ${r.cluster.kubeContext} -n ${r.workloads.namespace} patch ` +
        `${first.autoscaler.kind === 'HorizontalPodAutoscaler' ? 'hpa' : 'scaledobject'} ${first.autoscaler.name} ` +
        `--type merge -p '{"spec":{"${field}":${first.autoscaler.standbyMinReplicas}}}'`,
    );
    expect(result.warnings).toEqual([
      expect.stringMatching(/^step 9 standby: standby minimums not restored/),
    ]);
  });
});
