import { readRoutingStates } from '../arc';
import { latestValues, metric, ROUTE53_METRICS_REGION } from '../metrics';
import { Step, StepContext, waitFor } from './step';

/**
 * Step 6. Verifies the cut-over.
 *
 * - Authoritative: the routing control states read back from the ARC cluster endpoints (each tried in
 *   turn): target On, source Off, or the step fails.
 * - Best-effort: the Route 53 health checks bound to them (CloudWatch `HealthCheckStatus`, published
 *   only in us-east-1, which may be the impaired region). CloudWatch failing or holding no datapoints
 *   is a warning in the detail, not a failure; datapoints that contradict the routing controls after
 *   `--verify-timeout` are a failure.
 * - A synthetic scoring request when the target has a `syntheticEndpoint`.
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
    const routing = `routing controls read back ${op.to}=On ${op.from}=Off`;
    const health = await healthChecks(ctx);
    if (health.warning) ctx.log(`    WARN ${health.warning}`);
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
    return {
      detail: `${routing}; ${health.warning ? `WARNING: ${health.warning}` : health.detail}; ${synthetic}`,
      data: { healthChecks: health.warning ? 'unverified' : 'verified', warning: health.warning ?? null },
    };
  },
};

/**
 * Route 53 health checks from CloudWatch (us-east-1): converged, or a warning when CloudWatch is
 * unavailable or has no datapoints. Throws only when datapoints contradict the routing controls.
 */
async function healthChecks(ctx: StepContext): Promise<{ detail?: string; warning?: string }> {
  const { outputs, clients, op } = ctx;
  const ids = [outputs.regions[op.to].healthCheckId, outputs.regions[op.from].healthCheckId];
  let last: (number | undefined)[] = [];
  let unavailable: string | undefined;
  await waitFor(
    ctx,
    ctx.timings.verifyTimeoutMs,
    ctx.timings.pollMs,
    async () => {
      try {
        last = await latestValues(
          clients.cloudwatch(ROUTE53_METRICS_REGION),
          ids.map(metric.healthCheckStatus),
          ctx.now(),
          120,
        );
      } catch (err) {
        unavailable = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
        return true;
      }
      if (last[0] === 1 && last[1] === 0) return true;
      // No datapoint at all: nothing contradicts the routing controls; keep waiting for one.
      return undefined;
    },
    () => '',
  ).catch((err: Error) => {
    if (last.every((v) => v === undefined)) return;
    throw new Error(
      `health checks did not converge within ${ctx.timings.verifyTimeoutMs / 1000} s: ${op.to}=${last[0] ?? 'no data'} (want 1), ${op.from}=${last[1] ?? 'no data'} (want 0)`,
      { cause: err },
    );
  });
  if (unavailable) {
    return {
      warning: `Route 53 health checks not verified: CloudWatch ${ROUTE53_METRICS_REGION} unavailable (${unavailable}); the routing controls read back are authoritative`,
    };
  }
  if (last[0] !== 1 || last[1] !== 0) {
    return {
      warning: `Route 53 health checks not verified: no HealthCheckStatus datapoints in CloudWatch ${ROUTE53_METRICS_REGION} within ${ctx.timings.verifyTimeoutMs / 1000} s`,
    };
  }
  return { detail: `health ${op.to}=healthy ${op.from}=unhealthy` };
}
