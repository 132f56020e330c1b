import { CanaryReading } from '../canary';
import { describeView } from '../canary-view';
import type { PreflightCheck } from './preflight';

/** The name of the canary's preflight check. */
export const canaryCheckName = (reading: CanaryReading, to: string) =>
  reading.configured ? `canary (${reading.region}) sees ${to} scoring` : `canary sees ${to} scoring`;

/**
 * The canary's evidence about the failover's target (issue 13). Evidence, not the switch (ARC is):
 * - the target `failing` (its last `failingAfter` probes failed) refuses, unless `--ignore-canary
 *   --reason` (this check only) or `--force --reason` (every check) overrides it;
 * - both regions failing at once is a warning: the canary's own path (peering, its endpoint) is far
 *   likelier than two regional outages, and the other checks read the target directly;
 * - canary not configured, unreachable, silent (`no-data`, `stale`) or `flapping` is a warning, never
 *   a refusal: missing evidence must not block a failover.
 */
export function canaryCheck(
  reading: CanaryReading,
  to: string,
  from: string,
  opts: { readonly ignoreReason?: string; readonly endpoint?: string } = {},
): PreflightCheck {
  const { ignoreReason, endpoint } = opts;
  const check = canaryCheckName(reading, to);
  if (!reading.configured) {
    return { check, ok: true, warn: true, detail: `canary ${reading.detail}: no outside evidence` };
  }
  const target = reading.regions[to];
  const source = reading.regions[from];
  const seen = `${to}: ${describeView(target)}; ${from} (source): ${source ? describeView(source) : 'not read'}`;
  switch (target.state) {
    case 'healthy':
      return { check, ok: true, detail: seen };
    case 'failing': {
      if (source?.state === 'failing') {
        return {
          check,
          ok: true,
          warn: true,
          detail: `both regions fail from the canary: likely the canary's own network path (peering, endpoint), not evidence against ${to}; ${seen}`,
        };
      }
      if (ignoreReason) {
        return { check, ok: true, warn: true, detail: `IGNORED (--ignore-canary: ${ignoreReason}): ${seen}` };
      }
      return {
        check,
        ok: false,
        detail:
          `the canary in ${reading.region} sees ${to} FAILING (its last ${target.consecutiveFailures} probes, alarm at ${reading.failingAfter}): ${seen}. ` +
          `${endpoint ? `Try ${endpoint} yourself; ` : ''}override this check alone with --ignore-canary --reason "..."`,
      };
    }
    default:
      return {
        check,
        ok: true,
        warn: true,
        detail: `${seen} (no refusal: the canary is evidence, not the switch)`,
      };
  }
}
