import { readRoutingStates } from '../arc';
import { latestValues, metric, ROUTE53_METRICS_REGION } from '../metrics';
import { Step, waitFor } from './step';

/**
 * Step 6. Verifies the cut-over: routing controls read back, the Route 53 health checks bound to
 * them report target healthy and source unhealthy (CloudWatch `HealthCheckStatus`, us-east-1), and
 * a synthetic scoring request succeeds when the target has a `syntheticEndpoint`.
 */
export const verify: Step = {
  id: 'verify',
  title: (op) => `verify health: ${op.to} serving, ${op.from} drained`,
  async run(ctx) {
    const { outputs, clients, op } = ctx;
    const states = await readRoutingStates(outputs, clients, ctx.log);
    if (states[op.to] !== 'On' || states[op.from] !== 'Off') {
      throw new Error(`routing controls read back ${op.to}=${states[op.to]} ${op.from}=${states[op.from]}`);
    }
    const ids = [outputs.regions[op.to].healthCheckId, outputs.regions[op.from].healthCheckId];
    let last: (number | undefined)[] = [];
    await waitFor(
      ctx,
      ctx.timings.verifyTimeoutMs,
      ctx.timings.pollMs,
      async () => {
        last = await latestValues(
          clients.cloudwatch(ROUTE53_METRICS_REGION),
          ids.map(metric.healthCheckStatus),
          ctx.now(),
          120,
        );
        return last[0] === 1 && last[1] === 0 ? true : undefined;
      },
      () =>
        `health checks did not converge within ${ctx.timings.verifyTimeoutMs / 1000} s: ${op.to}=${last[0] ?? 'no data'} (want 1), ${op.from}=${last[1] ?? 'no data'} (want 0)`,
    );
    const endpoint = outputs.regions[op.to].syntheticEndpoint;
    let synthetic = 'no synthetic endpoint configured';
    if (endpoint) {
      const res = await clients.http(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          synthetic: true,
          transactionId: `dr-verify-${ctx.run.runId}`,
          amount: 1,
          currency: 'USD',
        }),
      });
      if (res.status < 200 || res.status >= 300)
        throw new Error(`synthetic scoring request to ${endpoint} returned HTTP ${res.status}`);
      synthetic = `synthetic score HTTP ${res.status}`;
    }
    return { detail: `health ${op.to}=healthy ${op.from}=unhealthy; ${synthetic}` };
  },
};
