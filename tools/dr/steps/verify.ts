import { readRoutingStates } from '../arc';
import { latestValues, metric, ROUTE53_METRICS_REGION } from '../metrics';
import { Step, StepContext } from './step';

/**
 * Step 6. Verifies the cut-over.
 *
 * - Authoritative: the routing control states read back from the ARC cluster endpoints (each tried in
 *   turn): target On, source Off, or the step fails.
 * - Best-effort: the Route 53 health checks bound to them (CloudWatch `HealthCheckStatus`, published
 *   only in us-east-1, which may be the impaired region). CloudWatch failing, or a health check without
 *   datapoints, is a warning in the detail, not a failure; only a datapoint that contradicts the
 *   routing controls after `--verify-timeout` fails.
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
 * How long verify waits for a health check that has no datapoint at all, when nothing contradicts the
 * routing controls: Route 53 reports `HealthCheckStatus` to CloudWatch at one-minute intervals (Route 53
 * developer guide, "Monitoring health checks using CloudWatch"), so a minute without one means none is
 * coming soon. Capped by `--verify-timeout`.
 */
export const NO_DATAPOINT_GRACE_MS = 60_000;

/**
 * Route 53 health checks from CloudWatch (us-east-1), each judged on its own (issue 16 finding 8):
 * a datapoint as the routing controls want (target 1, source 0) verifies it; a datapoint that
 * contradicts them fails the step if it still does after `--verify-timeout`; no datapoint at all is a
 * warning after {@link NO_DATAPOINT_GRACE_MS}, as is CloudWatch being unavailable. The routing controls
 * read back are authoritative; only contradicting evidence fails.
 */
async function healthChecks(ctx: StepContext): Promise<{ detail?: string; warning?: string }> {
  const { outputs, clients, op } = ctx;
  const checks = [
    { region: op.to, id: outputs.regions[op.to].healthCheckId, want: 1, as: 'healthy' },
    { region: op.from, id: outputs.regions[op.from].healthCheckId, want: 0, as: 'unhealthy' },
  ];
  const started = ctx.now().getTime();
  const grace = Math.min(NO_DATAPOINT_GRACE_MS, ctx.timings.verifyTimeoutMs);
  let last: (number | undefined)[] = [];
  for (;;) {
    try {
      last = await latestValues(
        clients.cloudwatch(ROUTE53_METRICS_REGION),
        checks.map((c) => metric.healthCheckStatus(c.id)),
        ctx.now(),
        120,
      );
    } catch (err) {
      const why = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
      return {
        warning: `Route 53 health checks not verified: CloudWatch ${ROUTE53_METRICS_REGION} unavailable (${why}); the routing controls read back are authoritative`,
      };
    }
    const contradicting = checks.filter((c, i) => last[i] !== undefined && last[i] !== c.want);
    const missing = checks.filter((_, i) => last[i] === undefined);
    if (contradicting.length === 0 && missing.length === 0)
      return { detail: `health ${checks.map((c) => `${c.region}=${c.as}`).join(' ')}` };
    const elapsed = ctx.now().getTime() - started;
    if (contradicting.length === 0 && elapsed >= grace) break;
    if (elapsed >= ctx.timings.verifyTimeoutMs) break;
    await ctx.sleep(ctx.timings.pollMs);
  }
  const shown = checks.map((c, i) => `${c.region}=${last[i] ?? 'no data'} (want ${c.want})`).join(', ');
  if (checks.some((c, i) => last[i] !== undefined && last[i] !== c.want)) {
    throw new Error(
      `health checks contradict the routing controls after ${ctx.timings.verifyTimeoutMs / 1000} s: ${shown}`,
    );
  }
  const missing = checks.filter((_, i) => last[i] === undefined);
  return {
    warning:
      `Route 53 health checks not verified: no HealthCheckStatus datapoint in CloudWatch ${ROUTE53_METRICS_REGION} ` +
      `within ${grace / 1000} s for ${missing.map((c) => `${c.region} (${c.id})`).join(', ')} (${shown}); ` +
      'nothing contradicts the routing controls read back, which are authoritative',
  };
}
